"""Recording Exolve's answer to an attempt: the attempt's own columns, the callback's new status
(the decision), a retry's time, and the call events that came before the call id.

Only the answer of a callback's latest attempt changes the callback, and only from the statuses
the transitions table allows (a late answer may replace the sweeper's guess). A result we cannot
know is never retried by itself."""

import logging
import operator
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Field, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import call_events, local_time, locks, log_context, metrics, outcomes, redial
from ..exolve import Answer
from ..models import AttemptResult, CallbackAttempt, CallbackRequest, CallbackStatus, RedialStop
from . import queue
from .transitions import Step, guard

logger = logging.getLogger(__name__)

RECORDED_FIELDS = [
    "finished_at",
    "duration_ms",
    "result",
    "http_status",
    "response_body",
    "call_id",
    "error",
]


@dataclass(frozen=True)
class Decision:
    """What an answer makes of the callback."""

    status: CallbackStatus
    error: str
    retry_in: float | None = None  # seconds, when it is to be tried again


def record(attempt: CallbackAttempt, answer: Answer) -> None:
    record_together([(attempt, answer)])


def record_together(answered: Sequence[tuple[CallbackAttempt, Answer]]) -> None:
    """Answers that came at the same time, recorded in one transaction: a few statements for
    all of them instead of a transaction each (the worker's time goes to the database's round
    trips). It stands or falls as a whole; the caller records them one by one if it falls."""
    finished_at = timezone.now()
    recordings = [_recording(attempt, answer, finished_at) for attempt, answer in answered]
    with transaction.atomic():
        # The locks in the one order of docs/architecture.md: the call ids (receive_event takes
        # a call's, then its callback's row), the callbacks' rows (as the sweeper's give-up), the
        # attempts' rows; each kind in a stable order, so two workers never wait on each other.
        locks.hold(locks.CALLS, [answer.call_id for _attempt, answer in answered if answer.call_id])
        callback_ids = sorted({attempt.callback_id for attempt, _answer in answered})
        rows = CallbackRequest.objects.select_for_update(no_key=True).filter(pk__in=callback_ids)
        list(rows.order_by("pk").values_list("pk", flat=True))
        recordings.sort(key=lambda r: r.attempt.pk)
        CallbackAttempt.objects.bulk_update([r.attempt for r in recordings], RECORDED_FIELDS)
        _update_callbacks(recordings)
        _link_early_events([r.attempt for r in recordings if r.answer.call_id])
    for recording in recordings:
        _log(recording)


@dataclass(frozen=True)
class Recording:
    attempt: CallbackAttempt
    answer: Answer
    decision: Decision
    changes: dict[str, Any]
    countdown: float | None


def _recording(attempt: CallbackAttempt, answer: Answer, finished_at: datetime) -> Recording:
    _fill_in(attempt, answer, finished_at)
    decision = decide(attempt.callback, answer, finished_at)
    changes, countdown = _callback_changes(attempt.callback, answer, decision, finished_at)
    return Recording(attempt, answer, decision, changes, countdown)


def _log(recording: Recording) -> None:
    attempt, answer = recording.attempt, recording.answer
    metrics.ATTEMPTS.labels(result=answer.result).inc()
    with log_context.about_callback(attempt.callback_id):
        logger.info(
            "Callback %s attempt %s: %s (HTTP %s) -> %s",
            attempt.callback_id,
            attempt.sequence,
            answer.result,
            answer.http_status,
            recording.decision.status,
        )


def decide(callback: CallbackRequest, answer: Answer, now: datetime) -> Decision:
    """The callback's new status, error text and retry delay after this answer."""
    if answer.result == AttemptResult.PLACED:
        return Decision(CallbackStatus.PLACED, "")
    if answer.result == AttemptResult.UNKNOWN:
        return Decision(CallbackStatus.UNKNOWN, answer.error)
    if not answer.is_transient:
        return Decision(CallbackStatus.FAILED, answer.error)
    attempts = callback.attempt_count - callback.round_first_attempt + 1
    if attempts >= settings.EXOLVE_MAX_ATTEMPTS:
        error = _("Gave up after %(count)d attempts. Last error: %(error)s") % {
            "count": attempts,
            "error": answer.error,
        }
        return Decision(CallbackStatus.FAILED, error)
    delay = retry_delay(attempts, answer.retry_after)
    round_started_at = callback.round_started_at or now
    if now + timedelta(seconds=delay) - round_started_at > timedelta(
        seconds=settings.EXOLVE_RETRY_MAX_AGE
    ):
        error = _(
            "Gave up: no retry is possible within %(seconds)d s of the first attempt. "
            "Last error: %(error)s"
        ) % {"seconds": settings.EXOLVE_RETRY_MAX_AGE, "error": answer.error}
        return Decision(CallbackStatus.FAILED, error)
    return Decision(CallbackStatus.PENDING, answer.error, retry_in=delay)


def retry_delay(attempt_number: int, retry_after: float | None = None) -> float:
    """Exponential backoff with full jitter (a random wait up to base, 2×base, 4×base …, capped),
    so that callbacks failed together do not come back together; never sooner than Retry-After."""
    backoff = min(
        settings.EXOLVE_RETRY_MAX_DELAY,
        settings.EXOLVE_RETRY_BASE_DELAY * 2 ** (attempt_number - 1),
    )
    delay = random.uniform(0, backoff)
    return delay if retry_after is None else max(delay, retry_after)


