"""What staff and managers do to a callback: cancel it, place it again after an unknown result,
place it despite the cooldown."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from callbacks.delivery import (
    sending,
    staff_actions,
)
from callbacks.models import (
    AttemptResult,
    CallbackStatus,
    Refusal,
)
from tests.helpers import ask_for_callback

pytestmark = pytest.mark.django_db


def test_a_cancelled_callback_is_never_sent(callback, sandbox, staff_user):
    staff_actions.cancel_callback(callback, staff_user)
    assert sending.send_callback(callback.pk) is None
    callback.refresh_from_db()
    assert (callback.status, callback.decided_by) == (CallbackStatus.CANCELLED, staff_user)
    assert sandbox.received() == []
    assert not callback.attempts.exists()


def test_a_callback_already_sent_cannot_be_cancelled(callback, sandbox, staff_user):
    sending.send_callback(callback.pk)
    with pytest.raises(ValidationError, match="no longer waiting"):
        staff_actions.cancel_callback(callback, staff_user)
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.PLACED


def test_place_again_needs_a_person_and_sends_a_new_attempt_with_its_own_id(
    callback, sandbox, staff_user, queued, django_capture_on_commit_callbacks
):
    sandbox.script({"status": 504})
    sending.send_callback(callback.pk)
    callback.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        staff_actions.place_again(callback, staff_user)
    assert queued[-1] == ((callback.pk,), None)
    sending.send_callback(callback.pk)
    callback.refresh_from_db()
    first, second = callback.attempts.order_by("sequence")
    assert callback.status == CallbackStatus.PLACED
    assert callback.decided_by == staff_user
    assert [first.result, second.result] == [AttemptResult.UNKNOWN, AttemptResult.PLACED]
    assert [r["body"]["request_description"] for r in sandbox.received()] == [
        first.request_description,
        second.request_description,
    ]
    with pytest.raises(ValidationError, match="Only a callback whose result is unknown"):
        staff_actions.place_again(callback, staff_user)


def test_place_again_gets_a_fresh_round_of_retries(callback, sandbox, staff_user, settings):
    settings.EXOLVE_MAX_ATTEMPTS = 2
    settings.EXOLVE_RETRY_BASE_DELAY = 0
    sandbox.script({"status": 503}, {"status": 500}, {"status": 503}, {"status": 200})
    for _ in range(2):
        sending.send_callback(callback.pk)
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.UNKNOWN
    staff_actions.place_again(callback, staff_user)
    for _ in range(2):
        sending.send_callback(callback.pk)
    callback.refresh_from_db()
    assert (callback.status, callback.attempt_count) == (CallbackStatus.PLACED, 4)


def test_placing_anyway_keeps_the_time_staff_asked_for(
    contact, agent_group, staff_user, manager, sandbox, queued
):
    first = ask_for_callback(contact, agent_group, staff_user)
    sending.send_callback(first.pk)
    other_group = type(agent_group).objects.get(pk=agent_group.pk)
    other_group.pk, other_group.name = None, "Support"
    other_group.save()
    other_group.destinations.create(number="78120000000")
    at = timezone.now() + timedelta(minutes=5)  # within the cooldown of the first
    refused = ask_for_callback(contact, other_group, staff_user, scheduled_for=at)
    assert refused.refusal == Refusal.COOLDOWN
    staff_actions.place_despite_cooldown(refused, manager)
    refused.refresh_from_db()
    assert (refused.status, refused.next_attempt_at) == (CallbackStatus.PENDING, at)
