"""What the web process's console handler (Django's LOGGING, with its redacting filter) writes:
import `console` into a test module to read it."""

import io
import logging

import pytest

from callbacks_project.log_filters import RedactSecrets


@pytest.fixture
def console():
    """The console handler's output while the test runs, as a StringIO."""
    (handler,) = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactSecrets) for f in h.filters)
    ]
    written = io.StringIO()
    previous = handler.setStream(written)
    yield written
    handler.setStream(previous)
