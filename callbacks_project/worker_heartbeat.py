"""A worker's heartbeat: a bootstep that records, every WORKER_HEARTBEAT_INTERVAL seconds on the
worker's own timer, that this worker is alive and which queues it takes (models.WorkerHeartbeat,
one upsert). The board reads it: a Celery ping would keep the page waiting for every worker."""

import logging
from typing import Any

from celery import bootsteps

logger = logging.getLogger(__name__)


class Heartbeat(bootsteps.StartStopStep):
    requires = ("celery.worker.components:Timer",)

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.timer_entry: Any = None

    def start(self, worker: Any) -> None:
        from django.conf import settings

        beat(worker)
        self.timer_entry = worker.timer.call_repeatedly(
            settings.WORKER_HEARTBEAT_INTERVAL, beat, (worker,), priority=10
        )

    def stop(self, worker: Any) -> None:
        if self.timer_entry is not None:
            self.timer_entry.cancel()


def beat(worker: Any) -> None:
    from django.db import close_old_connections
    from django.utils import timezone

    from callbacks.models import WorkerHeartbeat

    queues = ",".join(sorted(worker.app.amqp.queues.consume_from or {}))
    try:
        close_old_connections()
        WorkerHeartbeat.objects.bulk_create(
            [WorkerHeartbeat(hostname=worker.hostname, queues=queues, beat_at=timezone.now())],
            update_conflicts=True,
            unique_fields=["hostname"],
            update_fields=["queues", "beat_at"],
        )
    except Exception:  # the database away for a moment: the next beat tries again
        logger.warning("The worker's heartbeat could not be recorded", exc_info=True)
