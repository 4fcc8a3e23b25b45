"""Exolve's "Callback Call Events": received, stored as sent, linked to the attempt whose call
id they carry, and turned into the callback's outcome (callbacks/outcomes.py).

Exolve may send an event twice and in any order, and before we have recorded the call id it
belongs to: a duplicate is one row, every event updates its leg (call_legs.py) and the outcome is
read from the two legs, and events that came early are linked when the call id is recorded (and
by the sweeper). Whatever arrives, it is stored whole or answered with the reason it is not."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from . import call_legs, locks, log_context, outcomes, redial, untrusted_json
from .models import (
    CALL_ID_MAX_LENGTH,
    CallbackAttempt,
    CallbackRequest,
    CallbackStatus,
    CallEvent,
    CallOutcome,
    ContactLeg,
)

logger = logging.getLogger(__name__)
IDENTITY_FIELDS = {"call_sid": CALL_ID_MAX_LENGTH, "event_side": 16, "type": 16, "date_time": 64}
BATCH_SIZE = 500  # unlinked calls per sweep


class BadEvent(ValueError):
    """An event we cannot store, with the reason for the sender."""


def body_too_long() -> BadEvent:
    return BadEvent(
        _("The body is longer than %(max)d bytes.") % {"max": settings.EXOLVE_EVENT_MAX_BYTES}
    )


def parse_event(body: bytes) -> dict[str, Any]:
    """The event's fields from a request body, or BadEvent saying what is wrong with it."""
    if len(body) > settings.EXOLVE_EVENT_MAX_BYTES:  # no Content-Length said so beforehand
        raise body_too_long()
    try:
        payload = untrusted_json.loads(body)
    except untrusted_json.NotPlainJson as exc:
        raise BadEvent(str(exc)) from None
    if not isinstance(payload, dict):
        raise BadEvent(_("The body must be a JSON object."))
    for field, max_length in IDENTITY_FIELDS.items():
        value = payload.get(field)
        if not isinstance(value, str) or not value.strip():
            raise BadEvent(_("“%(field)s” must be a non-empty string.") % {"field": field})
        if len(value) > max_length:
            raise BadEvent(
                _("“%(field)s” is longer than %(max)d characters.")
                % {"field": field, "max": max_length}
            )
    if outcomes.parse_time(payload["date_time"]) is None:
        raise BadEvent(
            _("“date_time” must be an RFC 3339 time with its offset, from year 2000 to 2999.")
        )
    return payload


@dataclass(frozen=True)
class Receipt:
    """What became of an event: stored now (not a duplicate), linked to its attempt, or dropped
    (with the reason)."""

    stored: bool
    linked: bool
    dropped: str = ""

    @property
    def kind(self) -> str:
        """stored, duplicate or dropped: the metrics' label."""
        return "stored" if self.stored else "dropped" if self.dropped else "duplicate"


def receive_event(payload: dict[str, Any]) -> Receipt:
    """Store one event (once), add it to its leg, link it, and update the outcome."""
    event = CallEvent(
        call_sid=payload["call_sid"],
        event_side=payload["event_side"],
        type=payload["type"],
        date_time=payload["date_time"],
        occurred_at=cast(
            datetime, outcomes.parse_time(payload["date_time"])
        ),  # parse_event read it
        payload=payload,
    )
    with transaction.atomic():
        # Under the call's lock, the attempt is looked up and the event saved as one step, so
        # a call id being recorded meanwhile either is seen here or links this event itself.
        locks.hold(locks.CALLS, [event.call_sid])
        if _events_of_call(event.call_sid) >= settings.EXOLVE_EVENTS_PER_CALL:
            return _dropped(event)
        event.attempt = _attempt_with_call_id(event.call_sid)
        try:
            with transaction.atomic():
                event.save()
        except IntegrityError:  # the same event again: one row
            duplicate = CallEvent.objects.get(
                **{field: payload[field] for field in IDENTITY_FIELDS}
            )
            return Receipt(stored=False, linked=duplicate.attempt_id is not None)
        call_legs.fold(event)
        if event.attempt:
            _outcome_or_link_later(event)
    with log_context.about_callback(event.attempt.callback_id if event.attempt else None):
        logger.info(
            "Call event %s %s %s: %s",
            event.call_sid,
            event.event_side,
            event.type,
            "linked" if event.attempt else "kept",
        )
    return Receipt(stored=True, linked=event.attempt is not None)


def _events_of_call(call_id: str) -> int:
    """How many events the call has, counted no further than the limit (a bounded index scan)."""
    return len(
        CallEvent.objects.filter(call_sid=call_id).values_list("pk", flat=True)[
            : settings.EXOLVE_EVENTS_PER_CALL
        ]
    )


def _dropped(event: CallEvent) -> Receipt:
    logger.warning(
        "Call event %s %s %s dropped: the call has %d events, the most kept",
        event.call_sid,
        event.event_side,
        event.type,
        settings.EXOLVE_EVENTS_PER_CALL,
    )
    reason = _("The call already has the maximum number of events kept (%(count)d).") % {
        "count": settings.EXOLVE_EVENTS_PER_CALL
    }
    return Receipt(stored=False, linked=False, dropped=reason)


