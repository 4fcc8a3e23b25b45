"""The request id: every log line written for an HTTP request carries it (LOG_FORMAT=json), and
the response says it in X-Request-ID, so a person can quote it and a proxy can log it.

A proxy's own id (X-Request-ID: letters, digits, '-' and '_', at most 64) is kept, so its access
log and ours name a request alike; anything else is replaced by a new one."""

import re
import uuid
from collections.abc import Callable
from typing import Any

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

from callbacks import log_context

from .redaction import redact

HEADER = "X-Request-ID"
WELL_FORMED = re.compile(r"[A-Za-z0-9_-]{1,64}")


class RequestId:
    """First of the middleware, so that every line of the request carries the id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = incoming(request) or uuid.uuid4().hex
        log_context.start_request(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def incoming(request: HttpRequest) -> str | None:
    """The client's or proxy's id, if it is one we may write to a log: well formed, no secret."""
    value = request.headers.get(HEADER, "")
    if WELL_FORMED.fullmatch(value) and redact(value) == value:
        return value
    return None


def _end_request(**kwargs: Any) -> None:
    log_context.end_request()


# The id is forgotten when the response is closed, not when the middleware returns: Django logs a
# 4xx after every middleware has returned, and a streamed export is written after that.
request_finished.connect(_end_request, dispatch_uid="callbacks_project.request_id")
