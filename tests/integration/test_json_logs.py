"""LOG_FORMAT=json in the web process (and the services it shares with the worker): one JSON
object per line, carrying the request's id and the callback's where known, and no secret. (The
worker's and beat's lines: tests/system/test_json_logs.py.)"""

import logging
import re
from unittest import mock

import pytest
from django.conf import settings as django_settings

from callbacks.models import CallbackRequest
from tests.admin_pages import call_back_url
from tests.integration import console_log

pytestmark = pytest.mark.django_db

EVENTS_SECRET = "events-secret-for-json-lines-0123456789"
NEW_ID = re.compile(r"[0-9a-f]{32}")  # a uuid4's hex
json_console = console_log.json_console


def lines(written):
    return console_log.json_lines(written.getvalue())


def line_starting(written, start):
    return console_log.line_starting(written.getvalue(), start)


@pytest.fixture(autouse=True)
def events_secret(settings):
    settings.EXOLVE_EVENTS_SECRET = EVENTS_SECRET


def assert_no_secret(written):
    assert django_settings.EXOLVE_API_KEY not in written.getvalue()
    assert EVENTS_SECRET not in written.getvalue()


def test_a_press_of_call_back_logs_its_request_and_callback_ids(
    client, staff_user, contact, agent_group, queued, json_console
):
    client.force_login(staff_user)
    response = client.post(call_back_url(contact), {"agent_group": agent_group.pk})
    assert response.status_code == 302
    callback = CallbackRequest.objects.get()
    request_id = response.headers["X-Request-ID"]
    assert NEW_ID.fullmatch(request_id)
    assert line_starting(json_console, f"Callback {callback.pk} by user") == {
        "time": mock.ANY,
        "level": "INFO",
        "logger": "callbacks.delivery.create",
        "message": f"Callback {callback.pk} by user {staff_user.pk}: pending",
        "request_id": request_id,
        "callback_id": callback.pk,
    }
    assert_no_secret(json_console)


def test_a_proxys_request_id_is_kept(
    client, staff_user, contact, agent_group, queued, json_console
):
    client.force_login(staff_user)
    response = client.post(
        call_back_url(contact),
        {"agent_group": agent_group.pk},
        headers={"X-Request-ID": "edge-7f3a_01"},
    )
    callback = CallbackRequest.objects.get()
    assert response.headers["X-Request-ID"] == "edge-7f3a_01"
    assert line_starting(json_console, f"Callback {callback.pk} by")["request_id"] == "edge-7f3a_01"


@pytest.mark.parametrize(
    "sent",
    ["two words", "x" * 65, "id;drop", "é", "tests-only-exolve-key", EVENTS_SECRET],
    ids=["space", "too-long", "punctuation", "non-ascii", "the-api-key", "the-events-secret"],
)
def test_a_bad_request_id_is_replaced(client, json_console, settings, sent):
    settings.EXOLVE_API_KEY = "tests-only-exolve-key"
    response = client.get("/no-such-page/", headers={"X-Request-ID": sent})
    assert response.status_code == 404
    request_id = response.headers["X-Request-ID"]
    assert NEW_ID.fullmatch(request_id)
    # Django writes its 4xx line after the middleware has returned: the id is still on it.
    assert line_starting(json_console, "Not Found: /no-such-page/")["request_id"] == request_id
    assert sent not in json_console.getvalue()


def test_the_old_events_urls_secret_is_on_no_line(client, json_console):
    """Django's 4xx line carries the request on its record, whose path holds the secret: only the
    fields of a JSON line are written, and its message is redacted."""
    response = client.post(
        f"/exolve/events/{EVENTS_SECRET}/", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    bad_request = line_starting(json_console, "Bad Request: ")
    assert bad_request["message"] == "Bad Request: /exolve/events/[redacted]/"
    assert bad_request["request_id"] == response.headers["X-Request-ID"]
    assert "callback_id" not in bad_request
    assert_no_secret(json_console)


def test_a_traceback_is_the_lines_exc_info_without_the_secrets(json_console):
    try:
        raise RuntimeError(f"Exolve refused {django_settings.EXOLVE_API_KEY} for {EVENTS_SECRET}")
    except RuntimeError:
        logging.getLogger("callbacks.anything").exception("sending failed")
    (line,) = lines(json_console)
    assert line["message"] == "sending failed"
    assert line["exc_info"].startswith("Traceback (most recent call last):")
    assert line["exc_info"].endswith("RuntimeError: Exolve refused [redacted] for [redacted]")
    assert_no_secret(json_console)