def _attempt_with_call_id(call_id: str) -> CallbackAttempt | None:
    return (
        CallbackAttempt.objects.filter(call_id=call_id).only("id", "callback_id", "call_id").first()
    )


def calls_with_early_events(call_ids: Iterable[str]) -> set[str]:
    """Those of the calls whose events wait to be linked (they came before the call id)."""
    unlinked = CallEvent.objects.filter(call_sid__in=list(call_ids), attempt=None)
    return set(unlinked.values_list("call_sid", flat=True).distinct())


def link_events(attempt: CallbackAttempt) -> None:
    """Link the events that came before the attempt's call id was recorded. Called inside the
    transaction that records the call id, it adds one statement and no commit of its own."""
    with transaction.atomic(savepoint=False):
        if CallEvent.objects.filter(call_sid=attempt.call_id, attempt=None).update(attempt=attempt):
            _update_outcome(attempt)


def link_early_events() -> int:
    """The sweeper's part: events whose call id an attempt has recorded since they came."""
    known = CallbackAttempt.objects.exclude(call_id="").values("call_id")
    call_ids = CallEvent.objects.filter(attempt=None, call_sid__in=known).values_list(
        "call_sid", flat=True
    )
    linked = 0
    for call_id in list(call_ids.order_by().distinct()[:BATCH_SIZE]):
        try:
            with transaction.atomic():
                locks.hold(locks.CALLS, [call_id])
                attempt = _attempt_with_call_id(call_id)
                if attempt is not None:
                    link_events(attempt)
        except Exception:  # one call's events never stop the others'
            logger.exception("Linking the early events of call %s failed", call_id)
            continue
        linked += 1
    return linked


def _outcome_or_link_later(event: CallEvent) -> None:
    """The outcome (and a redial) with this event, in a savepoint: if that fails, the event is
    still kept, unlinked, and the sweeper links it again and retries (link_early_events)."""
    assert event.attempt is not None
    try:
        with transaction.atomic():
            _update_outcome(event.attempt)
    except Exception:
        logger.exception("Callback %s: updating the outcome failed", event.attempt.callback_id)
        CallEvent.objects.filter(pk=event.pk).update(attempt=None)
        event.attempt = None


def _update_outcome(attempt: CallbackAttempt) -> None:
    # The row lock makes events of one call recompute one after another, each seeing the others.
    callback = (
        CallbackRequest.objects.select_for_update()
        .only(*OUTCOME_FIELDS)
        .get(pk=attempt.callback_id)
    )
    if callback.call_id != attempt.call_id or not _outcome_still_open(callback):
        return  # an earlier call of the callback, or one whose fate is decided: kept as it is
    (first, second), finals = call_legs.legs(attempt.call_id)
    outcome = outcomes.call_outcome(first, second, contact_first=contact_is_first(callback))
    final = bool(finals) and outcomes.is_final(first, second)
    changes: dict[str, Any] = {
        "call_outcome": outcome,
        "final_event_at": max(finals) if final else None,
        "connected_at": connected_at(first, second) if outcome == CallOutcome.CONNECTED else None,
    }
    if outcome and outcomes.is_settled(first, second):
        changes |= redial.after_outcome(callback, outcome, timezone.now())
    # Under the lock nothing moved it since the check; the condition says what the step needs.
    CallbackRequest.objects.filter(
        pk=callback.pk, status=CallbackStatus.PLACED, final_state=""
    ).update(**changes)


def connected_at(first: outcomes.Leg, second: outcomes.Leg) -> datetime | None:
    """When both were on the line: the later of the two answers."""
    answers = [leg.answered_at for leg in (first, second) if leg.answered_at is not None]
    return max(answers) if len(answers) == 2 else None


OUTCOME_FIELDS = [
    "contact_leg",
    "call_id",
    "status",
    "final_state",
    "is_test",
    "placement_count",
    "requested_at",
    "scheduled_for",
    "agent_group",
    "contact",
]


def _outcome_still_open(callback: CallbackRequest) -> bool:
    """Its latest call was placed and nothing about its fate is decided yet."""
    return callback.status == CallbackStatus.PLACED and not callback.final_state


def contact_is_first(callback: CallbackRequest) -> bool:
    """Whether the contact was dialled on line_1 (leg A), as recorded when it was made."""
    return callback.contact_leg == ContactLeg.A


def legs_of(callback: CallbackRequest) -> list[outcomes.Leg]:
    """Leg A and leg B of the callback's current call, for its page."""
    if not callback.call_id:
        return [outcomes.leg(side, []) for side in call_legs.SIDES]
    return call_legs.legs(callback.call_id)[0]


def no_outcome_received(now: datetime | None = None) -> QuerySet[CallbackRequest]:
    """Placed callbacks whose final event has not come long after the call must have ended."""
    return CallbackRequest.objects.filter(
        status=CallbackStatus.PLACED,
        final_event_at=None,
        outcome_expected_by__lt=now or timezone.now(),
    )
