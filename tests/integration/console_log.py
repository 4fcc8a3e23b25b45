"""What the web process's console handler (Django's LOGGING, with its redacting filter) writes:
import `console` into a test module to read it, or `json_console` to read it as LOG_FORMAT=json
makes it."""

import io
import json
import logging
import logging.config

import pytest

from callbacks_project.log_filters import RedactSecrets


def _handler():
    (handler,) = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactSecrets) for f in h.filters)
    ]
    return handler


@pytest.fixture
def console():
    """The console handler's output while the test runs, as a StringIO."""
    written = io.StringIO()
    previous = _handler().setStream(written)
    yield written
    _handler().setStream(previous)


@pytest.fixture
def json_console():
    """The web's LOGGING as LOG_FORMAT=json builds it, in force while the test runs, and what its
    console handler writes, as a StringIO; then the settings' LOGGING again, on the same stream."""
    from django.conf import settings

    from callbacks_project.log_config import logging_config

    stream = _handler().stream
    logging.config.dictConfig(logging_config("json", "INFO"))
    written = io.StringIO()
    _handler().setStream(written)
    yield written
    logging.config.dictConfig(settings.LOGGING)
    _handler().setStream(stream)


def json_lines(text):
    """Every line of the text, each of which must be one JSON object."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def line_starting(text, start):
    """The one JSON line whose message starts so."""
    (line,) = [line for line in json_lines(text) if line["message"].startswith(start)]
    return line