def _fill_in(attempt: CallbackAttempt, answer: Answer, finished_at: datetime) -> None:
    attempt.finished_at = finished_at
    attempt.duration_ms = int((finished_at - attempt.started_at).total_seconds() * 1000)
    attempt.result = answer.result
    attempt.http_status = answer.http_status
    attempt.response_body = answer.response_body
    attempt.call_id = answer.call_id
    attempt.error = answer.error


def _callback_changes(
    callback: CallbackRequest, answer: Answer, decision: Decision, finished_at: datetime
) -> tuple[dict[str, Any], float | None]:
    """The callback's new column values, and the countdown to queue its retry with (or None)."""
    changes: dict[str, Any] = {"status": decision.status, "error": decision.error}
    if answer.call_id or decision.status == CallbackStatus.UNKNOWN:
        # A new call (or maybe one): the previous placement's outcome is its attempt's, not the
        # callback's any more (the events of this call, linked below, give the new one).
        changes.update(call_id=answer.call_id, call_outcome="", final_event_at=None)
    if decision.status == CallbackStatus.PLACED:
        grace = timedelta(seconds=settings.CALLBACK_OUTCOME_GRACE)
        expected = outcomes.latest_end(callback.request_body, finished_at) + grace
        changes["outcome_expected_by"] = expected
        changes["placement_count"] = F("placement_count") + 1
        if callback.first_placed_at is None:
            changes["first_placed_at"] = finished_at
        if callback.checked_on:
            changes["checked_on"] = ""  # a new call: what a person checked was the last one
    if decision.status == CallbackStatus.FAILED and callback.placement_count > 0:
        # A redial Exolve refused: the placement before it stands, and the callback ends there.
        changes.update(redial.stopped(RedialStop.EXOLVE_REFUSED))
    if decision.retry_in is None:
        changes["finished_at"] = finished_at
        return changes, None
    # A retry waits for the group's working hours and the contact's quiet hours too (a 503 at
    # 17:59 must not ring at 18:01).
    due_at = local_time.first_callable(
        callback.agent_group, callback.contact, finished_at + timedelta(seconds=decision.retry_in)
    )
    countdown = queue.countdown_to(due_at, finished_at)
    changes.update(
        next_attempt_at=due_at,
        queued_at=finished_at if countdown is not None else None,
        finished_at=None,
    )
    return changes, countdown


def _update_callbacks(recordings: Sequence[Recording]) -> None:
    """Each callback whose latest attempt this is: answers that change their callbacks alike
    (placed, say) in one UPDATE, a retry on its own (it is queued once committed)."""
    alike: dict[tuple[str, ...], list[Recording]] = {}
    for recording in recordings:
        if recording.countdown is not None:
            _save(recording)
        else:
            alike.setdefault((recording.changes["status"], *recording.changes), []).append(
                recording
            )
    for group in alike.values():
        if len(group) == 1:
            _save(group[0])
        else:
            _save_alike(group)


def _save_alike(group: Sequence[Recording]) -> None:
    """One UPDATE for callbacks whose changes have the same fields: a value they share as it
    is, one that differs chosen per row."""
    latest = reduce(
        operator.or_,
        [Q(pk=r.attempt.callback_id, attempt_count=r.attempt.sequence) for r in group],
    )
    differing = [name for name in group[0].changes if not _shared(name, group)]
    if any(hasattr(r.changes[name], "resolve_expression") for r in group for name in differing):
        for recording in group:  # an expression that differs per row: not worth a CASE
            _save(recording)
        return
    changes = {
        name: _per_row(name, group) if name in differing else group[0].changes[name]
        for name in group[0].changes
    }
    CallbackRequest.objects.filter(guard(Step.ANSWER, group[0].changes["status"]), latest).update(
        **changes
    )


def _shared(name: str, group: Sequence[Recording]) -> bool:
    first = group[0].changes[name]
    return all(r.changes[name] == first for r in group)


def _per_row(name: str, group: Sequence[Recording]) -> Case:
    field = cast("Field[Any, Any]", CallbackRequest._meta.get_field(name))
    return Case(
        *[When(pk=r.attempt.callback_id, then=Value(r.changes[name], field)) for r in group],
        output_field=field,
    )


def _save(recording: Recording) -> None:
    """The callback, if this is still its latest attempt (its attempt row is saved, and the
    caller holds the locks)."""
    attempt, countdown = recording.attempt, recording.countdown
    updated = CallbackRequest.objects.filter(
        guard(Step.ANSWER, recording.changes["status"]),
        pk=attempt.callback_id,
        attempt_count=attempt.sequence,
    ).update(**recording.changes)
    if updated and countdown is not None:
        transaction.on_commit(lambda: queue.publish([attempt.callback_id], countdown))


def _link_early_events(attempts: Sequence[CallbackAttempt]) -> None:
    """The events that came before the call ids (as a rule they come later: one query finds
    none), each call's in a savepoint: whatever they hold, the answer (a call that exists) is
    kept; the sweeper links them later."""
    early = call_events.calls_with_early_events([attempt.call_id for attempt in attempts])
    for attempt in attempts:
        if attempt.call_id not in early:
            continue
        try:
            with transaction.atomic():
                call_events.link_events(attempt)
        except Exception:
            logger.exception(
                "Callback %s: linking the call's early events failed; the answer is kept",
                attempt.callback_id,
            )
