"""Exolve's answers: placed, refused, retried with backoff where nothing was placed, and unknown
(never retried by itself) where the call may exist; a late answer and a retry's working hours."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from callbacks import exolve
from callbacks.delivery import (
    recording,
    sending,
    staff_actions,
    sweeper,
)
from callbacks.models import (
    AttemptResult,
    CallbackRequest,
    CallbackStatus,
    WorkingHours,
)
from tests.helpers import pending_callbacks, wait_for

pytestmark = pytest.mark.django_db


def test_400_ends_in_one_failed_attempt_with_exolves_message(callback, sandbox, queued):
    sandbox.script(
        {
            "status": 400,
            "body": {"code": 3, "message": "Application [1] does not own resource [1221]"},
        }
    )
    sending.send_callback(callback.pk)
    callback.refresh_from_db()
    (attempt,) = callback.attempts.all()
    assert callback.status == CallbackStatus.FAILED
    assert (
        callback.error == attempt.error == "HTTP 400: Application [1] does not own resource [1221]"
    )
    assert attempt.result == "rejected"
    assert queued == [((callback.pk,), None)]  # only the first queueing: no retry
    assert sending.send_callback(callback.pk) is None
    assert len(sandbox.received()) == 1


def test_a_400_is_never_retried_even_with_retry_after(callback, sandbox, queued):
    sandbox.script({"status": 400, "headers": {"Retry-After": "1"}, "body": {"message": "bad"}})
    sending.send_callback(callback.pk)
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.FAILED
    assert queued == [((callback.pk,), None)]


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
    # The sandbox logs the request when its delay is over: let that happen in this test, not the
    # next.
    assert wait_for(lambda: len(sandbox.received()) == 1, 5)


# --- retries -----------------------------------------------------------------------------------


def test_a_429_and_a_503_then_200_make_three_attempts_and_a_placed_callback(
    callback, sandbox, queued, settings, django_capture_on_commit_callbacks
):
    settings.EXOLVE_RETRY_BASE_DELAY = 0
    sandbox.script({"status": 429}, {"status": 503}, {"status": 200})
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            sending.send_callback(callback.pk)
    callback.refresh_from_db()
    attempts = list(callback.attempts.order_by("sequence"))
    assert [a.sequence for a in attempts] == [1, 2, 3]
    assert [a.result for a in attempts] == ["transient", "transient", "placed"]
    assert [a.http_status for a in attempts] == [429, 503, 200]
    assert [a.request_description[-2:] for a in attempts] == ["-1", "-2", "-3"]
    assert callback.status == CallbackStatus.PLACED
    assert callback.attempt_count == 3
    assert callback.error == ""
    assert len(queued) == 3  # the first queueing and two retries


def test_network_error_is_retried(callback, settings, queued, django_capture_on_commit_callbacks):
    settings.EXOLVE_API_URL = "http://127.0.0.1:9"
    exolve.reset_client()
    with django_capture_on_commit_callbacks(execute=True):
        sending.send_callback(callback.pk)
    exolve.reset_client()
    callback.refresh_from_db()
    (attempt,) = callback.attempts.all()
    assert attempt.result == "transient"
    assert attempt.http_status is None
    assert callback.status == CallbackStatus.PENDING
    assert len(queued) == 2


def test_backoff_is_full_jitter_under_a_bound_that_grows_and_is_capped(
    callback, sandbox, queued, django_capture_on_commit_callbacks, settings, monkeypatch
):
    settings.EXOLVE_RETRY_BASE_DELAY = 2
    settings.EXOLVE_RETRY_MAX_DELAY = 5
    drawn = []

    def uniform(low, high):
        drawn.append((low, high))
        return high * 0.75

    monkeypatch.setattr("callbacks.delivery.recording.random.uniform", uniform)
    sandbox.script(*[{"status": 503}] * 3)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            sending.send_callback(callback.pk)
        CallbackRequest.objects.filter(pk=callback.pk).update(next_attempt_at=timezone.now())
    assert drawn == [(0, 2), (0, 4), (0, 5)]
    assert [countdown for _, countdown in queued[1:]] == [1.5, 3, 3.75]


def test_jittered_delays_spread_out_and_stay_under_the_bound(settings):
    settings.EXOLVE_RETRY_BASE_DELAY = 2
    delays = [recording.retry_delay(3) for _ in range(200)]
    assert all(0 <= delay <= 8 for delay in delays)
    assert len(set(delays)) > 150
    assert min(delays) < 2
    assert max(delays) > 6


def test_retry_after_is_used_for_the_delay(
    callback, sandbox, queued, django_capture_on_commit_callbacks
):
    sandbox.script({"status": 429, "headers": {"Retry-After": "9"}})
    with django_capture_on_commit_callbacks(execute=True):
        sending.send_callback(callback.pk)
    callback.refresh_from_db()
    assert queued[-1] == ((callback.pk,), 9)
    assert callback.status == CallbackStatus.PENDING
    assert callback.next_attempt_at > timezone.now() + timedelta(seconds=7)


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


def test_out_of_attempts_fails_with_the_last_error(callback, sandbox, settings):
    settings.EXOLVE_RETRY_BASE_DELAY = 0
    settings.EXOLVE_MAX_ATTEMPTS = 3
    sandbox.script(*[{"status": 503, "body": "busy"}] * 3)
    for _ in range(4):
        sending.send_callback(callback.pk)
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.FAILED
    assert callback.error == "Gave up after 3 attempts. Last error: HTTP 503: busy"
    assert callback.attempts.count() == 3
    assert len(sandbox.received()) == 3


def test_no_retry_beyond_the_maximum_age(callback, sandbox, settings):
    settings.EXOLVE_RETRY_MAX_AGE = 100
    sandbox.script({"status": 429, "headers": {"Retry-After": "120"}})
    sending.send_callback(callback.pk)
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.FAILED
    assert callback.error == (
        "Gave up: no retry is possible within 100 s of the first attempt. "
        "Last error: HTTP 429: Too Many Requests"
    )


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


# --- late answers ------------------------------------------------------------------------------


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


def test_answers_that_arrive_together_are_recorded_in_one_transaction_each_as_its_own(
    agent_group, staff_user, queued
):
    backlog = pending_callbacks(4, agent_group, staff_user)
    attempts = sending.claim([c.pk for c in backlog], timezone.now())
    stale = attempts[3]  # a newer attempt of its callback exists: its answer changes nothing
    CallbackRequest.objects.filter(pk=stale.callback_id).update(attempt_count=5)
    answers = [
        exolve.Answer(AttemptResult.PLACED, 200, call_id=f"cal-together-{i}") for i in range(3)
    ] + [exolve.Answer(AttemptResult.REJECTED, 400, error="HTTP 400: no")]
    with CaptureQueriesContext(connection) as together:
        recording.record_together(list(zip(attempts, answers, strict=True)))
    four_together = len(together.captured_queries)
    rows = {
        c.pk: c for c in CallbackRequest.objects.filter(pk__in=[a.callback_id for a in attempts])
    }
    for attempt, answer in zip(attempts[:3], answers[:3], strict=True):
        attempt.refresh_from_db()
        callback = rows[attempt.callback_id]
        assert (attempt.result, attempt.call_id) == (AttemptResult.PLACED, answer.call_id)
        assert (callback.status, callback.call_id, callback.placement_count) == (
            CallbackStatus.PLACED,
            answer.call_id,
            1,
        )
        assert callback.outcome_expected_by > timezone.now()
    stale.refresh_from_db()
    assert stale.result == AttemptResult.REJECTED  # the attempt's own answer is kept
    assert rows[stale.callback_id].status == CallbackStatus.SENDING  # but not the callback's
    # Four answers cost about what one does alone (a transaction each would be four times it).
    single = pending_callbacks(1, agent_group, staff_user)
    [attempt] = sending.claim([single[0].pk], timezone.now())
    with CaptureQueriesContext(connection) as alone:
        recording.record(attempt, exolve.Answer(AttemptResult.PLACED, 200, call_id="cal-alone"))
    assert four_together < 2 * len(alone.captured_queries)
