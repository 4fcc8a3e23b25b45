"""The web process's log lines carry no secret: not in a message, its arguments, a traceback or a
stack, and no URL's password. (The worker's and beat's: tests/system/test_secrets_in_output.py.)"""

import logging

import pytest

from tests.integration import console_log

console = console_log.console

EVENTS_SECRET = "events-secret-for-the-log-0123456789"


@pytest.fixture(autouse=True)
def secrets(settings):
    settings.EXOLVE_EVENTS_SECRET = EVENTS_SECRET
    return settings.EXOLVE_API_KEY, EVENTS_SECRET


def test_a_traceback_carrying_the_secrets_is_redacted(console, secrets):
    key, secret = secrets
    try:
        raise RuntimeError(f"Exolve refused {key} for {secret}")
    except RuntimeError:
        logging.getLogger("callbacks.anything").exception("sending failed")
    written = console.getvalue()
    assert "Traceback (most recent call last)" in written
    assert "RuntimeError: Exolve refused [redacted] for [redacted]" in written
    assert key not in written
    assert secret not in written


def test_a_traceback_without_a_secret_keeps_its_exception(console):
    """Only a record that carried a secret loses its exception object (a formatter could render
    it again); any other keeps it for handlers that read it."""
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, None)
    try:
        raise ValueError("nothing secret")
    except ValueError as error:
        record.exc_info = (ValueError, error, error.__traceback__)
    logging.getLogger("callbacks.anything").handle(record)
    assert record.exc_info is not None
    assert "ValueError: nothing secret" in console.getvalue()


def test_the_secrets_in_arguments_are_redacted(console, secrets):
    key, secret = secrets
    logging.getLogger("callbacks.anything").warning("key %s secret %s", key, secret)
    assert "key [redacted] secret [redacted]" in console.getvalue()
    assert key not in console.getvalue()
    assert secret not in console.getvalue()


def test_a_stack_carrying_a_secret_is_redacted(console, secrets):
    key, secret = secrets
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "where from", None, None)
    record.stack_info = f"Stack (most recent call last):\n  send({key!r}, {secret!r})"
    logging.getLogger("callbacks.anything").handle(record)
    assert "send('[redacted]', '[redacted]')" in console.getvalue()
    assert key not in console.getvalue()
    assert secret not in console.getvalue()


def test_the_metrics_token_is_redacted(console, settings):
    settings.METRICS_TOKEN = "metrics-token-for-the-log-0123"
    logging.getLogger("callbacks.anything").warning("scraped with %s", settings.METRICS_TOKEN)
    assert "scraped with [redacted]" in console.getvalue()


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:broker-pass-42@redis:6379/0", "redis://:[redacted]@redis:6379/0"),
        ("postgres://callbacks:db-pass-42@db:5432/x", "postgres://callbacks:[redacted]@db:5432/x"),
        ("https://exolve:anything-at-all@host/exolve/events/", "https://exolve:[redacted]@host/"),
    ],
)
def test_a_urls_password_is_redacted(console, url, shown):
    logging.getLogger("callbacks.anything").warning("cannot reach %s", url)
    assert shown in console.getvalue()
    assert url.split(":")[2].split("@")[0] not in console.getvalue()


def test_a_url_without_a_password_is_left_alone(console):
    logging.getLogger("callbacks.anything").warning("see https://api.exolve.ru:443/call/v1 @ 5")
    assert "see https://api.exolve.ru:443/call/v1 @ 5" in console.getvalue()


def test_a_log_call_whose_arguments_do_not_fit_writes_no_secret(console, secrets, capsys):
    """logging prints such a record's message and arguments to stderr (Handler.handleError)."""
    key, secret = secrets
    message = "key " + key + " %d"  # a message built before the call, as careless code does
    logging.getLogger("callbacks.anything").warning(message, secret)
    written = console.getvalue() + capsys.readouterr().err
    assert key not in written
    assert secret not in written
