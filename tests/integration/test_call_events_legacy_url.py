"""The old events URL, /exolve/events/<secret>/, during the migration period: it still takes
events, says in the log (without the secret) that the cabinet should be switched, can take a
secret of its own while the secret changes, and is gone once EXOLVE_EVENTS_LEGACY_URL is false."""

import pytest
from django.test import Client

from callbacks.models import CallEvent
from tests.integration import call_event_data, console_log
from tests.integration.call_event_data import SECRET, event, post, post_legacy

pytestmark = pytest.mark.django_db

# The shared fixtures, bound here so that pytest finds them in this module.
events_secret = call_event_data.events_secret
console = console_log.console
OLD_SECRET = "old-events-secret-0123456789abcdef"


def test_the_old_url_still_takes_events_and_asks_for_the_switch_in_the_log(console):
    # Exolve does not send a CSRF token: the old URL must be exempt as the new one is.
    client = Client(enforce_csrf_checks=True)
    response = post_legacy(client, event("cal-1", "A", "o", 0))
    assert response.json() == {"stored": True, "linked": False}
    assert CallEvent.objects.count() == 1
    assert "A call event came to the old events URL" in console.getvalue()
    assert SECRET not in console.getvalue()


def test_a_wrong_secret_in_the_old_url_is_forbidden(client):
    response = post_legacy(client, event("cal-1", "A", "o", 0), secret="wrong-0123456789abcdefghij")
    assert response.status_code == 403
    assert CallEvent.objects.count() == 0


def test_the_secret_in_the_old_url_never_reaches_the_log(client, console):
    post_legacy(client, "{not json")  # Django logs the path of every 4xx it answers
    assert "Bad Request" in console.getvalue()
    assert SECRET not in console.getvalue()
    assert "/exolve/events/[redacted]/" in console.getvalue()


def test_while_the_secret_changes_the_old_url_takes_the_old_one_and_the_header_the_new(
    client, settings
):
    settings.EXOLVE_EVENTS_LEGACY_SECRET = OLD_SECRET
    assert post_legacy(client, event("cal-1", "A", "o", 0), secret=OLD_SECRET).status_code == 200
    assert post_legacy(client, event("cal-1", "A", "s", 1), secret=SECRET).status_code == 403
    assert post(client, event("cal-1", "A", "h", 2), secret=OLD_SECRET).status_code == 401
    assert post(client, event("cal-1", "A", "d", 3)).status_code == 200
    assert list(CallEvent.objects.order_by("type").values_list("type", flat=True)) == ["d", "o"]


def test_once_the_migration_period_ends_the_old_url_is_not_found(client, settings):
    settings.EXOLVE_EVENTS_LEGACY_URL = False
    response = post_legacy(client, event("cal-1", "A", "o", 0))
    assert response.status_code == 404
    assert CallEvent.objects.count() == 0
    assert post(client, event("cal-1", "A", "o", 0)).status_code == 200
