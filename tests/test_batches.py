"""Batches: the sweeper queues a backlog CALLBACK_BATCH_SIZE requests to a task, and a worker
sends the requests of one task side by side, each claimed, sent and settled on its own terms."""

import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from callbacks import exolve
from callbacks.delivery import recording, send_threads, sending, sweeper
from callbacks.models import (
    CallbackRequest,
    CallbackStatus,
    ContactNumber,
    DoNotCallNumber,
)
from tests.helpers import make_requests

pytestmark = pytest.mark.django_db


def pending_requests(count, agent_group, user):
    """`count` pending requests to different numbers, due now and never queued (a backlog)."""
    return make_requests(count, agent_group, user, status=CallbackStatus.PENDING, queued_at=None)


def test_the_sweeper_queues_a_backlog_batch_size_requests_to_a_task(
    agent_group, staff_user, queued, settings
):
    settings.CALLBACK_BATCH_SIZE = 2
    backlog = pending_requests(5, agent_group, staff_user)
    queued.clear()

    assert sweeper.queue_due(timezone.now()) == 5
    assert [len(request_ids) for request_ids, _ in queued] == [2, 2, 1]
    assert sorted(pk for request_ids, _ in queued for pk in request_ids) == sorted(
        r.pk for r in backlog
    )
    assert {countdown for _, countdown in queued} == {None}


def test_the_requests_of_one_task_are_sent_side_by_side(agent_group, staff_user, sandbox, queued):
    backlog = pending_requests(3, agent_group, staff_user)
    # Each send waits until all three are in flight: one after another, the first would wait in vain.
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


def test_each_request_of_a_task_is_settled_on_its_own(
    agent_group, staff_user, sandbox, queued, django_capture_on_commit_callbacks
):
    blocked, early, done = pending_requests(3, agent_group, staff_user)
    answered = pending_requests(3, agent_group, staff_user)
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
    for request in answered:
        request.refresh_from_db()
        (attempt,) = request.attempts.all()
        assert request.status == expected[attempt.http_status]
    assert sorted(r.status for r in answered) == sorted(expected.values())
    blocked.refresh_from_db()
    assert (blocked.status, blocked.attempt_count) == (CallbackStatus.REFUSED, 0)
    assert CallbackRequest.objects.get(pk=early.pk).status == CallbackStatus.PENDING
    assert CallbackRequest.objects.get(pk=done.pk).attempt_count == 0
    retried = next(r for r in answered if r.status == CallbackStatus.PENDING)
    assert sorted(request_ids for request_ids, _ in queued) == sorted([(early.pk,), (retried.pk,)])


def test_an_answer_that_cannot_be_recorded_loses_none_of_the_others(
    agent_group, staff_user, sandbox, queued
):
    backlog = pending_requests(3, agent_group, staff_user)
    broken = backlog[1].pk
    real_record = recording.record

    def record(attempt, result):
        if attempt.callback_id == broken:
            raise RuntimeError("database gone for a moment")
        real_record(attempt, result)

    with mock.patch.object(sending, "record", record):
        sending.send_callbacks([r.pk for r in backlog])

    statuses = dict(
        CallbackRequest.objects.filter(pk__in=[r.pk for r in backlog]).values_list("pk", "status")
    )
    # The unrecorded one stays "sending": the sweeper calls it unknown, it is never sent blindly again.
    assert statuses == {backlog[0].pk: "placed", broken: "sending", backlog[2].pk: "placed"}


def test_a_batch_claims_its_requests_only_when_a_thread_is_free_for_each_and_in_turn():
    threads = send_threads.SendThreads(2)
    got = {"batch": threading.Event(), "press": threading.Event()}

    def wants(name, count):
        threads.reserve(count)
        got[name].set()

    threads.reserve(2)  # both threads busy
    batch = threading.Thread(target=wants, args=("batch", 2), daemon=True)
    batch.start()
    assert not got["batch"].wait(0.3)
    press = threading.Thread(target=wants, args=("press", 1), daemon=True)  # asks after the batch
    press.start()
    threads.submit(
        lambda: None
    )  # one thread free again: the batch still needs two, and it was first
    assert not got["press"].wait(0.3)
    threads.submit(lambda: None)
    assert got["batch"].wait(5)
    assert not got["press"].is_set()  # the batch took both
    threads.release(2)
    assert got["press"].wait(5)
    batch.join(5)
    press.join(5)


