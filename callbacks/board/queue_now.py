"""The queue now: callbacks waiting, scheduled, being sent and redials, each a condition the
board counts and the call log page filters by (its "In the queue" filter), and whether the
workers and the sweeper are alive."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Min, Q, TextChoices
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from ..models import OPEN_STATUSES, CallbackRequest, CallbackStatus, WorkerHeartbeat

NEXT_HOUR = timedelta(hours=1)
HEARTBEATS_MISSED = 3  # a worker not heard from for this many intervals is gone


class InQueue(TextChoices):
    WAITING = "waiting", _("Waiting, due now")
    NEXT_HOUR = "next_hour", _("Scheduled within the hour")
    LATER = "later", _("Scheduled later")
    SENDING = "sending", _("Being sent")
    REDIALS = "redials", _("Redials waiting")


def condition(state: InQueue, now: datetime) -> Q:
    """Customers' callbacks in this state of the queue at `now` (a redial is also waiting or
    scheduled)."""
    customers = Q(is_test=False)
    if state == InQueue.SENDING:
        return customers & Q(status=CallbackStatus.SENDING)
    pending = customers & Q(status=CallbackStatus.PENDING)
    if state == InQueue.WAITING:
        return pending & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    if state == InQueue.NEXT_HOUR:
        return pending & Q(next_attempt_at__gt=now, next_attempt_at__lte=now + NEXT_HOUR)
    if state == InQueue.LATER:
        return pending & Q(next_attempt_at__gt=now + NEXT_HOUR)
    return pending & Q(placement_count__gt=0)


@dataclass(frozen=True)
class QueueNow:
    counts: dict[InQueue, int]
    waiting_since: datetime | None  # the longest-waiting due callback: due (or pressed) then
    next_redial_at: datetime | None


def queue_now(now: datetime) -> QueueNow:
    """One query over the open callbacks (a partial index keeps them few)."""
    open_callbacks = CallbackRequest.objects.filter(status__in=OPEN_STATUSES)
    figures = open_callbacks.aggregate(
        **{state.value: Count("pk", filter=condition(state, now)) for state in InQueue},
        waiting_since=Min(
            Coalesce("next_attempt_at", "requested_at"), filter=condition(InQueue.WAITING, now)
        ),
        next_redial_at=Min("next_attempt_at", filter=condition(InQueue.REDIALS, now)),
    )
    return QueueNow(
        counts={state: figures[state.value] for state in InQueue},
        waiting_since=figures["waiting_since"],
        next_redial_at=figures["next_redial_at"],
    )


@dataclass(frozen=True)
class Worker:
    hostname: str
    queues: str
    beat_at: datetime


def live_workers(now: datetime) -> list[Worker]:
    gone = now - timedelta(seconds=HEARTBEATS_MISSED * settings.WORKER_HEARTBEAT_INTERVAL)
    rows = WorkerHeartbeat.objects.filter(beat_at__gte=gone).order_by("hostname")
    return [Worker(row.hostname, row.queues, row.beat_at) for row in rows]


def sending_worker_alive(workers: list[Worker]) -> bool:
    """A worker takes the queue the callbacks are sent from."""
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    return any(queue in worker.queues.split(",") for worker in workers)
