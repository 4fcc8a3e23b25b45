"""Sending: a worker claims its task's callbacks, writes their attempt rows, and sends each
MakeCallback in a send thread; each answer is recorded (recording.py) as soon as it comes.

A callback is sent only after this claim took it (locked while pending and due, then marked
sending, in one transaction), and its attempt row is committed before the HTTP request leaves.
A task carries one callback (a press) or a batch (the sweeper's backlog)."""

import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import exolve, limits, log_context, metrics, redial
from ..models import (
    AttemptResult,
    CallbackAttempt,
    CallbackRequest,
    CallbackStatus,
    RedialStop,
    Refusal,
)
from . import queue
from .recording import record, record_together
from .send_threads import SendThreads, send_threads
from .stops import stop_redial
from .transitions import Step, guard

logger = logging.getLogger(__name__)
# A redial stopped where a press would be refused.
REDIAL_STOP_FOR = {
    Refusal.GROUP_INACTIVE: RedialStop.GROUP_INACTIVE,
    Refusal.DO_NOT_CALL: RedialStop.DO_NOT_CALL,
}

# What sending and recording need (the group itself is loaded only for a retry's working hours).
CLAIM_FIELDS = [
    "agent_group_id",
    "contact_id",
    "requested_at",
    "placement_count",
    "scheduled_for",
    "request_description",
    "request_body",
    "attempt_count",
    "round_first_attempt",
    "round_started_at",
]


def send_callbacks(callback_ids: Iterable[int]) -> list[CallbackAttempt]:
    """One MakeCallback attempt for each of these callbacks that is pending and due, sent side by
    side; nothing for those that are not ours to send. Returns the attempts made."""
    threads = send_threads()
    callback_ids = list(callback_ids)
    attempts = []
    for start in range(0, len(callback_ids), threads.size):
        attempts += _send_batch(threads, callback_ids[start : start + threads.size])
    return attempts


def send_callback(callback_id: int) -> CallbackAttempt | None:
    """send_callbacks for one callback: its attempt, or None."""
    attempts = send_callbacks([callback_id])
    return attempts[0] if attempts else None


def _send_batch(threads: SendThreads, callback_ids: Sequence[int]) -> list[CallbackAttempt]:
    threads.reserve(len(callback_ids))
    now = timezone.now()  # the claim's time, after any wait for threads
    sends: dict[Future[exolve.Answer], CallbackAttempt] = {}
    try:
        for attempt in claim(callback_ids, now):
            sends[threads.submit(_send, attempt)] = attempt
    finally:
        # Each callback sent keeps its thread until then; the others are free now.
        threads.release(len(callback_ids) - len(sends))
    claimed = {attempt.callback_id for attempt in sends.values()}
    try:
        settle_unclaimed(set(callback_ids) - claimed, now)
    except Exception:
        logger.exception(
            "Callbacks %s: settling those not claimed failed; the sweeper queues them again",
            callback_ids,
        )
    waiting = set(sends)
    while waiting:  # each answer is recorded as soon as it arrives, with any that came with it
        arrived, waiting = wait(waiting, return_when=FIRST_COMPLETED)
        _record_arrived([(sends[sent], sent) for sent in arrived])
    return list(sends.values())


def _record_arrived(arrived: list[tuple[CallbackAttempt, Future[exolve.Answer]]]) -> None:
    """Answers that arrived together, in one transaction; one by one if that fails, so that an
    answer which cannot be recorded keeps only its own callback sending."""
    if len(arrived) > 1:
        try:
            record_together([(attempt, sent.result()) for attempt, sent in arrived])
            return
        except Exception:
            logger.warning(
                "Recording %d answers together failed; one by one", len(arrived), exc_info=True
            )
    for attempt, sent in arrived:
        _record(attempt, sent)


def _record(attempt: CallbackAttempt, sent: Future[exolve.Answer]) -> None:
    with log_context.about_callback(attempt.callback_id):
        try:
            record(attempt, sent.result())
        except Exception:
            # The others are still recorded; this one stays "sending" until the sweeper gives it up.
            logger.exception("Callback %s: recording the answer failed", attempt.callback_id)


def _send(attempt: CallbackAttempt) -> exolve.Answer:
    # In a send thread: the task thread's context (its callback id) does not reach it.
    with log_context.about_callback(attempt.callback_id):
        try:
            with metrics.EXOLVE_SECONDS.time():
                return exolve.get_client().make_callback(attempt.request_body)
        except Exception as exc:
            # A bug, not an answer: the request may have gone out, so never send it blindly again.
            logger.exception("Callback %s: sending failed unexpectedly", attempt.callback_id)
            error = _("Internal error while sending (%(kind)s); the call may have been placed.") % {
                "kind": type(exc).__name__
            }
            return exolve.Answer(AttemptResult.UNKNOWN, error=error)