def test_a_failing_claim_gives_every_reserved_thread_back(
    agent_group, staff_user, queued, monkeypatch
):
    threads = send_threads.SendThreads(3)
    monkeypatch.setattr(send_threads, "_send_threads", threads)
    backlog = pending_requests(3, agent_group, staff_user)
    monkeypatch.setattr(sending, "claim", mock.Mock(side_effect=RuntimeError("database gone")))
    with pytest.raises(RuntimeError):
        sending.send_callbacks([r.pk for r in backlog])
    threads.reserve(3)  # would wait for ever if the failed batch had kept its threads


def test_a_task_with_more_requests_than_send_threads_sends_them_all(
    agent_group, staff_user, sandbox, queued, monkeypatch
):
    monkeypatch.setattr(send_threads, "_send_threads", send_threads.SendThreads(2))
    backlog = pending_requests(5, agent_group, staff_user)
    attempts = sending.send_callbacks([r.pk for r in backlog])
    assert sorted(a.callback_id for a in attempts) == sorted(r.pk for r in backlog)
    assert len(sandbox.received()) == 5


def test_a_due_request_another_transaction_held_is_left_to_the_next_sweep(
    agent_group, staff_user, queued
):
    """What a claim on PostgreSQL finds when another transaction holds the row (SKIP LOCKED)."""
    (request,) = pending_requests(1, agent_group, staff_user)
    CallbackRequest.objects.filter(pk=request.pk).update(queued_at=timezone.now())
    sending.settle_unclaimed({request.pk}, timezone.now())
    request.refresh_from_db()
    assert (request.status, request.queued_at) == (CallbackStatus.PENDING, None)
    assert sweeper.queue_due(timezone.now()) == 1


def test_the_sweeper_groups_requests_by_the_second_they_are_due(agent_group, staff_user, queued):
    now = timezone.now()
    backlog = pending_requests(4, agent_group, staff_user)
    for request, seconds in zip(backlog, [0, 0.3, 0.7, 2.0], strict=False):
        CallbackRequest.objects.filter(pk=request.pk).update(
            next_attempt_at=now + timedelta(seconds=seconds)
        )
    queued.clear()
    assert sweeper.queue_due(now) == 4
    assert sorted(queued, key=lambda task: task[1] or 0) == [
        ((backlog[0].pk,), None),
        ((backlog[1].pk, backlog[2].pk), 1.0),  # never early: rounded up
        ((backlog[3].pk,), 2.0),
    ]


def test_rounding_up_never_passes_the_longest_countdown(agent_group, staff_user, queued, settings):
    settings.CALLBACK_MAX_COUNTDOWN = 30.5
    settings.CALLBACK_SWEEP_INTERVAL = 60
    now = timezone.now()
    (request,) = pending_requests(1, agent_group, staff_user)
    CallbackRequest.objects.filter(pk=request.pk).update(
        next_attempt_at=now + timedelta(seconds=30.2)
    )
    queued.clear()
    assert sweeper.queue_due(now) == 1
    assert queued == [((request.pk,), 30.5)]


def test_when_the_broker_fails_mid_sweep_only_what_was_handed_over_stays_queued(
    agent_group, staff_user, settings, monkeypatch
):
    settings.CALLBACK_BATCH_SIZE = 2
    backlog = pending_requests(5, agent_group, staff_user)
    handed_over = []

    def broker_fails_after_the_first_task(callback_ids, countdown):
        if handed_over:
            raise OSError("Connection refused")
        handed_over.extend(callback_ids)

    monkeypatch.setattr(
        "callbacks.delivery.queue.hand_to_broker", broker_fails_after_the_first_task
    )
    assert sweeper.queue_due(timezone.now()) == 2
    queued_ids = set(
        CallbackRequest.objects.filter(queued_at__isnull=False).values_list("pk", flat=True)
    )
    assert queued_ids == set(handed_over)
    assert len(queued_ids) == 2
    assert (
        CallbackRequest.objects.filter(pk__in=[r.pk for r in backlog], queued_at=None).count() == 3
    )


def test_start_up_refuses_a_database_that_cannot_return_the_ids_of_a_bulk_insert(monkeypatch):
    from django.db import connection

    from callbacks import checks

    assert checks.database_returns_ids_of_bulk_inserts(None) == []
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    assert [error.id for error in checks.database_returns_ids_of_bulk_inserts(None)] == [
        "callbacks.E001"
    ]
