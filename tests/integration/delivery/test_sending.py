"""Sending: a worker claims its task's callbacks, commits their attempt rows, and sends them side
by side; each is settled on its own terms, and what the claim did not take waits or is
refused."""

import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection, transaction
from django.utils import timezone

from callbacks import exolve
from callbacks.delivery import (
    recording,
    send_threads,
    sending,
    sweeper,
)
from callbacks.models import (
    CallbackAttempt,
    CallbackRequest,
    CallbackStatus,
    ContactNumber,
    DoNotCallNumber,
)
from tests.helpers import (
    pending_callbacks,
    reserve_in_background,
)

pytestmark = pytest.mark.django_db


def test_200_places_the_callback(callback, sandbox):
    attempt = sending.send_callback(callback.pk)
    callback.refresh_from_db()
    attempt.refresh_from_db()
    (received,) = sandbox.received()
    assert callback.status == CallbackStatus.PLACED
    assert callback.call_id == attempt.call_id == received["call_id"]
    assert callback.finished_at is not None
    assert attempt.http_status == 200
    # The body fixed at the press, with the attempt's own id to find the call in Exolve's records.
    assert attempt.request_description == f"{callback.request_description}-1"
    assert attempt.request_body == {
        **callback.request_body,
        "request_description": attempt.request_description,
    }
    assert received["body"] == attempt.request_body
    assert attempt.finished_at >= attempt.started_at
    assert attempt.duration_ms is not None
    assert received["call_id"] in attempt.response_body


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_attempt_row_is_committed_before_the_request_is_sent(callback, sandbox):
    seen = {}
    real_send = exolve.ExolveClient.make_callback

    def spy(client, body):
        # By the time the request leaves, the attempt and the claim are committed: the sending
        # thread reads them through a database connection of its own.
        try:
            seen["attempts"] = list(
                CallbackAttempt.objects.filter(callback=callback).values_list("result", flat=True)
            )
            seen["status"] = CallbackRequest.objects.get(pk=callback.pk).status
        finally:
            connection.close()  # the send thread lives on: its connection must not
        return real_send(client, body)

    with mock.patch.object(exolve.ExolveClient, "make_callback", spy):
        sending.send_callback(callback.pk)
    assert seen == {"attempts": ["sending"], "status": CallbackStatus.SENDING}


def test_a_second_delivery_of_the_task_sends_nothing(callback, sandbox):
    sending.send_callback(callback.pk)
    assert sending.send_callback(callback.pk) is None
    assert len(sandbox.received()) == 1
    assert CallbackAttempt.objects.count() == 1


def test_an_unexpected_error_while_sending_is_recorded_and_never_resent(callback, sandbox, queued):
    with mock.patch.object(exolve.ExolveClient, "make_callback", side_effect=RuntimeError("boom")):
        sending.send_callback(callback.pk)
    callback.refresh_from_db()
    (attempt,) = callback.attempts.all()
    assert callback.status == CallbackStatus.UNKNOWN
    assert attempt.result == "unknown"
    assert (
        attempt.error
        == "Internal error while sending (RuntimeError); the call may have been placed."
    )
    assert queued == [((callback.pk,), None)]  # no retry


def test_a_retry_that_is_not_due_yet_sends_nothing(callback, sandbox):
    sandbox.script({"status": 503})
    sending.send_callback(callback.pk)
    assert sending.send_callback(callback.pk) is None  # delivered early: next_attempt_at is ahead
    assert len(sandbox.received()) == 1


def test_a_retry_delivered_early_is_queued_again_for_the_rest_of_its_wait(callback, queued):
    due_at = timezone.now() + timedelta(seconds=30)
    CallbackRequest.objects.filter(pk=callback.pk).update(next_attempt_at=due_at)
    assert sending.send_callback(callback.pk) is None
    (args, countdown) = queued[-1]
    assert args == (callback.pk,)
    assert 25 < countdown <= 30
    assert not callback.attempts.exists()


def test_the_task_only_calls_the_service(callback, sandbox):
    from callbacks.tasks import send_callback

    send_callback.run(callback.pk)
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.PLACED


# --- batches -----------------------------------------------------------------------------------


def test_the_callbacks_of_one_task_are_sent_side_by_side(agent_group, staff_user, sandbox, queued):
    backlog = pending_callbacks(3, agent_group, staff_user)
    # Each send waits until all three are in flight: one after another, the first would wait in
    # vain.
    all_in_flight = threading.Barrier(3, timeout=10)
    real_send = exolve.ExolveClient.make_callback

    def send_when_all_are_in_flight(client, body):
        all_in_flight.wait()
        return real_send(client, body)

    with mock.patch.object(exolve.ExolveClient, "make_callback", send_when_all_are_in_flight):
        attempts = sending.send_callbacks([r.pk for r in backlog])

    assert len(attempts) == 3
    assert set(
        CallbackRequest.objects.filter(pk__in=[r.pk for r in backlog]).values_list(
            "status", flat=True
        )
    ) == {CallbackStatus.PLACED}
    assert len(sandbox.received()) == 3


