"""Retention: delete call events and attempts older than a configured age, in small batches.

Never in the default configuration (CALLBACK_RETENTION_DAYS = 0 keeps everything). Each batch is
its own short transaction over at most CALLBACK_RETENTION_BATCH rows picked by primary key, so
no table is locked for long and the call log stays readable while it runs. Callbacks stay: they
are the record of who asked for what. Attempts of a callback whose status may still change
(pending, sending, unknown), and their events, are kept whatever their age."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from .models import OPEN_STATUSES, CallbackAttempt, CallbackStatus, CallEvent, CallLeg

logger = logging.getLogger(__name__)
UNSETTLED_STATUSES = [*OPEN_STATUSES, CallbackStatus.UNKNOWN]


def purge(older_than_days: int, batch_size: int, now: datetime | None = None) -> dict[str, int]:
    """Delete what is older than the age, and the legs of calls with no event left; returns
    {"events": n, "attempts": n, "legs": n}."""
    cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
    events = CallEvent.objects.filter(received_at__lt=cutoff).exclude(
        attempt__callback__status__in=UNSETTLED_STATUSES
    )
    attempts = CallbackAttempt.objects.filter(started_at__lt=cutoff).exclude(
        callback__status__in=UNSETTLED_STATUSES
    )
    deleted = {
        "events": _in_batches(events, batch_size),
        "attempts": _in_batches(attempts, batch_size),
    }
    legs = CallLeg.objects.exclude(Exists(CallEvent.objects.filter(call_sid=OuterRef("call_sid"))))
    deleted["legs"] = _in_batches(legs, batch_size)
    logger.info(
        "Retention: deleted %(events)d call events, %(attempts)d attempts and %(legs)d call legs",
        deleted,
    )
    return deleted


def _in_batches(queryset: QuerySet[models.Model], batch_size: int) -> int:
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                return deleted
            # An attempt's own events go with it (CASCADE), whatever their age.
            # The batch's condition again: a row that no longer meets it meanwhile stays.
            _total, per_model = queryset.filter(pk__in=ids).delete()
            deleted += per_model.get(queryset.model._meta.label, 0)


def purge_configured() -> dict[str, int] | None:
    """The periodic task's work: nothing unless CALLBACK_RETENTION_DAYS is set."""
    if not settings.CALLBACK_RETENTION_DAYS:
        return None
    return purge(settings.CALLBACK_RETENTION_DAYS, settings.CALLBACK_RETENTION_BATCH)
