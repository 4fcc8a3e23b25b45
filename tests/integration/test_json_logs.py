"""LOG_FORMAT=json in the web process (and the services it shares with the worker): one JSON
object per line, carrying the request's id and the callback's where known, and no secret. (The
worker's and beat's lines: tests/system/test_json_logs.py.)"""

import logging
import re
from datetime import time, timedelta
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from callbacks import exolve
from callbacks.delivery import replan, sending, staff_actions, sweeper
from callbacks.models import CallbackRequest, WorkingHours
from tests.admin_pages import call_back_url
from tests.integration import call_event_data, console_log

pytestmark = pytest.mark.django_db

EVENTS_SECRET = "events-secret-for-json-lines-0123456789"
NEW_ID = re.compile(r"[0-9a-f]{32}")  # a uuid4's hex
json_console = console_log.json_console
placed = call_event_data.placed


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


def test_the_send_threads_lines_carry_the_callback_id(callback, sandbox, queued, json_console):
    """The send runs in a thread of its own, where the task's context does not reach."""
    with mock.patch.object(exolve.ExolveClient, "make_callback", side_effect=RuntimeError("boom")):
        sending.send_callback(callback.pk)
    failed = line_starting(json_console, f"Callback {callback.pk}: sending failed unexpectedly")
    assert failed["callback_id"] == callback.pk
    assert "RuntimeError: boom" in failed["exc_info"]
    recorded = line_starting(json_console, f"Callback {callback.pk} attempt 1: unknown")
    assert recorded["callback_id"] == callback.pk


def test_a_staff_action_carries_the_callback_id(callback, staff_user, json_console):
    staff_actions.cancel_callback(callback, staff_user)
    cancelled = line_starting(json_console, f"Callback {callback.pk} cancelled")
    assert cancelled["callback_id"] == callback.pk
    logging.getLogger("callbacks.anything").info("after the action")
    assert "callback_id" not in line_starting(json_console, "after the action")


def test_the_sweepers_give_up_names_the_callback(callback, settings, json_console):
    sending.claim([callback.pk], timezone.now())  # and then the worker died
    settings.CALLBACK_LOST_AFTER = 30
    assert sweeper.give_up_lost_sends(timezone.now() + timedelta(seconds=31)) == 1
    given_up = line_starting(json_console, f"Callback {callback.pk} attempt 1: no answer recorded")
    assert (given_up["level"], given_up["callback_id"]) == ("WARNING", callback.pk)
    assert "callback_id" not in line_starting(json_console, "Sweeper marked 1 lost send(s)")


def test_re_planning_names_each_callback(callback, agent_group, queued, json_console):
    later = timezone.localdate() + timedelta(days=2)
    WorkingHours.objects.create(
        agent_group=agent_group, weekday=later.weekday(), opens=time(10, 0), closes=time(11, 0)
    )
    assert replan.replan_waiting(agent_group) == 1
    moved = line_starting(json_console, f"Callback {callback.pk} re-planned: due at ")
    assert moved["callback_id"] == callback.pk


def test_a_call_event_linked_to_its_call_names_the_callback(client, placed, json_console):
    event = call_event_data.event(placed.call_id, "A", "o", 0)
    response = call_event_data.post(client, event, secret=EVENTS_SECRET)
    assert response.status_code == 200
    linked = line_starting(json_console, f"Call event {placed.call_id} A o: linked")
    assert linked["callback_id"] == placed.pk
    assert linked["request_id"] == response.headers["X-Request-ID"]
