"""Exolve's Callback Call Events: the endpoint, storage, linking and the outcome they give."""

import io
import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from callbacks import call_events, exolve
from callbacks.delivery import create, recording, sending, sweeper
from callbacks.models import AttemptResult, CallbackRequest, CallEvent, CallOutcome
from callbacks_project.log_filters import RedactSecrets
from tests.helpers import wait_for

pytestmark = pytest.mark.django_db
SECRET = "events-secret-0123456789abcdef"


@pytest.fixture(autouse=True)
def events_secret(settings):
    settings.EXOLVE_EVENTS_SECRET = SECRET


def events_url(secret=SECRET):
    return reverse("exolve_events", args=[secret])


def post(client, body, secret=SECRET):
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(events_url(secret), raw, content_type="application/json")


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


@pytest.fixture
def placed(contact, agent_group, staff_user, sandbox, queued):
    callback = create.create_callback(
        contact=contact, agent_group=agent_group, requested_by=staff_user
    )
    sending.send_callback(callback.pk)
    callback.refresh_from_db()
    assert callback.call_id
    return callback


CONNECTED = [("A", "o", 0), ("A", "s", 5), ("B", "o", 6), ("B", "s", 12)]


def connected_events(call_id):
    return [event(call_id, side, kind, at) for side, kind, at in CONNECTED] + [
        final(call_id, "A", 60, talk_ms=54000),
        final(call_id, "B", 60, talk_ms=48000),
    ]


# --- the endpoint --------------------------------------------------------------------------


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


# --- outcomes -----------------------------------------------------------------------------------


def test_a_connected_call_in_any_order_and_with_duplicates(client, placed):
    events = connected_events(placed.call_id)
    for sent in [*reversed(events), events[0], events[-1]]:
        assert post(client, sent).status_code == 200
    placed.refresh_from_db()
    assert placed.call_outcome == CallOutcome.CONNECTED
    assert placed.final_event_at is not None
    first, second = call_events.legs_of(placed)
    assert (first.answered, first.talk_seconds, second.talk_seconds) == (True, 54, 48)
    assert (second.hangup_cause, str(second.cause_text)) == (
        "NORMAL_CLEARING",
        "Normal call clearing",
    )
    assert CallEvent.objects.filter(attempt__callback=placed).count() == 6


@pytest.mark.parametrize(
    ("events", "outcome"),
    [
        (
            lambda c: [event(c, "A", "o", 0), final(c, "A", 30, cause="19", hangup="NO_ANSWER")],
            CallOutcome.AGENTS_NO_ANSWER,
        ),
        (
            lambda c: [final(c, "A", 2, cause="17", hangup="USER_BUSY")],
            CallOutcome.AGENTS_NO_ANSWER,
        ),
        (
            lambda c: [
                event(c, "A", "s", 5),
                final(c, "B", 40, cause="17", hangup="USER_BUSY"),
                final(c, "A", 41, talk_ms=1),
            ],
            CallOutcome.CONTACT_NO_ANSWER,
        ),
        (
            lambda c: [final(c, "A", 1, cause="38", hangup="NETWORK_OUT_OF_ORDER")],
            CallOutcome.FAILED,
        ),
        (
            lambda c: [event(c, "A", "s", 5), final(c, "A", 20, talk_ms=15000)],
            CallOutcome.FAILED,
        ),  # B never rang
    ],
)
def test_the_outcome_of_each_kind_of_call(client, placed, events, outcome):
    for sent in events(placed.call_id):
        post(client, sent)
    placed.refresh_from_db()
    assert placed.call_outcome == outcome


def test_with_the_contact_dialled_first_a_silent_first_leg_is_the_contact(client, placed):
    body = placed.request_body
    body["line_1"], body["line_2"] = body["line_2"], body["line_1"]
    CallbackRequest.objects.filter(pk=placed.pk).update(request_body=body)
    post(client, final(placed.call_id, "A", 30, cause="19", hangup="NO_ANSWER"))
    placed.refresh_from_db()
    assert placed.call_outcome == CallOutcome.CONTACT_NO_ANSWER


def test_an_impossible_time_inside_an_event_does_not_stop_the_outcome(client, placed):
    broken = final(placed.call_id, "A", 60, talk_ms=54000) | {"started": "2026-02-30T10:00:00Z"}
    for sent in [
        *connected_events(placed.call_id)[:4],
        broken,
        final(placed.call_id, "B", 60, talk_ms=48000),
    ]:
        assert post(client, sent).status_code == 200
    placed.refresh_from_db()
    assert placed.call_outcome == CallOutcome.CONNECTED
    assert placed.final_event_at is not None


def test_a_call_is_final_only_when_every_leg_that_rang_has_ended(client, placed):
    for sent in [
        *connected_events(placed.call_id)[:4],
        final(placed.call_id, "B", 60, talk_ms=48000),
    ]:
        post(client, sent)
    placed.refresh_from_db()
    assert (placed.call_outcome, placed.final_event_at) == (
        CallOutcome.CONNECTED,
        None,
    )  # A's end is still to come
    post(client, final(placed.call_id, "A", 61, talk_ms=54000))
    placed.refresh_from_db()
    assert placed.final_event_at is not None


def test_an_unfinished_call_has_no_outcome_yet(client, placed):
    post(client, event(placed.call_id, "A", "s", 5))
    placed.refresh_from_db()
    assert (placed.call_outcome, placed.final_event_at) == ("", None)


# --- linking ------------------------------------------------------------------------------------


