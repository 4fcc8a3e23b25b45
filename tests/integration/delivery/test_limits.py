"""Limits against harm and abuse, checked at the press (the do-not-call list again before every
attempt): each refusal is a refused callback with its reason."""

import threading
from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from callbacks import limits
from callbacks.delivery import (
    sending,
    staff_actions,
)
from callbacks.models import (
    CallbackRequest,
    CallbackStatus,
    ContactNumber,
    DoNotCallNumber,
    Refusal,
    WorkingHours,
)
from tests.helpers import ask_for_callback, make_contact

pytestmark = pytest.mark.django_db


def test_a_number_on_the_do_not_call_list_is_refused_at_the_press(
    contact, agent_group, staff_user, queued
):
    DoNotCallNumber.objects.create(number="79999999999", reason="asked not to be called")
    callback = ask_for_callback(contact, agent_group, staff_user)
    assert (callback.status, callback.refusal) == (CallbackStatus.REFUSED, Refusal.DO_NOT_CALL)
    assert callback.error == "On the do-not-call list: +7 999 999-99-99. Nothing was sent."
    assert (
        CallbackRequest.objects.get(pk=callback.pk).status == CallbackStatus.REFUSED
    )  # a row auditors see
    assert queued == []


def test_the_do_not_call_list_is_checked_again_before_every_attempt(callback, sandbox, settings):
    settings.EXOLVE_RETRY_BASE_DELAY = 0
    sandbox.script({"status": 503})
    sending.send_callback(callback.pk)
    DoNotCallNumber.objects.create(number="79599999999")
    assert sending.send_callback(callback.pk) is None
    callback.refresh_from_db()
    assert (callback.status, callback.refusal) == (CallbackStatus.REFUSED, Refusal.DO_NOT_CALL)
    assert len(sandbox.received()) == 1


