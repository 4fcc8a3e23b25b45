"""The sweeper: a Celery beat task that keeps the database's promises when the broker did not.

It queues every pending callback that is (nearly) due and was never queued (the broker was down,
or the wait was too long for a countdown) or was queued long ago and is still pending (the task
was lost). It gives up as unknown the sends with no answer recorded long after they started
(their worker died): such a callback may have rung the customer, so only a person may place it
again. Then it links the call events that came before their call id was recorded, and last
records that it ran (the heartbeat /readyz reads: a sweep that fails records nothing).
"""

import itertools
import logging
import math
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import call_events, health, log_context
from ..models import AttemptResult, CallbackAttempt, CallbackRequest, CallbackStatus
from . import queue
from .transitions import Step, guard

logger = logging.getLogger(__name__)
BATCH_SIZE = 500  # per sweep and kind; the next sweep takes the rest


def sweep() -> dict[str, int]:
    now = timezone.now()
    done = {
        "queued": queue_due(now),
        "lost": give_up_lost_sends(now),
        "events_linked": call_events.link_early_events(),
    }
    health.record_sweep(timezone.now())
    return done


def _queueable(now: datetime) -> QuerySet[CallbackRequest]:
    # Due before the next sweep, but never further ahead than a countdown may reach.
    horizon = now + timedelta(
        seconds=min(settings.CALLBACK_SWEEP_INTERVAL, settings.CALLBACK_MAX_COUNTDOWN)
    )
    stale = now - timedelta(seconds=settings.CALLBACK_REQUEUE_AFTER)
    return (
        CallbackRequest.objects.filter(status=CallbackStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=horizon))
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lte=stale))
    )


def queue_due(now: datetime) -> int:
    """Queue what is due before the next sweep, with the countdown to its time; callbacks due in
    the same second go CALLBACK_BATCH_SIZE to a task."""
    with transaction.atomic():
        # Marked queued under a lock: a second sweeper running at once queues nothing twice.
        due = list(
            _queueable(now)
            .select_for_update(skip_locked=True, no_key=True)
            .order_by("next_attempt_at")
            .values_list("pk", "next_attempt_at")[:BATCH_SIZE]
        )
        CallbackRequest.objects.filter(pk__in=[callback_id for callback_id, _ in due]).update(
            queued_at=now
        )
    queued = 0
    tasks = list(_tasks(due, now))
    for index, (callback_ids, countdown) in enumerate(tasks):
        if not queue.publish(callback_ids, countdown):
            # The broker is down: publish forgot these, the rest are forgotten here; the next
            # sweep tries again.
            unpublished = [
                callback_id for later_ids, _ in tasks[index + 1 :] for callback_id in later_ids
            ]
            CallbackRequest.objects.filter(pk__in=unpublished, queued_at=now).update(queued_at=None)
            break
        queued += len(callback_ids)
    if queued:
        logger.info("Sweeper queued %d callback(s)", queued)
    return queued


def _tasks(
    due: Sequence[tuple[int, datetime | None]], now: datetime
) -> Iterator[tuple[list[int], float]]:
    """(callback ids, countdown) per task: the callbacks due in the same second together (never
    early: the countdown is rounded up, within the longest allowed), at most CALLBACK_BATCH_SIZE
    to a task."""
    # countdown_to is never None here: the horizon is within the longest countdown.
    seconds = sorted(
        (
            min(math.ceil(queue.countdown_to(due_at, now) or 0.0), settings.CALLBACK_MAX_COUNTDOWN),
            callback_id,
        )
        for callback_id, due_at in due
    )
    for countdown, group in itertools.groupby(seconds, key=lambda pair: pair[0]):
        callback_ids = [callback_id for _, callback_id in group]
        for start in range(0, len(callback_ids), settings.CALLBACK_BATCH_SIZE):
            yield callback_ids[start : start + settings.CALLBACK_BATCH_SIZE], float(countdown)


def give_up_lost_sends(now: datetime) -> int:
    """Mark unknown the sends that started too long ago to be still in flight."""
    cutoff = now - timedelta(seconds=settings.CALLBACK_LOST_AFTER)
    lost = CallbackRequest.objects.filter(
        guard(Step.GIVE_UP, CallbackStatus.UNKNOWN), claimed_at__lte=cutoff
    )
    error = _(
        "No answer was recorded within %(seconds)d s of sending: the worker most likely stopped "
        "while the request may have been in flight. The call may have been placed."
    ) % {"seconds": settings.CALLBACK_LOST_AFTER}
    given_up = 0
    for callback_id, sequence in lost.values_list("pk", "attempt_count")[:BATCH_SIZE]:
        with log_context.about_callback(callback_id):
            given_up += _give_up(lost, callback_id, sequence, error, now)
    if given_up:
        logger.warning("Sweeper marked %d lost send(s) unknown", given_up)
    return given_up


def _give_up(
    lost: QuerySet[CallbackRequest], callback_id: int, sequence: int, error: str, now: datetime
) -> bool:
    """The callback, then its attempt (docs/architecture.md's lock order); False if its answer
    was recorded meanwhile."""
    with transaction.atomic():
        if not lost.filter(pk=callback_id, attempt_count=sequence).update(
            status=CallbackStatus.UNKNOWN, error=error, finished_at=now
        ):
            return False
        CallbackAttempt.objects.filter(
            callback_id=callback_id, sequence=sequence, result=AttemptResult.SENDING
        ).update(result=AttemptResult.UNKNOWN, error=error, finished_at=now)
    logger.warning(
        "Callback %s attempt %s: no answer recorded, marked unknown", callback_id, sequence
    )
    return True
