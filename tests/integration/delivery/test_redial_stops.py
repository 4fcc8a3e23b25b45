"""Anything that would stop a press stops a redial: at its claim (the do-not-call list, the group
deactivated, the contact's numbers changed, the expiry passed), each recorded with its reason and
nothing sent; staff cancel one waiting; and staff may place again a callback not reached."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from callbacks.delivery import staff_actions
from callbacks.models import (
    AgentGroup,
    CallbackRequest,
    CallbackStatus,
    ContactNumber,
    DoNotCallNumber,
    FinalState,
    RedialStop,
)
from tests.integration import call_event_data
from tests.integration.call_event_data import connected_events
from tests.integration.delivery.redials import (
    CONTACT_NO_ANSWER,
    assert_ended,
    assert_redial_waiting,
    make_due,
    receive,
    redial_contact,
    send,
)

pytestmark = pytest.mark.django_db

events_secret = call_event_data.events_secret
placed = call_event_data.placed


# --- stopped at the claim ------------------------------------------------------------------------


def on_do_not_call_list(callback):
    DoNotCallNumber.objects.create(number=callback.numbers.first().number)


def group_deactivated(callback):
    AgentGroup.objects.filter(pk=callback.agent_group_id).update(is_active=False)


def numbers_changed(callback):
    ContactNumber.objects.filter(contact_id=callback.contact_id).first().delete()


def expiry_passed(callback):
    expiry = callback.agent_group.expiry
    CallbackRequest.objects.filter(pk=callback.pk).update(
        requested_at=timezone.now() - expiry - timedelta(minutes=1)
    )


@pytest.mark.parametrize(
    ("stop", "final_state", "reason"),
    [
        (on_do_not_call_list, FinalState.NOT_REACHED, RedialStop.DO_NOT_CALL),
        (group_deactivated, FinalState.NOT_REACHED, RedialStop.GROUP_INACTIVE),
        (numbers_changed, FinalState.NOT_REACHED, RedialStop.NUMBER_CHANGED),
        (expiry_passed, FinalState.EXPIRED, RedialStop.EXPIRED),
    ],
)
def test_a_redial_stopped_at_its_claim_records_why_and_sends_nothing(
    placed, sandbox, stop, final_state, reason
):
    redial_contact(placed, delay=5)
    receive(placed, CONTACT_NO_ANSWER)
    assert_redial_waiting(placed)
    stop(placed)
    make_due(placed)
    assert send(placed) is None
    assert_ended(placed, final_state, reason)
    assert placed.next_attempt_at is None
    assert len(sandbox.received()) == 1
    assert send(placed) is None  # and stays stopped
    assert len(sandbox.received()) == 1


def test_a_cancelled_redial_is_never_sent(placed, sandbox, staff_user):
    redial_contact(placed, delay=5)
    receive(placed, CONTACT_NO_ANSWER)
    staff_actions.cancel_callback(placed, staff_user)
    make_due(placed)
    assert send(placed) is None
    placed.refresh_from_db()
    assert (placed.status, placed.final_state, placed.redial_stop) == (
        CallbackStatus.CANCELLED,
        FinalState.CANCELLED,
        RedialStop.CANCELLED,
    )
    assert placed.attempts.count() == 1
    assert len(sandbox.received()) == 1


def test_staff_place_again_a_callback_not_reached(placed, sandbox, staff_user):
    redial_contact(placed, delay=0, max_attempts=1)
    receive(placed, CONTACT_NO_ANSWER)
    assert_ended(placed, FinalState.NOT_REACHED, RedialStop.ATTEMPTS_USED)
    staff_actions.place_again(placed, staff_user)
    placed.refresh_from_db()
    assert (placed.status, placed.placement_count, placed.final_state, placed.redial_stop) == (
        CallbackStatus.PENDING,
        0,
        "",
        "",
    )
    assert placed.decided_by == staff_user
    assert send(placed) is not None
    assert (placed.status, placed.placement_count) == (CallbackStatus.PLACED, 1)
    assert len(sandbox.received()) == 2
    with pytest.raises(ValidationError, match="not reached"):
        staff_actions.place_again(placed, staff_user)  # placed, its outcome still to come


def test_a_connected_callback_cannot_be_placed_again(placed, staff_user):
    receive(placed, connected_events("{call}"))
    with pytest.raises(ValidationError):
        staff_actions.place_again(placed, staff_user)
    assert_ended(placed, FinalState.CONNECTED, "")
