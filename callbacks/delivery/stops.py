"""Stopping a redial that waits: the callback goes back to placed (the placement before it
stands), with its final state and why it is not placed again (callbacks/redial.py)."""

import logging
from datetime import datetime

from .. import redial
from ..models import CallbackRequest, CallbackStatus, RedialStop
from .transitions import Step, guard

logger = logging.getLogger(__name__)


def stop_redial(callback_id: int, stop: RedialStop, now: datetime) -> bool:
    """True if it was a waiting redial and is stopped now."""
    stopped = CallbackRequest.objects.filter(
        guard(Step.STOP_REDIAL, CallbackStatus.PLACED), pk=callback_id
    ).update(
        status=CallbackStatus.PLACED, next_attempt_at=None, finished_at=now, **redial.stopped(stop)
    )
    if stopped:
        logger.info("Callback %s: redial stopped (%s)", callback_id, stop)
    return bool(stopped)
