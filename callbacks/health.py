"""What /healthz and /readyz answer, and the sweeper's heartbeat that /readyz reads.

Readiness is three checks: the database answers, the broker takes a connection, and the sweeper
finished a sweep within HEALTH_SWEEPER_MAX_AGE. Each runs in a thread of its own and is waited for
until one deadline (HEALTH_CHECK_TIMEOUT), so a server that accepts a connection and never
answers cannot hold the answer. A failing part is named with one word; why it failed goes to the
log only, where secrets are redacted (an error's text may carry a host, a user or a URL).
"""

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import SweeperHeartbeat, WorkerHeartbeat

logger = logging.getLogger(__name__)

WORKERS_FORGOTTEN_AFTER = timedelta(days=1)
OK = "ok"
TIMEOUT = "timeout"  # no answer before the deadline
ERROR = "error"  # the check failed (the log says why)
STALE = "stale"  # the sweeper's last sweep is older than HEALTH_SWEEPER_MAX_AGE
NEVER = "never"  # no sweep has ever been recorded


def record_sweep(now: datetime) -> None:
    """The sweeper finished a sweep at `now`: one upsert, so sweepers at once never collide. The
    heartbeats of workers gone for a day go (a restarted container comes back under a new name)."""
    SweeperHeartbeat.objects.bulk_create(
        [SweeperHeartbeat(id=SweeperHeartbeat.ONLY, swept_at=now)],
        update_conflicts=True,
        unique_fields=["id"],
        update_fields=["swept_at"],
    )
    WorkerHeartbeat.objects.filter(beat_at__lt=now - WORKERS_FORGOTTEN_AFTER).delete()


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()  # this thread's own connection: nothing else would ever close it
    return OK


def _broker() -> str:
    # One try, no retry: kombu's own connect() sleeps 2 s before its retry.
    with current_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=0)
    return OK


def _sweeper() -> str:
    try:
        return sweeper_state()
    finally:
        connection.close()


def sweeper_state() -> str:
    """OK if a sweep finished within HEALTH_SWEEPER_MAX_AGE, else STALE, or NEVER (one query on
    the caller's connection: the board asks it at every refresh)."""
    swept_at = SweeperHeartbeat.objects.values_list("swept_at", flat=True).first()
    if swept_at is None:
        return NEVER
    age = (timezone.now() - swept_at).total_seconds()
    return OK if age <= settings.HEALTH_SWEEPER_MAX_AGE else STALE


CHECKS: dict[str, Callable[[], str]] = {
    "database": _database,
    "broker": _broker,
    "sweeper": _sweeper,
}
# Threads of each check's own, so a check stuck on its server never delays the others' answers;
# two, so one stuck check still leaves one to answer the next probe.
_threads = {
    part: ThreadPoolExecutor(max_workers=2, thread_name_prefix=f"readyz-{part}") for part in CHECKS
}


def readiness() -> dict[str, str]:
    """Each part's state (OK or why not), within HEALTH_CHECK_TIMEOUT whatever the servers do."""
    deadline = time.monotonic() + settings.HEALTH_CHECK_TIMEOUT
    futures = {part: _threads[part].submit(CHECKS[part]) for part in CHECKS}
    return {part: _state(part, future, deadline) for part, future in futures.items()}


def _state(part: str, future: "Future[str]", deadline: float) -> str:
    try:
        return future.result(timeout=max(0.0, deadline - time.monotonic()))
    except TimeoutError:
        future.cancel()  # still waiting for a thread: never run it late
        logger.warning("Readiness: the %s check did not answer in time", part)
        return TIMEOUT
    except Exception:
        logger.warning("Readiness: the %s check failed", part, exc_info=True)
        return ERROR
