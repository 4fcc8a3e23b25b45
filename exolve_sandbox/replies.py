"""What the sandbox answers: a reply to send, and the provider's error bodies and call ids."""

import uuid
from typing import Any, NamedTuple, TypedDict

INVALID_ARGUMENT = 3  # the gRPC status code Exolve puts in every 400 body
UNAVAILABLE = 14


class ErrorBody(TypedDict):
    """The gRPC-gateway style body of every error the provider answers."""

    code: int  # a gRPC status code
    message: str
    details: list[Any]  # always empty here


UNAUTHORIZED_BODY: ErrorBody = {"code": 16, "message": "malformed token", "details": []}


class Reply(NamedTuple):
    status: int
    body: Any = None  # dict/list -> JSON, str -> text/plain, None -> empty
    headers: dict[str, str] | None = None


def error_body(code: int, message: str) -> ErrorBody:
    return {"code": code, "message": message, "details": []}


def new_call_id() -> str:
    return f"cal{uuid.uuid4()}"
