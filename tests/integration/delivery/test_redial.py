"""Redials through the services on the real database: a placed callback whose call did not
connect is placed again as its group's policy says (a new round, a new attempt with its own
request_description), or ends with its final state and the reason; decided once, whatever events
come late, and never while the outcome is unknown."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from callbacks import call_events
from callbacks.delivery import sweeper
from callbacks.models import (
    AttemptResult,
    CallbackRequest,
    CallbackStatus,
    CallOutcome,
    ContactLeg,
    FinalState,
    RedialStop,
    WhenClosed,
    WorkingHours,
)
from tests.integration import call_event_data
from tests.integration.call_event_data import connected_events, event, final
from tests.integration.delivery.redials import (
    AGENTS_NO_ANSWER,
    CONTACT_NO_ANSWER,
    FAILED,
    KINDS,
    assert_ended,
    assert_redial_waiting,
    make_due,
    policy,
    receive,
    redial_contact,
    send,
)

pytestmark = pytest.mark.django_db

events_secret = call_event_data.events_secret
placed = call_event_data.placed


# The agents answered and hung up; the contact's leg has not rung yet: nothing is settled.
UNSETTLED = [event("{call}", "A", "o", 0), event("{call}", "A", "s", 4), final("{call}", "A", 9)]


def descriptions(sandbox):
    return [entry["body"]["request_description"] for entry in sandbox.received()]


def assert_outcome_and_redial(callback, outcome, redials):
    """The call's outcome, and a redial waiting, or the callback ended as the policy has none."""
    assert callback.call_outcome == outcome
    if redials:
        assert_redial_waiting(callback)
    else:
        assert_ended(callback, FinalState.NOT_REACHED, RedialStop.NOT_IN_POLICY)


# --- a redial -----------------------------------------------------------------------------------


def test_a_contact_no_answer_gives_a_redial_after_the_delay_and_a_new_attempt_of_its_own(
    placed, sandbox
):
    redial_contact(placed, delay=15)
    before = timezone.now()
    receive(placed, CONTACT_NO_ANSWER)
    assert_redial_waiting(placed)
    assert placed.call_outcome == CallOutcome.CONTACT_NO_ANSWER
    assert placed.placement_count == 1
    assert before + timedelta(minutes=15) <= placed.next_attempt_at
    assert placed.next_attempt_at <= timezone.now() + timedelta(minutes=15)
    # A new round: Exolve's transient errors get their own retries for this placement.
    assert (placed.round_first_attempt, placed.round_started_at) == (2, None)

    assert send(placed) is None  # not due yet
    assert sweeper.queue_due(timezone.now()) == 0
    make_due(placed)
    assert sweeper.queue_due(timezone.now()) == 1
    attempt = send(placed)
    assert attempt is not None
    assert placed.status == CallbackStatus.PLACED
    assert placed.placement_count == 2
    assert placed.call_outcome == ""  # the new call's, still to come
    first, second = placed.attempts.order_by("sequence")
    assert [first.result, second.result] == [AttemptResult.PLACED, AttemptResult.PLACED]
    assert second.request_description == f"{placed.request_description}-2"
    assert descriptions(sandbox) == [first.request_description, second.request_description]
    assert second.call_id == placed.call_id != first.call_id

    receive(placed, connected_events("{call}"))
    assert placed.final_state == FinalState.CONNECTED
    assert placed.redial_stop == ""


def test_a_redial_at_once_is_due_now(placed, sandbox):
    redial_contact(placed, delay=0)
    receive(placed, CONTACT_NO_ANSWER)
    assert_redial_waiting(placed)
    assert placed.next_attempt_at <= timezone.now()
    assert sweeper.queue_due(timezone.now()) == 1
    assert send(placed) is not None
    assert len(sandbox.received()) == 2


def test_a_connected_call_ends_connected(placed):
    redial_contact(placed)
    receive(placed, connected_events("{call}"))
    assert_ended(placed, FinalState.CONNECTED, "")


