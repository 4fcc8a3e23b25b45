"""A worker's heartbeat: a bootstep whose own thread records, every WORKER_HEARTBEAT_INTERVAL
seconds, that this worker is alive and which queues it takes (models.WorkerHeartbeat, one upsert).
The board reads it: a Celery ping would keep the page waiting for every worker. A thread of its
own, not the worker's timer: a database slow to answer (or SQLite's lock held by another process)
then delays nothing but the next beat."""

import logging
import threading
from typing import Any

from celery import bootsteps

logger = logging.getLogger(__name__)


class Heartbeat(bootsteps.StartStopStep):
    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self, worker: Any) -> None:
        self.thread = threading.Thread(
            target=self.beat_until_stopped, args=(worker,), name="heartbeat", daemon=True
        )
        self.thread.start()

    def stop(self, worker: Any) -> None:
        self.stopped.set()

    def beat_until_stopped(self, worker: Any) -> None:
        from django.conf import settings
        from django.db import connection

        try:
            while not self.stopped.is_set():
                beat(worker)
                self.stopped.wait(settings.WORKER_HEARTBEAT_INTERVAL)
        finally:
            connection.close()  # this thread's own connection


def beat(worker: Any) -> None:
    from django.utils import timezone

    from callbacks.models import WorkerHeartbeat

    queues = ",".join(sorted(worker.app.amqp.queues.consume_from or {}))
    try:
        WorkerHeartbeat.objects.bulk_create(
            [WorkerHeartbeat(hostname=worker.hostname, queues=queues, beat_at=timezone.now())],
            update_conflicts=True,
            unique_fields=["hostname"],
            update_fields=["queues", "beat_at"],
        )
    except Exception:  # the database away for a moment: the next beat tries again
        logger.warning("The worker's heartbeat could not be recorded", exc_info=True)
