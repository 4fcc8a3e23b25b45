"""Exolve's Callback Call Events as the tests send them: the endpoint's secret (set in every module
that binds events_secret), events as the provider's page shows them, and posting them to us, by
the URL set in Exolve's cabinet (its secret in the Authorization header) or the old one (in the
path)."""

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

SECRET = "events-secret-0123456789abcdef"


@pytest.fixture(autouse=True)
def events_secret(settings):
    settings.EXOLVE_EVENTS_SECRET = SECRET


@pytest.fixture
def placed(contact, agent_group, staff_user, sandbox, queued):
    """A callback Exolve accepted: it has its call id."""
    from callbacks.delivery import create, sending

    callback = create.create_callback(
        contact=contact, agent_group=agent_group, requested_by=staff_user
    )
    sending.send_callback(callback.pk)
    callback.refresh_from_db()
    assert callback.call_id
    return callback


def events_url():
    return reverse("exolve_events")


def legacy_events_url(secret=SECRET):
    """The old form, the secret in the path (EXOLVE_EVENTS_LEGACY_URL)."""
    return reverse("exolve_events_legacy", args=[secret])


def live_events_url(live_server, secret=SECRET):
    """The URL as set in Exolve's cabinet: its user-info goes as a Basic Authorization header."""
    scheme, _, host = live_server.url.partition("://")
    return f"{scheme}://exolve:{secret}@{host}{events_url()}"


def basic_credentials(secret=SECRET, user="exolve"):
    token = base64.b64encode(f"{user}:{secret}".encode()).decode()
    return f"Basic {token}"


def post(client, body, secret=SECRET):
    """POST an event as Exolve does, its secret in the Authorization header."""
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(
        events_url(),
        raw,
        content_type="application/json",
        headers={"Authorization": basic_credentials(secret)},
    )


def post_legacy(client, body, secret=SECRET):
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(legacy_events_url(secret), raw, content_type="application/json")


def event(call_id, side, kind, at, **fields):
    """An event as the provider's page shows it; `at` is seconds after a fixed start."""
    moment = (datetime(2026, 11, 28, 10, 0, tzinfo=UTC) + timedelta(seconds=at)).isoformat()
    return {
        "service": "callback",
        "date_time": moment.replace("+00:00", "Z"),
        "call_sid": call_id,
        "number": "79991112233",
        "type": kind,
        "uid": 7149714791827935000,
        "application_uuid": "178ec145-6898-4b06-a92a-75f63cb57046",
        "customer_id": 25513,
        "event_side": side,
        "record_call": False,
        **fields,
    }


def final(call_id, side, at, cause="16", hangup="NORMAL_CLEARING", talk_ms=0):
    return event(
        call_id,
        side,
        "d",
        at,
        hangup_cause=hangup,
        cause=cause,
        duration=talk_ms,
        started="2026-11-28T10:00:01Z",
    )


CONNECTED = [("A", "o", 0), ("A", "s", 5), ("B", "o", 6), ("B", "s", 12)]


def connected_events(call_id):
    return [event(call_id, side, kind, at) for side, kind, at in CONNECTED] + [
        final(call_id, "A", 60, talk_ms=54000),
        final(call_id, "B", 60, talk_ms=48000),
    ]