@pytest.mark.parametrize(
    ("events", "outcome", "kind"),
    [
        (CONTACT_NO_ANSWER, CallOutcome.CONTACT_NO_ANSWER, "contact_no_answer"),
        (AGENTS_NO_ANSWER, CallOutcome.AGENTS_NO_ANSWER, "agents_no_answer"),
        (FAILED, CallOutcome.FAILED, "failed"),
    ],
)
@pytest.mark.parametrize("its_own_policy", [True, False])
def test_each_outcome_redials_only_when_its_own_policy_says_so(
    placed, events, outcome, kind, its_own_policy
):
    redialled = {kind} if its_own_policy else set(KINDS) - {kind}
    policy(
        placed,
        max_attempts=3,
        **{f"redial_{each}": each in redialled for each in KINDS},
        **{f"redial_{each}_delay": 0 for each in KINDS},
    )
    receive(placed, events)
    assert_outcome_and_redial(placed, outcome, redials=its_own_policy)


def test_the_default_policy_never_redials(placed):
    receive(placed, CONTACT_NO_ANSWER)
    assert_ended(placed, FinalState.NOT_REACHED, RedialStop.NOT_IN_POLICY)


def test_the_attempts_used_end_it_not_reached(placed, sandbox):
    redial_contact(placed, delay=0, max_attempts=2)
    receive(placed, CONTACT_NO_ANSWER)
    assert_redial_waiting(placed)
    send(placed)
    receive(placed, CONTACT_NO_ANSWER)
    assert_ended(placed, FinalState.NOT_REACHED, RedialStop.ATTEMPTS_USED, placements=2)
    assert len(sandbox.received()) == 2


def test_a_redial_due_after_the_expiry_is_not_made(placed):
    redial_contact(placed, delay=90, expiry_hours=1)
    receive(placed, CONTACT_NO_ANSWER)
    assert_ended(placed, FinalState.EXPIRED, RedialStop.EXPIRED)


def test_a_callback_asked_for_longer_ago_than_the_expiry_is_not_redialled(placed):
    redial_contact(placed, delay=0, expiry_hours=2)
    CallbackRequest.objects.filter(pk=placed.pk).update(
        requested_at=timezone.now() - timedelta(hours=2, minutes=1)
    )
    receive(placed, CONTACT_NO_ANSWER)
    assert_ended(placed, FinalState.EXPIRED, RedialStop.EXPIRED)


def closed_now_open_in_two_hours(group):
    """Working hours, in UTC, from two to three hours from now, every day: closed now."""
    group.time_zone = "UTC"
    group.save()
    opens = (datetime.now(UTC) + timedelta(hours=2)).replace(second=0, microsecond=0)
    for weekday in range(7):
        WorkingHours.objects.create(
            agent_group=group,
            weekday=weekday,
            opens=opens.time(),
            closes=(opens + timedelta(hours=1)).time(),
        )
    return opens


def test_a_closed_group_that_gives_up_ends_it(placed):
    group = redial_contact(placed, delay=0, when_closed=WhenClosed.GIVE_UP)
    closed_now_open_in_two_hours(group)
    receive(placed, CONTACT_NO_ANSWER)
    assert_ended(placed, FinalState.NOT_REACHED, RedialStop.GROUP_CLOSED)


def test_a_closed_group_that_waits_redials_at_its_next_opening(placed):
    group = redial_contact(placed, delay=0, when_closed=WhenClosed.WAIT)
    opens = closed_now_open_in_two_hours(group)
    receive(placed, CONTACT_NO_ANSWER)
    assert_redial_waiting(placed)
    assert placed.next_attempt_at == opens


def test_a_test_call_is_never_redialled(placed):
    redial_contact(placed, delay=0)
    CallbackRequest.objects.filter(pk=placed.pk).update(is_test=True)
    receive(placed, CONTACT_NO_ANSWER)
    assert_ended(placed, FinalState.NOT_REACHED, RedialStop.TEST_CALL)


# --- decided once ------------------------------------------------------------------------------


def late_events_of(call_id):
    """Events of a call that come after its outcome: duplicates, and new ones that say someone
    answered after all."""
    return [
        *[{**sent, "call_sid": call_id} for sent in CONTACT_NO_ANSWER],
        event(call_id, "B", "s", 7),
        final(call_id, "B", 50, talk_ms=20000),
        final(call_id, "A", 51, talk_ms=30000),
    ]


