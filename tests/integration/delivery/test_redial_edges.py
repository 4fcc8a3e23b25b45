"""Redials at the edges the review found: another callback to the contact already on its way,
hours re-planned under a waiting redial, a redial Exolve refuses, placing again after the contact's
numbers changed, and a contact's new time zone."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from callbacks.delivery import create, staff_actions
from callbacks.delivery.replan import replan_contact, replan_waiting
from callbacks.models import (
    CallbackRequest,
    CallbackStatus,
    CallEvent,
    ContactNumber,
    FinalState,
    RedialStop,
)
from tests.integration import call_event_data
from tests.integration.delivery.redials import (
    CONTACT_NO_ANSWER,
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


def test_no_redial_while_staff_scheduled_another_callback_to_the_contact(
    placed, sandbox, staff_user
):
    redial_contact(placed, delay=5)
    tomorrow = timezone.now() + timedelta(days=1)
    other = create.create_callback(
        contact=placed.contact,
        agent_group=placed.agent_group,
        requested_by=staff_user,
        scheduled_for=tomorrow,
    )
    assert other.status == CallbackStatus.PENDING
    receive(placed, CONTACT_NO_ANSWER)  # no 500, no event lost
    assert_ended(placed, FinalState.NOT_REACHED, RedialStop.ANOTHER_OPEN)
    assert CallEvent.objects.filter(attempt__callback=placed).count() == len(CONTACT_NO_ANSWER)


def test_hours_that_leave_no_time_stop_a_waiting_redial_and_say_why(placed, sandbox):
    redial_contact(placed, delay=5)
    receive(placed, CONTACT_NO_ANSWER)
    assert_redial_waiting(placed)
    # The contact may be called only from two hours from now, and the expiry is sooner.
    opens = timezone.now().astimezone(ZoneInfo("Asia/Vladivostok")) + timedelta(hours=2)
    group = policy(
        placed,
        contact_calls_from=opens.time().replace(second=0, microsecond=0),
        contact_calls_until=(opens + timedelta(minutes=30)).time().replace(second=0, microsecond=0),
    )
    placed.contact.time_zone = "Asia/Vladivostok"
    placed.contact.save()
    now = timezone.now()
    CallbackRequest.objects.filter(pk=placed.pk).update(
        requested_at=now - group.expiry + timedelta(minutes=10)
    )
    replan_waiting(group, now)
    assert_ended(placed, FinalState.EXPIRED, RedialStop.QUIET_HOURS)


def test_a_redial_exolve_refuses_ends_not_reached_and_can_be_placed_again(
    placed, sandbox, staff_user
):
    redial_contact(placed, delay=0)
    receive(placed, CONTACT_NO_ANSWER)
    first_call = placed.call_id
    sandbox.script({"status": 400, "body": {"error": "bad number"}})
    make_due(placed)
    send(placed)
    assert (placed.status, placed.final_state, placed.redial_stop) == (
        CallbackStatus.FAILED,
        FinalState.NOT_REACHED,
        RedialStop.EXOLVE_REFUSED,
    )
    assert (placed.call_id, placed.call_outcome) == (first_call, "contact_no_answer")
    staff_actions.place_again(placed, staff_user)
    placed.refresh_from_db()
    assert placed.status == CallbackStatus.PENDING


def test_placing_again_after_the_numbers_changed_is_refused(placed, sandbox, staff_user):
    redial_contact(placed, delay=0, max_attempts=1)
    receive(placed, CONTACT_NO_ANSWER)
    ContactNumber.objects.filter(contact_id=placed.contact_id).first().delete()
    with pytest.raises(ValidationError, match="numbers changed"):
        staff_actions.place_again(placed, staff_user)
    assert_ended(placed, FinalState.NOT_REACHED, RedialStop.ATTEMPTS_USED)


def test_a_contact_s_new_time_zone_moves_its_waiting_callback_past_its_quiet_hours(
    contact, agent_group, staff_user, queued
):
    vladivostok = "Asia/Vladivostok"
    local = timezone.now().astimezone(ZoneInfo(vladivostok))
    opens = (local + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    agent_group.contact_calls_from = opens.time()
    agent_group.contact_calls_until = (opens + timedelta(hours=1)).time()
    agent_group.save()
    contact.time_zone = "Europe/Moscow"  # seven hours behind: the window is later there
    contact.save()
    callback = create.create_callback(
        contact=contact, agent_group=agent_group, requested_by=staff_user
    )
    contact.time_zone = vladivostok
    contact.save()
    assert replan_contact(contact) == 1
    callback.refresh_from_db()
    assert callback.next_attempt_at == opens
