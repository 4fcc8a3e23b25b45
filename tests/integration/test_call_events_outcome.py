"""What Exolve's Callback Call Events give: each call's outcome, events linked to their attempt
however late or early they come, what auditors see, and the sandbox's events end to end."""

from datetime import timedelta

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from callbacks import call_events, exolve
from callbacks.delivery import create, recording, sending, sweeper
from callbacks.models import AttemptResult, CallbackRequest, CallEvent, CallLeg, CallOutcome
from tests.helpers import wait_for
from tests.integration import call_event_data
from tests.integration.call_event_data import (
    connected_events,
    event,
    final,
    live_events_url,
    post,
)

pytestmark = pytest.mark.django_db

# The shared fixtures, bound here so that pytest applies them to this module.
events_secret = call_event_data.events_secret


placed = call_event_data.placed


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
            CallOutcome.FAILED,
        ),
        (
            lambda c: [
                event(c, "A", "s", 5),
                final(c, "B", 40, cause="18", hangup="NO_USER_RESPONSE"),
                final(c, "A", 41, talk_ms=1),
            ],
            CallOutcome.CONTACT_NO_ANSWER,
        ),
        (
            lambda c: [
                event(c, "A", "s", 5),
                final(c, "B", 40, cause="21", hangup="CALL_REJECTED"),
                final(c, "A", 41, talk_ms=1),
            ],
            CallOutcome.FAILED,
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
    CallbackRequest.objects.filter(pk=placed.pk).update(request_body=body, contact_leg="A")
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
    CallbackRequest.objects.filter(pk=placed.pk).update(
        call_outcome="", final_event_at=None, final_state=""
    )
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
    assert "Placed · connected" in page
    assert "<td>Agents</td><td>answered</td>" in page
    assert "<td>Contact</td><td>answered</td>" in page
    assert "Normal call clearing" in page
    contact_page = client.get(
        reverse("admin:callbacks_contact_change", args=[contact.pk])
    ).content.decode()
    assert '<span class="callback-outcome">Connected</span>' in contact_page
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
        ("agents_busy", CallOutcome.FAILED),
        ("contact_no_answer", CallOutcome.CONTACT_NO_ANSWER),
    ],
)
def test_the_sandboxs_events_through_the_real_endpoint_give_the_outcome(
    live_server, sandbox, contact, agent_group, staff_user, queued, scenario, outcome
):
    sandbox.configure(
        events_url=live_events_url(live_server),
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


def test_each_leg_keeps_its_earliest_answer_and_final_event_in_any_order(client, placed):
    for sent in [
        event(placed.call_id, "A", "s", 9),
        event(placed.call_id, "A", "s", 5),
        final(placed.call_id, "A", 70, talk_ms=1000),
        final(placed.call_id, "A", 60, talk_ms=54000),
        final(placed.call_id, "A", 80, talk_ms=2000),
    ]:
        post(client, sent)
    leg = CallLeg.objects.get(call_sid=placed.call_id, side="A")
    assert (leg.answered_at.second, leg.final_at.second) == (5, 0)  # 10:00:05 and 10:01:00
    first, _second = call_events.legs_of(placed)
    assert first.talk_seconds == 54
