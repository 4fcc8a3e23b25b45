"""Exolve's Callback Call Events endpoint and storage: the secret in the Authorization header,
malformed events, events stored as sent and once only. The old URL, the secret in the path, is
tested in test_call_events_legacy_url.py."""

import pytest

from callbacks.models import CallEvent
from tests.integration import call_event_data
from tests.integration.call_event_data import SECRET, basic_credentials, event, events_url, post

pytestmark = pytest.mark.django_db

# The shared autouse fixture, bound here so that pytest applies it to this module.
events_secret = call_event_data.events_secret


def test_the_secret_in_the_authorization_header_is_taken_as_basic_or_bearer(client):
    sent = event("cal-1", "A", "o", 0)
    assert post(client, sent).json()["stored"] is True  # Basic, as the cabinet's URL makes it
    for authorization in (f"Bearer {SECRET}", basic_credentials(user="anyone")):
        response = client.post(
            events_url(),
            sent,
            content_type="application/json",
            headers={"Authorization": authorization},
        )
        assert response.status_code == 200
    assert CallEvent.objects.count() == 1


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        basic_credentials("wrong-secret-0123456789abcdef"),
        basic_credentials(user=SECRET, secret=""),  # the secret as the user name is no password
        f"Bearer {SECRET[:-1]}",
        f"Basic {SECRET}",  # not base64
        f"Digest {SECRET}",
        SECRET,
    ],
)
def test_without_the_secret_in_the_authorization_header_it_is_401_and_not_stored(
    client, authorization
):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.post(
        events_url(), event("cal-1", "A", "o", 0), content_type="application/json", headers=headers
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="Exolve call events"'
    assert CallEvent.objects.count() == 0


def test_without_a_configured_secret_everything_is_forbidden(client, settings):
    settings.EXOLVE_EVENTS_SECRET = ""
    assert post(client, event("cal-1", "A", "o", 0), secret="").status_code == 403
    assert CallEvent.objects.count() == 0


def test_only_post_is_accepted(client):
    response = client.get(events_url(), headers={"Authorization": basic_credentials()})
    assert response.status_code == 405


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
