"""Delivery guarantees in the dispatch service and the sweeper: unknown outcomes, cancel, place
again, limits, schedules and the outbox, against the sandbox (the real-process faults are in
tests/test_faults.py)."""

import threading
import time as clock
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from callbacks import exolve, limits
from callbacks.delivery import create, queue, recording, sending, staff_actions, sweeper
from callbacks.models import (
    AttemptResult,
    CallbackRequest,
    CallbackStatus,
    Contact,
    ContactNumber,
    DoNotCallNumber,
    Holiday,
    Refusal,
    WorkingHours,
)
from tests.helpers import wait_for

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def ask(contact, agent_group, user, **options):
    return create.create_callback(
        contact=contact, agent_group=agent_group, requested_by=user, **options
    )


@pytest.fixture
def callback(contact, agent_group, staff_user, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return ask(contact, agent_group, staff_user)


def another_contact(number="79161234567", name="Пётр Сидоров"):
    person = Contact.objects.create(name=name)
    ContactNumber.objects.create(contact=person, number=number)
    return person


# --- outcomes that may have placed the call ---------------------------------------------


@pytest.mark.parametrize(
    "answer", [{"status": 500}, {"status": 502}, {"status": 200, "body": {"no": "call id"}}]
)
def test_an_answer_that_may_have_placed_the_call_is_unknown_and_never_retried(
    answer, callback, sandbox, queued
):
    sandbox.script(answer)
    sending.send_callback(callback.pk)
    callback.refresh_from_db()
    (attempt,) = callback.attempts.all()
    assert (callback.status, attempt.result) == (CallbackStatus.UNKNOWN, AttemptResult.UNKNOWN)
    assert "the call may have been placed" in callback.error
    assert queued == [((callback.pk,), None)]  # the first queueing only
    assert sending.send_callback(callback.pk) is None
    assert len(sandbox.received()) == 1


def test_a_read_timeout_is_unknown_and_never_retried(callback, sandbox, settings, queued):
    settings.EXOLVE_READ_TIMEOUT = 0.3
    sandbox.script({"status": 200, "delay_ms": 1500})
    exolve.reset_client()
    sending.send_callback(callback.pk)
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.UNKNOWN
    assert callback.error.startswith(
        "Exolve did not answer within 0.3 s after the request was sent"
    )
    assert queued == [((callback.pk,), None)]
    # The sandbox logs the request when its delay is over: let that happen in this test, not the next.
    assert wait_for(lambda: len(sandbox.received()) == 1, 5)


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


# --- cancel -------------------------------------------------------------------------------


def test_a_cancelled_request_is_never_sent(callback, sandbox, staff_user):
    staff_actions.cancel_callback(callback, staff_user)
    assert sending.send_callback(callback.pk) is None
    callback.refresh_from_db()
    assert (callback.status, callback.decided_by) == (CallbackStatus.CANCELLED, staff_user)
    assert sandbox.received() == []
    assert not callback.attempts.exists()


def test_a_request_already_sent_cannot_be_cancelled(callback, sandbox, staff_user):
    sending.send_callback(callback.pk)
    with pytest.raises(ValidationError, match="no longer waiting"):
        staff_actions.cancel_callback(callback, staff_user)
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.PLACED


# --- retries: Retry-After, maximum age, long waits in the database ---------------------------


def test_a_long_retry_after_waits_in_the_database_not_in_the_broker(
    callback, sandbox, queued, settings
):
    settings.CALLBACK_MAX_COUNTDOWN = 60
    sandbox.script({"status": 429, "headers": {"Retry-After": "300"}})
    sending.send_callback(callback.pk)
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.PENDING
    assert callback.queued_at is None  # the sweeper queues it when it is nearly due
    assert callback.next_attempt_at >= timezone.now() + timedelta(seconds=295)
    assert queued == [((callback.pk,), None)]


def test_no_retry_beyond_the_maximum_age(callback, sandbox, settings):
    settings.EXOLVE_RETRY_MAX_AGE = 100
    sandbox.script({"status": 429, "headers": {"Retry-After": "120"}})
    sending.send_callback(callback.pk)
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.FAILED
    assert callback.error == (
        "Gave up: no retry is possible within 100 s of the first attempt. Last error: HTTP 429: Too Many Requests"
    )


def test_a_400_is_never_retried_even_with_retry_after(callback, sandbox, queued):
    sandbox.script({"status": 400, "headers": {"Retry-After": "1"}, "body": {"message": "bad"}})
    sending.send_callback(callback.pk)
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.FAILED
    assert queued == [((callback.pk,), None)]


# --- the outbox and the sweeper -------------------------------------------------------------


def test_a_broker_failure_at_the_press_leaves_the_request_pending_for_the_sweeper(
    contact, agent_group, staff_user, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr("callbacks.delivery.queue.hand_to_broker", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        callback = ask(contact, agent_group, staff_user)
    assert callback.queued_at is None
    callback.refresh_from_db()
    assert (callback.status, callback.queued_at) == (CallbackStatus.PENDING, None)


def test_a_hung_broker_cannot_hold_the_caller_past_the_publish_deadline(
    callback, monkeypatch, settings
):
    """A broker that accepts the connection and never answers (Redis' socket timeout is 5 s)."""
    release = threading.Event()
    monkeypatch.setattr("callbacks.delivery.queue.hand_to_broker", lambda *a, **k: release.wait(10))
    settings.CALLBACK_PUBLISH_TIMEOUT = 0.3
    started = clock.monotonic()
    try:
        assert queue.publish([callback.pk]) is False
        waited = clock.monotonic() - started
    finally:
        release.set()
    assert waited < 2  # the contract: the page answers within 2 s
    callback.refresh_from_db()
    assert (callback.status, callback.queued_at) == (CallbackStatus.PENDING, None)


def test_the_sweeper_queues_what_was_never_queued_or_got_lost_and_leaves_the_rest(
    callback, contact, agent_group, staff_user, queued, settings
):
    settings.CALLBACK_REQUEUE_AFTER = 120
    now = timezone.now()
    never_queued = callback
    CallbackRequest.objects.filter(pk=never_queued.pk).update(queued_at=None)
    lost = ask(another_contact(), agent_group, staff_user)
    CallbackRequest.objects.filter(pk=lost.pk).update(queued_at=now - timedelta(seconds=300))
    fresh = ask(another_contact("79161234568", "Анна"), agent_group, staff_user)
    CallbackRequest.objects.filter(pk=fresh.pk).update(queued_at=now)
    far = ask(another_contact("79161234569", "Олег"), agent_group, staff_user)
    CallbackRequest.objects.filter(pk=far.pk).update(
        queued_at=None, next_attempt_at=now + timedelta(hours=2)
    )
    queued.clear()

    assert sweeper.queue_due(now) == 2
    assert queued == [
        ((never_queued.pk,), None),
        ((lost.pk,), 1.0),
    ]  # a countdown is rounded up to the second
    assert sweeper.queue_due(now) == 0  # marked queued: a second sweep does not queue them again


def test_the_sweeper_queues_a_scheduled_request_with_the_countdown_to_its_time(
    callback, queued, settings
):
    settings.CALLBACK_SWEEP_INTERVAL = 30
    now = timezone.now()
    CallbackRequest.objects.filter(pk=callback.pk).update(
        queued_at=None, next_attempt_at=now + timedelta(seconds=20)
    )
    queued.clear()
    assert sweeper.queue_due(now) == 1
    assert queued == [((callback.pk,), 20.0)]


def test_the_sweeper_never_hands_the_broker_a_countdown_longer_than_allowed(
    callback, queued, settings
):
    settings.CALLBACK_SWEEP_INTERVAL = 600
    settings.CALLBACK_MAX_COUNTDOWN = 60
    now = timezone.now()
    CallbackRequest.objects.filter(pk=callback.pk).update(
        queued_at=None, next_attempt_at=now + timedelta(seconds=300)
    )
    queued.clear()
    assert sweeper.queue_due(now) == 0
    assert sweeper.queue_due(now + timedelta(seconds=250)) == 1
    assert queued == [((callback.pk,), 50.0)]


def test_the_sweeper_gives_up_a_send_whose_worker_died_as_unknown(
    callback, sandbox, settings, monkeypatch
):
    [attempt] = sending.claim(
        [callback.pk], timezone.now()
    )  # claimed and written, and then the worker died
    settings.CALLBACK_LOST_AFTER = 30
    assert sweeper.give_up_lost_sends(timezone.now()) == 0  # still possibly in flight
    assert sweeper.give_up_lost_sends(timezone.now() + timedelta(seconds=31)) == 1
    callback.refresh_from_db()
    attempt.refresh_from_db()
    assert (callback.status, attempt.result) == (CallbackStatus.UNKNOWN, AttemptResult.UNKNOWN)
    assert callback.error.startswith("No answer was recorded within 30 s of sending")
    assert sending.send_callback(callback.pk) is None
    assert sandbox.received() == []


def test_a_late_answer_replaces_the_sweepers_guess(callback, sandbox, settings):
    [attempt] = sending.claim([callback.pk], timezone.now())
    settings.CALLBACK_LOST_AFTER = 0
    sweeper.give_up_lost_sends(timezone.now() + timedelta(seconds=1))
    recording.record(attempt, exolve.get_client().make_callback(attempt.request_body))
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.PLACED


def test_a_late_placed_answer_stops_a_round_a_person_started_meanwhile(
    callback, sandbox, staff_user, queued
):
    [attempt] = sending.claim([callback.pk], timezone.now())
    sweeper.give_up_lost_sends(timezone.now() + timedelta(hours=1))
    staff_actions.place_again(CallbackRequest.objects.get(pk=callback.pk), staff_user)
    recording.record(attempt, exolve.get_client().make_callback(attempt.request_body))
    callback.refresh_from_db()
    assert (
        callback.status == CallbackStatus.PLACED
    )  # the call exists: the new round must not go out
    assert sending.send_callback(callback.pk) is None
    assert len(sandbox.received()) == 1


def test_a_retry_waits_for_working_hours_and_is_not_finished(
    callback, sandbox, agent_group, settings
):
    now = timezone.now().astimezone(ZoneInfo(agent_group.time_zone))
    tomorrow = (now + timedelta(days=1)).date()
    WorkingHours.objects.create(
        agent_group=agent_group, weekday=tomorrow.weekday(), opens=time(9), closes=time(18)
    )
    sandbox.script({"status": 503})
    sending.send_callback(callback.pk)
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.PENDING
    assert callback.finished_at is None
    assert callback.next_attempt_at == datetime.combine(
        tomorrow, time(9), ZoneInfo(agent_group.time_zone)
    )


def test_the_sweep_task_runs_both_sweeps(callback, settings):
    from callbacks.tasks import sweep

    sending.claim([callback.pk], timezone.now())
    settings.CALLBACK_LOST_AFTER = 0
    sweep.run()
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.UNKNOWN


# --- limits --------------------------------------------------------------------------------


def test_a_number_on_the_do_not_call_list_is_refused_at_the_press(
    contact, agent_group, staff_user, queued
):
    DoNotCallNumber.objects.create(number="79999999999", reason="asked not to be called")
    callback = ask(contact, agent_group, staff_user)
    assert (callback.status, callback.refusal) == (CallbackStatus.REFUSED, Refusal.DO_NOT_CALL)
    assert callback.error == "On the do-not-call list: 79999999999. Nothing was sent."
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

    refused = ask(contact, other_group, staff_user)
    assert (refused.status, refused.refusal) == (CallbackStatus.REFUSED, Refusal.COOLDOWN)
    assert refused.error == (
        "79599999999, 79999999999 was called back less than 10 minutes ago. A support manager can place it anyway."
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
    other = another_contact("79599999999", "Same number")
    assert (
        ask(other, agent_group, staff_user).refusal == Refusal.COOLDOWN
    )  # the first is still pending
    sandbox.script({"status": 500})
    sending.send_callback(callback.pk)  # unknown: it may be ringing
    assert ask(other, agent_group, staff_user).refusal == Refusal.COOLDOWN
    CallbackRequest.objects.filter(pk=callback.pk).update(status=CallbackStatus.PLACED)
    assert (
        ask(other, agent_group, staff_user).status == CallbackStatus.PENDING
    )  # placed, no cooldown


@pytest.mark.django_db(
    transaction=True, serialized_rollback=True
)  # two presses, two connections, real commits
def test_two_presses_for_contacts_sharing_a_number_at_once_make_one_call(
    agent_group, staff_user, queued, monkeypatch
):
    sharing = [another_contact("79161234567", name) for name in ("Анна", "Олег")]
    both_checked = threading.Event()
    checked = []
    real_refusal_for = limits.refusal_for

    def refusal_for_then_wait_for_the_other(**kwargs):
        refusal = real_refusal_for(**kwargs)
        checked.append(refusal)
        if len(checked) == 2:
            both_checked.set()
        # Unlocked, the other press checks meanwhile and also finds nothing ringing; locked, it
        # cannot check until this one is saved, and the wait runs out.
        both_checked.wait(1.5)
        return refusal

    monkeypatch.setattr(limits, "refusal_for", refusal_for_then_wait_for_the_other)
    results = {}

    def press(contact):
        try:
            results[contact.name] = ask(contact, agent_group, staff_user).status
        finally:
            connection.close()

    presses = [threading.Thread(target=press, args=(contact,)) for contact in sharing]
    for thread in presses:
        thread.start()
    for thread in presses:
        thread.join(30)
    assert sorted(results.values()) == [CallbackStatus.PENDING, CallbackStatus.REFUSED]
    assert CallbackRequest.objects.get(status=CallbackStatus.REFUSED).refusal == Refusal.COOLDOWN


def test_the_hourly_limit_is_checked_before_the_cooldown_a_manager_may_override(
    callback, contact, agent_group, staff_user, settings
):
    settings.CALLBACK_USER_HOURLY_LIMIT = 1
    other = another_contact("79599999999", "Same number")
    assert ask(other, agent_group, staff_user).refusal == Refusal.HOURLY_LIMIT


def test_placing_anyway_keeps_the_time_staff_asked_for(
    contact, agent_group, staff_user, manager, sandbox, queued
):
    first = ask(contact, agent_group, staff_user)
    sending.send_callback(first.pk)
    other_group = type(agent_group).objects.get(pk=agent_group.pk)
    other_group.pk, other_group.name = None, "Support"
    other_group.save()
    other_group.destinations.create(number="78120000000")
    at = timezone.now() + timedelta(days=2)
    refused = ask(contact, other_group, staff_user, scheduled_for=at)
    assert refused.refusal == Refusal.COOLDOWN
    staff_actions.place_despite_cooldown(refused, manager)
    refused.refresh_from_db()
    assert (refused.status, refused.next_attempt_at) == (CallbackStatus.PENDING, at)


def test_the_cooldown_ends(callback, contact, agent_group, staff_user, sandbox, settings):
    settings.CALLBACK_NUMBER_COOLDOWN_MINUTES = 10
    sending.send_callback(callback.pk)
    CallbackRequest.objects.filter(pk=callback.pk).update(
        finished_at=timezone.now() - timedelta(minutes=11)
    )
    assert ask(contact, agent_group, staff_user).status == CallbackStatus.PENDING


def test_a_user_over_the_hourly_limit_is_refused(agent_group, staff_user, settings, queued):
    settings.CALLBACK_USER_HOURLY_LIMIT = 2
    settings.CALLBACK_NUMBER_COOLDOWN_MINUTES = 0
    statuses = [
        ask(another_contact(f"7916123450{i}", f"C{i}"), agent_group, staff_user).status
        for i in range(3)
    ]
    assert statuses == [CallbackStatus.PENDING, CallbackStatus.PENDING, CallbackStatus.REFUSED]
    assert (
        CallbackRequest.objects.get(status=CallbackStatus.REFUSED).refusal == Refusal.HOURLY_LIMIT
    )


def test_a_number_the_policy_forbids_now_is_refused_at_the_press(
    contact, agent_group, staff_user, settings, queued
):
    ContactNumber.objects.filter(contact=contact, position=0).update(
        number="77012345678"
    )  # Kazakhstan, stored long ago
    callback = ask(contact, agent_group, staff_user)
    assert (callback.status, callback.refusal) == (CallbackStatus.REFUSED, Refusal.NUMBER_POLICY)
    assert "KZ" in callback.error
    assert queued == []


# --- scheduled callbacks and working hours ---------------------------------------------------


def test_a_request_outside_working_hours_waits_for_the_next_opening(
    contact, agent_group, staff_user, queued, django_capture_on_commit_callbacks, settings
):
    settings.CALLBACK_MAX_COUNTDOWN = 60
    agent_group.time_zone = "Europe/Berlin"
    agent_group.save()
    now = timezone.now().astimezone(BERLIN)
    tomorrow = (now + timedelta(days=1)).date()
    WorkingHours.objects.create(
        agent_group=agent_group, weekday=tomorrow.weekday(), opens=time(9), closes=time(18)
    )
    with django_capture_on_commit_callbacks(execute=True):
        callback = ask(contact, agent_group, staff_user)
    assert callback.next_attempt_at == datetime.combine(tomorrow, time(9), BERLIN)
    assert callback.is_scheduled
    assert callback.queued_at is None
    assert queued == []  # too far for a countdown: the sweeper queues it near its time


def test_a_holiday_moves_the_opening_a_week(contact, agent_group, staff_user, queued):
    agent_group.time_zone = "Europe/Berlin"
    agent_group.save()
    tomorrow = (timezone.now().astimezone(BERLIN) + timedelta(days=1)).date()
    WorkingHours.objects.create(
        agent_group=agent_group, weekday=tomorrow.weekday(), opens=time(9), closes=time(18)
    )
    Holiday.objects.create(agent_group=agent_group, date=tomorrow)
    callback = ask(contact, agent_group, staff_user)
    assert callback.next_attempt_at == datetime.combine(
        tomorrow + timedelta(days=7), time(9), BERLIN
    )


def test_call_back_at_a_given_time(
    contact, agent_group, staff_user, queued, django_capture_on_commit_callbacks
):
    at = timezone.now() + timedelta(seconds=30)
    with django_capture_on_commit_callbacks(execute=True):
        callback = ask(contact, agent_group, staff_user, scheduled_for=at)
    assert (callback.scheduled_for, callback.next_attempt_at) == (at, at)
    ((args, countdown),) = queued
    assert 25 < countdown <= 30  # near enough for a countdown
    assert sending.send_callback(callback.pk) is None  # delivered early: waits again


def test_a_group_with_no_opening_ahead_refuses(contact, agent_group, staff_user, queued):
    WorkingHours.objects.create(agent_group=agent_group, weekday=0, opens=time(9), closes=time(18))
    today = timezone.localdate()
    Holiday.objects.bulk_create(
        Holiday(agent_group=agent_group, date=today + timedelta(days=d)) for d in range(-1, 402)
    )
    callback = ask(contact, agent_group, staff_user)
    assert (callback.status, callback.refusal) == (CallbackStatus.REFUSED, Refusal.NO_OPENING)