@transaction.atomic
def claim(callback_ids: Sequence[int], now: datetime) -> list[CallbackAttempt]:
    """Lock the callbacks that are pending, due, of an active group and have no number on the
    do-not-call list (PostgreSQL: FOR UPDATE SKIP LOCKED, so two workers never take the same
    one; SQLite: the transaction is IMMEDIATE, so claims run one after another), take them, and
    write their attempt rows, all committed before anything is sent."""
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    callbacks = list(
        CallbackRequest.objects.select_for_update(skip_locked=True, no_key=True, of=("self",))
        .filter(guard(Step.CLAIM, CallbackStatus.SENDING), due, pk__in=callback_ids)
        .filter(agent_group__is_active=True)
        .exclude(Exists(limits.numbers_on_do_not_call_list(OuterRef("pk"))))
        .only(*CLAIM_FIELDS)
        .order_by("pk")
    )
    callbacks = [callback for callback in callbacks if not _redial_stopped(callback, now)]
    if not callbacks:
        return []
    CallbackRequest.objects.filter(pk__in=[callback.pk for callback in callbacks]).update(
        status=CallbackStatus.SENDING,
        attempt_count=F("attempt_count") + 1,
        claimed_at=now,
        round_started_at=Coalesce("round_started_at", Value(now)),
    )
    return CallbackAttempt.objects.bulk_create(
        [_next_attempt(callback, now) for callback in callbacks]
    )


def _redial_stopped(callback: CallbackRequest, now: datetime) -> bool:
    """A redial that something stopped since it was decided (the contact's numbers changed, the
    expiry passed): it ends with the placement before it. The callback is locked."""
    if not redial.was_placed(callback):
        return False
    stop = redial.stop_now(callback, now)
    return stop is not None and stop_redial(callback.pk, stop, now)


def _next_attempt(callback: CallbackRequest, now: datetime) -> CallbackAttempt:
    """The claimed callback as the UPDATE left it, and its new attempt row."""
    callback.attempt_count += 1
    callback.status, callback.claimed_at = CallbackStatus.SENDING, now
    callback.round_started_at = callback.round_started_at or now
    description = f"{callback.request_description}-{callback.attempt_count}"
    return CallbackAttempt(
        callback=callback,
        sequence=callback.attempt_count,
        request_description=description,
        started_at=now,
        request_body={**callback.request_body, "request_description": description},
    )


def settle_unclaimed(callback_ids: Iterable[int], now: datetime) -> None:
    """The callbacks of a task that its claim did not take. No longer pending (a second delivery,
    cancelled, sent): nothing to do. Not due yet: wait again. A number on the do-not-call list:
    refused. Otherwise another transaction held it (another worker's claim, a cancel, the
    sweeper): if it is still pending once that ends, the next sweep queues it again."""
    pending = CallbackRequest.objects.filter(
        pk__in=list(callback_ids), status=CallbackStatus.PENDING
    )
    for callback_id, due_at in pending.values_list("pk", "next_attempt_at"):
        with log_context.about_callback(callback_id):
            _settle(pending, callback_id, due_at, now)


def _settle(
    pending: QuerySet[CallbackRequest], callback_id: int, due_at: datetime | None, now: datetime
) -> None:
    if due_at and due_at > now:
        countdown = queue.countdown_to(due_at, now)
        if countdown is not None:
            queue.publish([callback_id], countdown)
    elif not _refuse_at_claim(callback_id, now):
        pending.filter(pk=callback_id).update(queued_at=None)
        logger.info(
            "Callback %s was held by another transaction; the sweeper sees to it", callback_id
        )


def _refuse_at_claim(callback_id: int, now: datetime) -> bool:
    """Refuse a pending callback whose group is no longer active or with a number on the
    do-not-call list (a waiting redial is stopped instead: its call before stands); True if it
    has either."""
    refusal = limits.refusal_at_claim(callback_id)
    if refusal is None:
        return False
    if stop_redial(callback_id, REDIAL_STOP_FOR[refusal[0]], now):  # its guard: a redial
        return True
    refused = CallbackRequest.objects.filter(
        guard(Step.REFUSE, CallbackStatus.REFUSED), pk=callback_id
    ).update(status=CallbackStatus.REFUSED, refusal=refusal[0], error=refusal[1], finished_at=now)
    if refused:
        logger.info("Callback %s refused before its attempt: %s", callback_id, refusal[0])
    return True