def test_events_that_come_before_the_call_id_is_recorded_are_linked_when_it_is(
    client, contact, agent_group, staff_user, queued
):
    callback = create.create_callback(
        contact=contact, agent_group=agent_group, requested_by=staff_user
    )
    [attempt] = sending.claim([callback.pk], timezone.now())
    for sent in connected_events("cal-early"):
        assert post(client, sent).json() == {"stored": True, "linked": False}
    recording.record(
        attempt, exolve.Answer(AttemptResult.PLACED, http_status=200, call_id="cal-early")
    )
    callback.refresh_from_db()
    assert callback.call_outcome == CallOutcome.CONNECTED
    assert CallEvent.objects.filter(attempt=attempt).count() == 6


def test_the_sweeper_links_events_that_raced_the_call_id(client, placed):
    for sent in connected_events(placed.call_id):
        post(client, sent)
    CallEvent.objects.update(attempt=None)  # as if each came just before the call id was committed
    CallbackRequest.objects.filter(pk=placed.pk).update(call_outcome="", final_event_at=None)
    assert sweeper.sweep()["events_linked"] == 1
    placed.refresh_from_db()
    assert placed.call_outcome == CallOutcome.CONNECTED


def test_a_placed_call_without_its_final_event_is_flagged_long_after_it_must_have_ended(
    client, placed, settings
):
    assert placed.outcome_expected_by > placed.finished_at + timedelta(
        seconds=placed.request_body["duration"]
    )
    later = placed.outcome_expected_by + timedelta(seconds=1)
    assert list(call_events.no_outcome_received(now=later)) == [placed]
    assert (
        list(call_events.no_outcome_received(now=placed.outcome_expected_by - timedelta(seconds=1)))
        == []
    )
    post(client, final(placed.call_id, "A", 30, cause="19", hangup="NO_ANSWER"))
    assert list(call_events.no_outcome_received(now=later)) == []


# --- what people see ----------------------------------------------------------------------------


def test_auditors_see_the_outcome_and_each_leg_on_the_request_the_contact_and_the_history(
    client, placed, auditor, contact
):
    for sent in connected_events(placed.call_id):
        post(client, sent)
    client.force_login(auditor)
    page = client.get(
        reverse("admin:callbacks_callbackrequest_change", args=[placed.pk])
    ).content.decode()
    assert "Connected" in page
    assert "A (agents)" in page
    assert "B (contact)" in page
    assert "Normal call clearing" in page
    contact_page = client.get(
        reverse("admin:callbacks_contact_change", args=[contact.pk])
    ).content.decode()
    assert '<td class="callback-outcome">Connected</td>' in contact_page
    history = reverse("admin:callbacks_callbackrequest_changelist")
    assert placed.call_id in client.get(history + "?call_outcome__exact=connected").content.decode()
    assert (
        placed.call_id not in client.get(history + "?call_outcome__exact=failed").content.decode()
    )
    events = client.get(
        reverse("admin:callbacks_callevent_changelist") + f"?q={placed.call_id}"
    ).content.decode()
    assert events.count(placed.call_id) >= 6
    assert (
        client.post(
            reverse("admin:callbacks_callevent_delete", args=[CallEvent.objects.first().pk])
        ).status_code
        == 403
    )


def test_the_history_flags_a_placed_call_whose_outcome_never_came(client, placed, auditor):
    CallbackRequest.objects.filter(pk=placed.pk).update(
        outcome_expected_by=timezone.now() - timedelta(minutes=1)
    )
    client.force_login(auditor)
    flagged = client.get(
        reverse("admin:callbacks_callbackrequest_changelist") + "?no_outcome=1"
    ).content.decode()
    assert placed.call_id in flagged
    assert "No outcome received" in flagged
    post(client, final(placed.call_id, "A", 30, cause="19", hangup="NO_ANSWER"))
    flagged = client.get(
        reverse("admin:callbacks_callbackrequest_changelist") + "?no_outcome=1"
    ).content.decode()
    assert placed.call_id not in flagged


@pytest.mark.django_db(
    transaction=True, serialized_rollback=True
)  # the live server reads committed rows
@pytest.mark.parametrize(
    ("scenario", "outcome"),
    [
        ("connected", CallOutcome.CONNECTED),
        ("agents_busy", CallOutcome.AGENTS_NO_ANSWER),
        ("contact_no_answer", CallOutcome.CONTACT_NO_ANSWER),
    ],
)
def test_the_sandboxs_events_through_the_real_endpoint_give_the_outcome(
    live_server, sandbox, contact, agent_group, staff_user, queued, scenario, outcome
):
    sandbox.configure(
        events_url=f"{live_server.url}{events_url()}",
        scenario=scenario,
        events_delay_ms=0,
        duplicate_events=True,
        shuffle_events=True,
    )
    callback = create.create_callback(
        contact=contact, agent_group=agent_group, requested_by=staff_user
    )
    sending.send_callback(callback.pk)

    def settled():
        callback.refresh_from_db()
        return callback.call_outcome == outcome and callback.final_event_at is not None

    assert wait_for(settled, 15), (callback.call_outcome, callback.final_event_at)
    # The test's database goes when it ends: let the sandbox finish posting the duplicates first.
    sent = []

    def sandbox_done():
        sent.append(len(requests.get(f"{sandbox.url}/_sandbox/events", timeout=5).json()["events"]))
        return len(sent) > 5 and len(set(sent[-5:])) == 1

    assert wait_for(sandbox_done, 15, interval=0.2)
