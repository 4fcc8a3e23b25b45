"""What a log line is about: the HTTP request it was written for, and the callback. The project's
logging copies them onto every line (callbacks_project/log_filters.py), so one callback can be
followed across the web, the worker and the sweeper.

Context variables, not thread-locals: a value set around some work is gone when it ends, and a
thread that goes on to other work (gunicorn's, a worker's) does not carry it there."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
CALLBACK_ID: ContextVar[int | None] = ContextVar("callback_id", default=None)


def start_request(request_id: str) -> None:
    """This thread now works for this HTTP request, on no callback yet."""
    REQUEST_ID.set(request_id)
    CALLBACK_ID.set(None)


def end_request() -> None:
    """The request is over (its response sent): the thread works for nobody."""
    REQUEST_ID.set(None)
    CALLBACK_ID.set(None)


@contextmanager
def about_callback(callback_id: int | None) -> Iterator[None]:
    """Lines written inside are about this callback (None: about none in particular)."""
    token = CALLBACK_ID.set(callback_id)
    try:
        yield
    finally:
        CALLBACK_ID.reset(token)


def current() -> dict[str, str | int]:
    """The known ones, by the names log lines carry them under."""
    known = {"request_id": REQUEST_ID.get(), "callback_id": CALLBACK_ID.get()}
    return {name: value for name, value in known.items() if value is not None}
