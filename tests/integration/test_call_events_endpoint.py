"""Exolve's Callback Call Events endpoint and storage: the secret in the URL, malformed events,
events stored as sent and once only, and the secret kept out of the log."""

import io
import logging

import pytest

from callbacks.models import CallEvent
from callbacks_project.log_filters import RedactSecrets
from tests.integration import call_event_data
from tests.integration.call_event_data import SECRET, event, events_url, post

pytestmark = pytest.mark.django_db

# The shared autouse fixture, bound here so that pytest applies it to this module.
events_secret = call_event_data.events_secret


@pytest.mark.parametrize(
    ("configured", "used"), [(SECRET, "wrong-secret-0123456789abcdef"), ("", "anything")]
)
def test_anything_without_the_secret_is_forbidden_and_not_stored(
    client, settings, configured, used
):
    settings.EXOLVE_EVENTS_SECRET = configured
    response = post(client, event("cal-1", "A", "o", 0), secret=used)
    assert response.status_code == 403
    assert CallEvent.objects.count() == 0


def test_only_post_is_accepted(client):
    assert client.get(events_url()).status_code == 405


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{not json", "The body is not JSON"),
        ("[1, 2]", "must be a JSON object"),
        (
            {"event_side": "A", "type": "o", "date_time": "2026-11-28T10:00:00Z"},
            "“call_sid” must be a non-empty string",
        ),
        (
            {"call_sid": "cal-1", "event_side": "A", "type": "o", "date_time": "yesterday"},
            "RFC 3339",
        ),
        (
            {
                "call_sid": "cal-1",
                "event_side": "A",
                "type": "o",
                "date_time": "2026-13-01T10:00:00Z",
            },
            "RFC 3339",
        ),
        (
            {
                "call_sid": "x" * 101,
                "event_side": "A",
                "type": "o",
                "date_time": "2026-11-28T10:00:00Z",
            },
            "longer than 100",
        ),
    ],
)
def test_a_malformed_event_gets_400_with_the_reason(client, body, reason):
    response = post(client, body)
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert CallEvent.objects.count() == 0


def test_unknown_types_and_fields_are_stored_as_sent(client):
    sent = event("cal-1", "A", "x", 0, something_new={"nested": True})
    assert post(client, sent).json() == {"stored": True, "linked": False}
    (stored,) = CallEvent.objects.all()
    assert (stored.type, stored.payload) == ("x", sent)


def test_the_same_event_twice_is_one_row(client):
    sent = event("cal-1", "A", "s", 5)
    assert post(client, sent).json()["stored"] is True
    assert post(client, sent).json()["stored"] is False
    assert post(client, event("cal-1", "B", "s", 5)).json()["stored"] is True  # another leg
    assert CallEvent.objects.count() == 2


def test_the_secret_never_reaches_the_log(client):
    (console,) = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactSecrets) for f in h.filters)
    ]
    written = io.StringIO()
    previous = console.setStream(written)
    try:
        post(client, "{not json")  # Django logs the path of every 4xx it answers
    finally:
        console.setStream(previous)
    assert "Bad Request" in written.getvalue()
    assert SECRET not in written.getvalue()
    assert "[redacted]" in written.getvalue()