def test_late_and_duplicated_events_of_the_first_call_change_nothing_after_the_redial(
    placed, sandbox
):
    redial_contact(placed, delay=5)
    first_call = placed.call_id
    receive(placed, CONTACT_NO_ANSWER)
    assert_redial_waiting(placed)
    decided = CallbackRequest.objects.values().get(pk=placed.pk)

    receive(placed, late_events_of(first_call))
    assert CallbackRequest.objects.values().get(pk=placed.pk) == decided

    make_due(placed)
    send(placed)
    receive(placed, late_events_of(first_call))
    assert placed.call_id != first_call
    assert (placed.status, placed.call_outcome, placed.final_state) == (
        CallbackStatus.PLACED,
        "",
        "",
    )
    receive(placed, CONTACT_NO_ANSWER)  # the second call's own events decide the next step
    assert_redial_waiting(placed)
    assert placed.placement_count == 2
    assert len(sandbox.received()) == 2


def test_events_after_a_final_state_change_nothing(placed):
    receive(placed, CONTACT_NO_ANSWER)
    assert_ended(placed, FinalState.NOT_REACHED, RedialStop.NOT_IN_POLICY)
    ended = CallbackRequest.objects.values().get(pk=placed.pk)
    redial_contact(placed, delay=0)  # a policy changed later does not reopen it either
    receive(placed, late_events_of(placed.call_id))
    assert CallbackRequest.objects.values().get(pk=placed.pk) == ended


def test_nothing_redials_while_the_outcome_is_not_settled(placed):
    # So far the call looks failed (the second leg never rang), but its events may be on the way.
    redial_contact(placed, delay=0, redial_failed=True, redial_failed_delay=0)
    receive(placed, UNSETTLED)
    assert (placed.status, placed.final_state, placed.redial_stop) == (
        CallbackStatus.PLACED,
        "",
        "",
    )
    assert sweeper.queue_due(timezone.now()) == 0


def test_an_early_end_of_a_leg_whose_answer_is_still_on_its_way_decides_nothing(placed):
    redial_contact(placed, delay=0, redial_failed=True, redial_failed_delay=60)
    answer, *others = [each for each in CONTACT_NO_ANSWER if each["type"] == "s"] + [
        each for each in CONTACT_NO_ANSWER if each["type"] != "s"
    ]
    receive(placed, others)  # so far the agents' leg looks unanswered: a failed call
    assert (placed.status, placed.final_state) == (CallbackStatus.PLACED, "")
    receive(placed, [answer])
    assert placed.call_outcome == CallOutcome.CONTACT_NO_ANSWER
    assert_redial_waiting(placed)
    assert placed.next_attempt_at <= timezone.now()  # the contact's delay, not the failed one's


def test_nothing_redials_when_no_outcome_is_received(placed, sandbox):
    redial_contact(placed, delay=0)
    later = placed.outcome_expected_by + timedelta(minutes=1)
    assert list(call_events.no_outcome_received(now=later)) == [placed]
    sweeper.sweep()
    assert sweeper.queue_due(later) == 0
    placed.refresh_from_db()
    assert (placed.status, placed.final_state, placed.placement_count) == (
        CallbackStatus.PLACED,
        "",
        1,
    )
    assert len(sandbox.received()) == 1


@pytest.mark.parametrize(
    ("contact_leg", "outcome", "redials"),
    [
        (ContactLeg.A, CallOutcome.CONTACT_NO_ANSWER, True),  # the contact was dialled first
        (ContactLeg.B, CallOutcome.AGENTS_NO_ANSWER, False),  # the agents were
    ],
)
def test_the_contacts_leg_recorded_on_the_callback_says_who_did_not_answer(
    placed, contact_leg, outcome, redials
):
    redial_contact(placed, delay=0)  # after the contact's no answer only
    CallbackRequest.objects.filter(pk=placed.pk).update(contact_leg=contact_leg)
    receive(placed, AGENTS_NO_ANSWER)  # leg A rang and nobody answered
    assert_outcome_and_redial(placed, outcome, redials)