def test_each_callback_of_a_task_is_settled_on_its_own(
    agent_group, staff_user, sandbox, queued, django_capture_on_commit_callbacks
):
    blocked, early, done = pending_callbacks(3, agent_group, staff_user)
    answered = pending_callbacks(3, agent_group, staff_user)
    DoNotCallNumber.objects.create(number=ContactNumber.objects.get(contact=blocked.contact).number)
    CallbackRequest.objects.filter(pk=early.pk).update(
        next_attempt_at=timezone.now() + timedelta(seconds=30)
    )
    CallbackRequest.objects.filter(pk=done.pk).update(status=CallbackStatus.PLACED)
    queued.clear()
    sandbox.script(
        {"status": 200}, {"status": 400}, {"status": 503}
    )  # in whatever order they arrive

    with django_capture_on_commit_callbacks(execute=True):  # the retry is queued on commit
        sending.send_callbacks([r.pk for r in [*answered, blocked, early, done]])

    assert len(sandbox.received()) == 3
    expected = {200: CallbackStatus.PLACED, 400: CallbackStatus.FAILED, 503: CallbackStatus.PENDING}
    for callback in answered:
        callback.refresh_from_db()
        (attempt,) = callback.attempts.all()
        assert callback.status == expected[attempt.http_status]
    assert sorted(r.status for r in answered) == sorted(expected.values())
    blocked.refresh_from_db()
    assert (blocked.status, blocked.attempt_count) == (CallbackStatus.REFUSED, 0)
    assert CallbackRequest.objects.get(pk=early.pk).status == CallbackStatus.PENDING
    assert CallbackRequest.objects.get(pk=done.pk).attempt_count == 0
    retried = next(r for r in answered if r.status == CallbackStatus.PENDING)
    assert sorted(callback_ids for callback_ids, _ in queued) == sorted(
        [(early.pk,), (retried.pk,)]
    )


def test_an_answer_that_cannot_be_recorded_loses_none_of_the_others(
    agent_group, staff_user, sandbox, queued
):
    backlog = pending_callbacks(3, agent_group, staff_user)
    broken = backlog[1].pk
    real_update = recording._update_callbacks

    def update(recordings):  # whether the answers are recorded together or one by one
        if any(r.attempt.callback_id == broken for r in recordings):
            raise RuntimeError("database gone for a moment")
        real_update(recordings)

    with mock.patch.object(recording, "_update_callbacks", update):
        sending.send_callbacks([r.pk for r in backlog])

    statuses = dict(
        CallbackRequest.objects.filter(pk__in=[r.pk for r in backlog]).values_list("pk", "status")
    )
    # The unrecorded one stays "sending": the sweeper calls it unknown, it is never sent blindly
    # again.
    assert statuses == {backlog[0].pk: "placed", broken: "sending", backlog[2].pk: "placed"}


def test_a_failing_claim_gives_every_reserved_thread_back(
    agent_group, staff_user, queued, monkeypatch
):
    threads = send_threads.SendThreads(3)
    monkeypatch.setattr(send_threads, "_send_threads", threads)
    backlog = pending_callbacks(3, agent_group, staff_user)
    monkeypatch.setattr(sending, "claim", mock.Mock(side_effect=RuntimeError("database gone")))
    with pytest.raises(RuntimeError):
        sending.send_callbacks([r.pk for r in backlog])
    # Would wait for ever if the failed batch had kept its threads.
    assert reserve_in_background(threads, 3).wait(5)


def test_a_task_with_more_callbacks_than_send_threads_sends_them_all(
    agent_group, staff_user, sandbox, queued, monkeypatch
):
    monkeypatch.setattr(send_threads, "_send_threads", send_threads.SendThreads(2))
    backlog = pending_callbacks(5, agent_group, staff_user)
    attempts = sending.send_callbacks([r.pk for r in backlog])
    assert sorted(a.callback_id for a in attempts) == sorted(r.pk for r in backlog)
    assert len(sandbox.received()) == 5


def test_settling_a_due_callback_the_claim_did_not_take_leaves_it_to_the_next_sweep(
    agent_group, staff_user, queued
):
    """What settling does with a callback that is pending and due, yet was not claimed."""
    (callback,) = pending_callbacks(1, agent_group, staff_user)
    CallbackRequest.objects.filter(pk=callback.pk).update(queued_at=timezone.now())
    sending.settle_unclaimed({callback.pk}, timezone.now())
    callback.refresh_from_db()
    assert (callback.status, callback.queued_at) == (CallbackStatus.PENDING, None)
    assert sweeper.queue_due(timezone.now()) == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SKIP LOCKED is PostgreSQL's; SQLite runs one claim at a time (IMMEDIATE transactions)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # two connections, real locks
def test_a_claim_skips_a_callback_another_transaction_holds_and_the_next_sweep_queues_it(
    agent_group, staff_user, sandbox, queued
):
    (callback,) = pending_callbacks(1, agent_group, staff_user)
    held, done = threading.Event(), threading.Event()

    def hold_the_row():
        try:
            with transaction.atomic():
                CallbackRequest.objects.select_for_update().get(pk=callback.pk)
                held.set()
                done.wait(10)  # a claim that waited for the lock instead of skipping it gets it now
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert held.wait(10)
        assert sending.claim([callback.pk], timezone.now()) == []  # skipped, not waited for
    finally:
        done.set()
        holder.join(10)
    sending.settle_unclaimed({callback.pk}, timezone.now())  # what the task does next
    callback.refresh_from_db()
    assert (callback.status, callback.queued_at, callback.attempt_count) == (
        CallbackStatus.PENDING,
        None,
        0,
    )
    assert sweeper.queue_due(timezone.now()) == 1
    sending.send_callbacks([callback.pk])  # the task the sweeper queued
    callback.refresh_from_db()
    assert (callback.status, callback.attempt_count) == (CallbackStatus.PLACED, 1)
    assert len(sandbox.received()) == 1


def test_start_up_refuses_a_database_that_cannot_return_the_ids_of_a_bulk_insert(monkeypatch):
    from django.db import connection

    from callbacks import checks

    assert checks.database_returns_ids_of_bulk_inserts(None) == []
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    assert [error.id for error in checks.database_returns_ids_of_bulk_inserts(None)] == [
        "callbacks.E001"
    ]
