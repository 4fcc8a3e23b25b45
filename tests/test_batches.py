"""Batches: the sweeper queues a backlog CALLBACK_BATCH_SIZE requests to a task, and a worker
sends the requests of one task side by side, each claimed, sent and settled on its own terms."""

import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from callbacks import dispatch, exolve, sweeper
from callbacks.models import CallbackRequest, CallbackStatus, Contact, ContactNumber, DoNotCallNumber

pytestmark = pytest.mark.django_db


def pending_requests(count, agent_group, user):
    """`count` pending requests to different numbers, due now and never queued (a backlog)."""
    requests = []
    for i in range(Contact.objects.count(), Contact.objects.count() + count):
        contact = Contact.objects.create(name=f"Клиент {i}")
        ContactNumber.objects.create(contact=contact, number=f"7916123{i:04d}")
        requests.append(dispatch.request_callback(contact=contact, agent_group=agent_group, requested_by=user))
    CallbackRequest.objects.filter(pk__in=[r.pk for r in requests]).update(queued_at=None)
    return requests


def test_the_sweeper_queues_a_backlog_batch_size_requests_to_a_task(agent_group, staff_user, queued, settings):
    settings.CALLBACK_BATCH_SIZE = 2
    backlog = pending_requests(5, agent_group, staff_user)
    queued.clear()

    assert sweeper.queue_due(timezone.now()) == 5
    assert [len(request_ids) for request_ids, _ in queued] == [2, 2, 1]
    assert sorted(pk for request_ids, _ in queued for pk in request_ids) == sorted(r.pk for r in backlog)
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
        attempts = dispatch.send_callbacks([r.pk for r in backlog])

    assert len(attempts) == 3
    assert set(CallbackRequest.objects.filter(pk__in=[r.pk for r in backlog]).values_list("status", flat=True)) == {
        CallbackStatus.PLACED
    }
    assert len(sandbox.received()) == 3


def test_each_request_of_a_task_is_settled_on_its_own(
    agent_group, staff_user, sandbox, queued, django_capture_on_commit_callbacks
):
    blocked, early, done = pending_requests(3, agent_group, staff_user)
    answered = pending_requests(3, agent_group, staff_user)
    DoNotCallNumber.objects.create(number=ContactNumber.objects.get(contact=blocked.contact).number)
    CallbackRequest.objects.filter(pk=early.pk).update(next_attempt_at=timezone.now() + timedelta(seconds=30))
    CallbackRequest.objects.filter(pk=done.pk).update(status=CallbackStatus.PLACED)
    queued.clear()
    sandbox.script({"status": 200}, {"status": 400}, {"status": 503})  # in whatever order they arrive

    with django_capture_on_commit_callbacks(execute=True):  # the retry is queued on commit
        dispatch.send_callbacks([r.pk for r in [*answered, blocked, early, done]])

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


def test_an_answer_that_cannot_be_recorded_loses_none_of_the_others(agent_group, staff_user, sandbox, queued):
    backlog = pending_requests(3, agent_group, staff_user)
    broken = backlog[1].pk
    real_record = dispatch._record

    def record(attempt, result):
        if attempt.request_id == broken:
            raise RuntimeError("database gone for a moment")
        real_record(attempt, result)

    with mock.patch.object(dispatch, "_record", record):
        dispatch.send_callbacks([r.pk for r in backlog])

    statuses = dict(CallbackRequest.objects.filter(pk__in=[r.pk for r in backlog]).values_list("pk", "status"))
    # The unrecorded one stays "sending": the sweeper calls it unknown, it is never sent blindly again.
    assert statuses == {backlog[0].pk: "placed", broken: "sending", backlog[2].pk: "placed"}


def test_a_batch_claims_its_requests_only_when_a_thread_is_free_for_each():
    threads = dispatch.SendThreads(2)
    second_got_its_thread = threading.Event()

    def second_batch():
        threads.reserve(1)
        second_got_its_thread.set()

    threads.reserve(2)
    waiting = threading.Thread(target=second_batch)
    waiting.start()
    assert not second_got_its_thread.wait(0.3)
    threads.submit(lambda: None)  # a reserved thread sends and is free again
    assert second_got_its_thread.wait(5)
    waiting.join(5)
