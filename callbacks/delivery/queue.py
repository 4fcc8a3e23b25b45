"""Handing callbacks to a worker through the broker, never waiting on it for long.

The database is the source of truth: a callback is committed before it is queued, and whatever a
broker loses or refuses the sweeper queues again. So a publish that fails or takes too long only
makes the rows forget they were queued.

The task is sent by its name: callbacks/tasks.py calls the services, and nothing here imports it
back (pyproject.toml's import contracts keep it so)."""

import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from celery import current_app
from django.conf import settings

from ..models import CallbackRequest, CallbackStatus

logger = logging.getLogger(__name__)
SEND_CALLBACKS_TASK = "callbacks.send_callbacks"  # registered by callbacks/tasks.py

# Publishing runs in these threads so that a hung broker (connected but silent: the Redis
# socket timeout is 5 s) cannot hold a page longer than CALLBACK_PUBLISH_TIMEOUT.
_publisher = ThreadPoolExecutor(max_workers=16, thread_name_prefix="callback-publish")


def countdown_to(due_at: datetime | None, now: datetime) -> float | None:
    """Seconds to wait in the broker, or None when the wait is too long for it (the sweeper
    queues the callback when it is nearly due): no countdown comes near the visibility timeout."""
    seconds = max(0.0, (due_at - now).total_seconds()) if due_at else 0.0
    return seconds if seconds <= settings.CALLBACK_MAX_COUNTDOWN else None


def publish(callback_ids: Iterable[int], countdown: float = 0.0) -> bool:
    """Hand callbacks to a worker, in one task; False if the broker did not take it in time.
    Then the rows forget they were queued and the sweeper queues them when the broker is back:
    nothing is lost, and the caller never hangs. (A publish that times out here but still lands
    makes a second task; the claim makes it send nothing.)"""
    callback_ids = list(callback_ids)
    future = _publisher.submit(hand_to_broker, callback_ids, countdown or None)
    try:
        future.result(timeout=settings.CALLBACK_PUBLISH_TIMEOUT)
    except Exception:
        logger.warning(
            "Could not queue callbacks %s; they stay pending for the sweeper",
            callback_ids,
            exc_info=True,
        )
        CallbackRequest.objects.filter(pk__in=callback_ids, status=CallbackStatus.PENDING).update(
            queued_at=None
        )
        return False
    return True


def hand_to_broker(callback_ids: list[int], countdown: float | None) -> None:
    """One send_callbacks task for these callbacks, after `countdown` seconds."""
    current_app.send_task(
        SEND_CALLBACKS_TASK, args=(callback_ids,), countdown=countdown, ignore_result=True
    )