def test_a_number_called_back_recently_is_refused_until_a_manager_places_it_anyway(
    callback,
    contact,
    agent_group,
    staff_user,
    manager,
    sandbox,
    settings,
    queued,
    django_capture_on_commit_callbacks,
):
    settings.CALLBACK_NUMBER_COOLDOWN_MINUTES = 10
    sending.send_callback(callback.pk)  # placed just now
    other_group = type(agent_group).objects.get(pk=agent_group.pk)
    other_group.pk, other_group.name = None, "Support"
    other_group.save()
    other_group.destinations.create(number="78120000000")

    refused = ask_for_callback(contact, other_group, staff_user)
    assert (refused.status, refused.refusal) == (CallbackStatus.REFUSED, Refusal.COOLDOWN)
    assert refused.error == (
        "+7 959 999-99-99, +7 999 999-99-99 was called back less than 10 minutes ago. "
        "A support manager can place it anyway."
    )
    with pytest.raises(PermissionDenied):
        staff_actions.place_despite_cooldown(refused, staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        staff_actions.place_despite_cooldown(refused, manager)
    refused.refresh_from_db()
    assert (refused.status, refused.limits_overridden, refused.decided_by) == (
        CallbackStatus.PENDING,
        True,
        manager,
    )
    assert queued[-1] == ((refused.pk,), None)
    with pytest.raises(ValidationError, match="Only a callback refused for the cooldown"):
        staff_actions.place_despite_cooldown(refused, manager)


def test_with_no_cooldown_a_number_still_cannot_be_rung_twice_at_once(
    callback, contact, agent_group, staff_user, sandbox, settings
):
    settings.CALLBACK_NUMBER_COOLDOWN_MINUTES = 0
    other = make_contact("79599999999", "Same number")
    refused = ask_for_callback(other, agent_group, staff_user)
    assert refused.refusal == Refusal.COOLDOWN  # the first is still pending
    # Nothing has rung yet: the reason says a callback is waiting, not "called back N min ago".
    assert refused.error == (
        "Another callback to +7 959 999-99-99 is waiting, being placed, or awaiting a person's "
        "decision. A support manager can place this one anyway."
    )
    sandbox.script({"status": 500})
    sending.send_callback(callback.pk)  # unknown: it may be ringing
    assert ask_for_callback(other, agent_group, staff_user).refusal == Refusal.COOLDOWN
    CallbackRequest.objects.filter(pk=callback.pk).update(status=CallbackStatus.PLACED)
    assert (
        ask_for_callback(other, agent_group, staff_user).status == CallbackStatus.PENDING
    )  # placed, no cooldown


def press_at_once(contacts, agent_group, user, monkeypatch):
    """Both contacts' presses by `user` from two connections, each pausing after its limit check
    until the other has checked too (unlocked) or for 1.5 s (locked: the other waits for it)."""
    both_checked = threading.Event()
    checked = []
    real_refusal_for = limits.refusal_for

    def refusal_for_then_wait_for_the_other(**kwargs):
        refusal = real_refusal_for(**kwargs)
        checked.append(refusal)
        if len(checked) == 2:
            both_checked.set()
        both_checked.wait(1.5)
        return refusal

    monkeypatch.setattr(limits, "refusal_for", refusal_for_then_wait_for_the_other)
    results = {}

    def press(contact):
        try:
            results[contact.name] = ask_for_callback(contact, agent_group, user).status
        finally:
            connection.close()

    presses = [threading.Thread(target=press, args=(contact,)) for contact in contacts]
    for thread in presses:
        thread.start()
    for thread in presses:
        thread.join(30)
    return sorted(results.values())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # real commits, two connections
def test_two_presses_for_contacts_sharing_a_number_at_once_make_one_call(
    agent_group, staff_user, queued, monkeypatch
):
    sharing = [make_contact("79161234567", name) for name in ("Анна", "Олег")]
    statuses = press_at_once(sharing, agent_group, staff_user, monkeypatch)
    assert statuses == [CallbackStatus.PENDING, CallbackStatus.REFUSED]
    assert CallbackRequest.objects.get(status=CallbackStatus.REFUSED).refusal == Refusal.COOLDOWN


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_presses_by_a_user_at_the_hourly_limit_at_once_pass_it_once(
    agent_group, staff_user, settings, queued, monkeypatch
):
    settings.CALLBACK_USER_HOURLY_LIMIT = 1
    different = [
        make_contact(number, name)
        for number, name in [("79161234567", "Анна"), ("79161234568", "Олег")]
    ]
    statuses = press_at_once(different, agent_group, staff_user, monkeypatch)
    assert statuses == [CallbackStatus.PENDING, CallbackStatus.REFUSED]
    refused = CallbackRequest.objects.get(status=CallbackStatus.REFUSED)
    assert refused.refusal == Refusal.HOURLY_LIMIT


def test_the_hourly_limit_is_checked_before_the_cooldown_a_manager_may_override(
    callback, contact, agent_group, staff_user, settings
):
    settings.CALLBACK_USER_HOURLY_LIMIT = 1
    other = make_contact("79599999999", "Same number")
    assert ask_for_callback(other, agent_group, staff_user).refusal == Refusal.HOURLY_LIMIT


def test_the_cooldown_ends(callback, contact, agent_group, staff_user, sandbox, settings):
    settings.CALLBACK_NUMBER_COOLDOWN_MINUTES = 10
    sending.send_callback(callback.pk)
    CallbackRequest.objects.filter(pk=callback.pk).update(
        finished_at=timezone.now() - timedelta(minutes=11)
    )
    assert ask_for_callback(contact, agent_group, staff_user).status == CallbackStatus.PENDING


@pytest.mark.parametrize(
    ("ahead", "status"),
    [(timedelta(days=1), CallbackStatus.PENDING), (timedelta(minutes=5), CallbackStatus.REFUSED)],
)
def test_a_callback_scheduled_past_the_cooldown_of_a_call_just_placed_is_taken(
    callback, contact, agent_group, staff_user, sandbox, settings, ahead, status
):
    """The cooldown counts back from when the new callback will ring: "call back tomorrow" after
    a call a minute ago is what scheduling is for; in five minutes it is still too soon."""
    settings.CALLBACK_NUMBER_COOLDOWN_MINUTES = 10
    sending.send_callback(callback.pk)
    later = ask_for_callback(contact, agent_group, staff_user, scheduled_for=timezone.now() + ahead)
    assert later.status == status
    assert (later.refusal == Refusal.COOLDOWN) == (status == CallbackStatus.REFUSED)


def test_a_press_while_the_group_is_closed_is_still_within_the_cooldown(
    callback, contact, agent_group, staff_user, sandbox, settings
):
    """Not scheduled: the group's next opening is not a time anyone chose, and new hours could
    bring it forward to now, so the cooldown counts from now."""
    settings.CALLBACK_NUMBER_COOLDOWN_MINUTES = 10
    sending.send_callback(callback.pk)
    in_three_days = (timezone.localdate() + timedelta(days=3)).weekday()
    WorkingHours.objects.create(
        agent_group=agent_group, weekday=in_three_days, opens=time(9), closes=time(18)
    )
    pressed = ask_for_callback(contact, agent_group, staff_user)
    assert (pressed.status, pressed.refusal) == (CallbackStatus.REFUSED, Refusal.COOLDOWN)


def test_a_user_over_the_hourly_limit_is_refused(agent_group, staff_user, settings, queued):
    settings.CALLBACK_USER_HOURLY_LIMIT = 2
    settings.CALLBACK_NUMBER_COOLDOWN_MINUTES = 0
    statuses = [
        ask_for_callback(make_contact(f"7916123450{i}", f"C{i}"), agent_group, staff_user).status
        for i in range(3)
    ]
    assert statuses == [CallbackStatus.PENDING, CallbackStatus.PENDING, CallbackStatus.REFUSED]
    assert (
        CallbackRequest.objects.get(status=CallbackStatus.REFUSED).refusal == Refusal.HOURLY_LIMIT
    )


def test_a_number_the_policy_forbids_now_is_refused_at_the_press(
    contact, agent_group, staff_user, settings, queued
):
    ContactNumber.objects.filter(contact=contact, position=1).update(
        number="77012345678"
    )  # Kazakhstan, stored long ago
    callback = ask_for_callback(contact, agent_group, staff_user)
    assert (callback.status, callback.refusal) == (CallbackStatus.REFUSED, Refusal.NUMBER_POLICY)
    assert "KZ" in callback.error
    assert queued == []
