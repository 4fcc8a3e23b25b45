"""The sweeper: it queues what is due and was never queued or got lost, a backlog
CALLBACK_BATCH_SIZE to a task grouped by the second it is due, and gives up lost sends as
unknown."""

from datetime import timedelta

import pytest
from django.utils import timezone

from callbacks.delivery import (
    sending,
    sweeper,
)
from callbacks.models import (
    AttemptResult,
    CallbackRequest,
    CallbackStatus,
)
from tests.helpers import ask_for_callback, make_contact, pending_callbacks

pytestmark = pytest.mark.django_db


def test_the_sweeper_queues_what_was_never_queued_or_got_lost_and_leaves_the_rest(
    callback, contact, agent_group, staff_user, queued, settings
):
    settings.CALLBACK_REQUEUE_AFTER = 120
    now = timezone.now()
    never_queued = callback
    CallbackRequest.objects.filter(pk=never_queued.pk).update(queued_at=None)
    lost = ask_for_callback(make_contact(), agent_group, staff_user)
    CallbackRequest.objects.filter(pk=lost.pk).update(queued_at=now - timedelta(seconds=300))
    fresh = ask_for_callback(make_contact("79161234568", "Анна"), agent_group, staff_user)
    CallbackRequest.objects.filter(pk=fresh.pk).update(queued_at=now)
    far = ask_for_callback(make_contact("79161234569", "Олег"), agent_group, staff_user)
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


def test_the_sweeper_queues_a_scheduled_callback_with_the_countdown_to_its_time(
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


def test_the_sweeper_queues_a_backlog_batch_size_callbacks_to_a_task(
    agent_group, staff_user, queued, settings
):
    settings.CALLBACK_BATCH_SIZE = 2
    backlog = pending_callbacks(5, agent_group, staff_user)
    queued.clear()

    assert sweeper.queue_due(timezone.now()) == 5
    assert [len(callback_ids) for callback_ids, _ in queued] == [2, 2, 1]
    assert sorted(pk for callback_ids, _ in queued for pk in callback_ids) == sorted(
        r.pk for r in backlog
    )
    assert {countdown for _, countdown in queued} == {None}


def test_the_sweeper_groups_callbacks_by_the_second_they_are_due(agent_group, staff_user, queued):
    now = timezone.now()
    backlog = pending_callbacks(4, agent_group, staff_user)
    for callback, seconds in zip(backlog, [0, 0.3, 0.7, 2.0], strict=False):
        CallbackRequest.objects.filter(pk=callback.pk).update(
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
    (callback,) = pending_callbacks(1, agent_group, staff_user)
    CallbackRequest.objects.filter(pk=callback.pk).update(
        next_attempt_at=now + timedelta(seconds=30.2)
    )
    queued.clear()
    assert sweeper.queue_due(now) == 1
    assert queued == [((callback.pk,), 30.5)]


def test_when_the_broker_fails_mid_sweep_only_what_was_handed_over_stays_queued(
    agent_group, staff_user, settings, monkeypatch
):
    settings.CALLBACK_BATCH_SIZE = 2
    backlog = pending_callbacks(5, agent_group, staff_user)
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


def test_the_sweep_task_runs_both_sweeps(callback, settings):
    from callbacks.tasks import sweep

    sending.claim([callback.pk], timezone.now())
    settings.CALLBACK_LOST_AFTER = 0
    sweep.run()
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.UNKNOWN
