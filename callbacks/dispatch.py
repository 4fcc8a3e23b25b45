"""The dispatch service: creates callback requests and owns every change of their status.

    pending --claim--> sending --200--> placed
       |                  |---400/401/403/404, or out of attempts or time--> failed
       |                  |---429/503, or no connection was made--> pending (retried later)
       |                  '---read timeout, broken connection, other 5xx, no answer recorded--> unknown
       |---staff cancel--> cancelled
       '---do-not-call list at the attempt--> refused
    unknown --a person: place again--> pending      (a late answer of that attempt replaces it)
    refused (limits at the press) --cooldown only, a support manager: place anyway--> pending

The database is the source of truth: a request is committed before it is queued, queued only
after commit, and the sweeper queues again whatever is due and was never queued or got lost.
A request is sent only after a worker claimed it (locked while pending and due, then marked
sending, in one transaction), and the attempt row is committed before the HTTP request leaves;
an outcome we cannot know is never retried by itself, only by a person who confirms it. A task
carries one request (a press) or a batch (the sweeper's backlog), sent side by side.
"""

import collections
import logging
import random
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from . import call_events, exolve, limits, locks, outcomes
from .models import (
    MAX_DESTINATIONS_PER_LINE,
    MAX_NUMBERS_PER_CONTACT,
    OPEN_STATUSES,
    SIDES,
    AttemptOutcome,
    CallbackAttempt,
    CallbackNumber,
    CallbackRequest,
    CallbackStatus,
    Refusal,
)
from .selectors import callback_lines

logger = logging.getLogger(__name__)
OVERRIDE_COOLDOWN_PERMISSION = "callbacks.override_cooldown"


# --- asking for a callback --------------------------------------------------------------


def _row_errors(rows, exclude=()):
    """Every contract rule the rows break, as messages naming the row and field. No queries:
    the rows come from the database, so their foreign keys need no look-up to be valid."""
    messages = []
    for row in rows:
        relations = [field.name for field in row._meta.fields if field.is_relation]
        try:
            row.full_clean(
                exclude=[*exclude, *relations], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                label = row._meta.get_field(field).verbose_name if field != NON_FIELD_ERRORS else ""
                messages += [
                    _("%(model)s “%(row)s”, %(field)s: %(error)s")
                    % {"model": row._meta.verbose_name, "row": row, "field": label, "error": error}
                    for error in errors
                ]
    return messages


def _line_size_errors(agent_group, destinations, numbers):
    messages = []
    if not 1 <= len(destinations) <= MAX_DESTINATIONS_PER_LINE:
        messages.append(
            _("Agent group “%(group)s” has %(count)d destinations; it needs 1 to %(max)d.")
            % {"group": agent_group, "count": len(destinations), "max": MAX_DESTINATIONS_PER_LINE}
        )
    if not 1 <= len(numbers) <= MAX_NUMBERS_PER_CONTACT:
        messages.append(
            _("The contact has %(count)d phone numbers; a callback needs 1 to %(max)d.")
            % {"count": len(numbers), "max": MAX_NUMBERS_PER_CONTACT}
        )
    return messages


def validate_callback(agent_group, destinations, numbers):
    """Every rule of the MakeCallback contract, checked before anything is queued."""
    messages = []
    if not agent_group.is_active:
        messages.append(_("Agent group “%(group)s” is not active.") % {"group": agent_group})
    messages += _line_size_errors(agent_group, destinations, numbers)
    presets = [agent_group.side(side).tts_preset for side in SIDES]
    messages += _row_errors([agent_group, *[preset for preset in presets if preset], *destinations])
    # Which customer numbers may be called is a limit: a refusal the service records (limits.py).
    messages += _row_errors(numbers, exclude=["number"])
    if messages:
        raise ValidationError(messages)


def request_callback(*, contact, agent_group, requested_by, scheduled_for=None):
    """Record a "call this contact back" (at `scheduled_for`, or as soon as the group works) and
    queue it once the row is committed. A request our limits stop is recorded as refused."""
    destinations, numbers = callback_lines(agent_group, contact)
    validate_callback(agent_group, destinations, numbers)
    if _open_request_exists(
        contact, agent_group
    ):  # a double click: the same request, not a refusal
        raise _already_open(contact, agent_group)
    now = timezone.now()
    request_description = f"callback-{uuid.uuid4()}"
    callback = CallbackRequest(
        contact=contact,
        agent_group=agent_group,
        requested_by=requested_by,
        requested_at=now,
        scheduled_for=scheduled_for,
        request_description=request_description,
        request_body=exolve.build_make_callback_body(
            agent_group=agent_group,
            agent_destinations=destinations,
            contact_numbers=numbers,
            request_description=request_description,
        ),
        next_attempt_at=agent_group.next_opening(max(now, scheduled_for or now)),
    )
    dialled = [number.number for number in numbers]
    try:
        with transaction.atomic():
            # The limits are checked and the row saved while no other press for these numbers can
            # be: two contacts sharing a number cannot both pass its cooldown.
            locks.hold(locks.NUMBERS, dialled)
            _refuse_if_limited(callback, dialled, now)
            _save_new_request(callback, dialled, now)
    except IntegrityError:
        if not _open_request_exists(contact, agent_group):
            raise
        raise _already_open(contact, agent_group) from None
    logger.info("Callback request %s by user %s: %s", callback.pk, requested_by.pk, callback.status)
    return callback


def _refuse_if_limited(callback, dialled, now):
    refusal = limits.refusal_for(numbers=dialled, user=callback.requested_by, now=now)
    if (
        refusal
        and refusal[0] == Refusal.COOLDOWN
        and _open_request_exists(callback.contact, callback.agent_group)
    ):
        raise _already_open(
            callback.contact, callback.agent_group
        )  # the other click committed meanwhile
    if refusal is None and callback.next_attempt_at is None:
        refusal = (
            Refusal.NO_OPENING,
            _("“%(group)s” has no working hours in the coming year.")
            % {"group": callback.agent_group},
        )
    if refusal:
        callback.status, callback.finished_at = CallbackStatus.REFUSED, now
        callback.refusal, callback.error = refusal


def _save_new_request(callback, dialled, now):
    countdown = countdown_to(callback.next_attempt_at, now)
    pending = callback.status == CallbackStatus.PENDING
    if pending and countdown is not None:
        callback.queued_at = now
    callback.save()
    CallbackNumber.objects.bulk_create(
        [CallbackNumber(request=callback, number=n) for n in dialled]
    )
    if callback.queued_at:
        transaction.on_commit(lambda: _publish_new(callback, countdown))


def _publish_new(callback, countdown):
    if not publish([callback.pk], countdown):
        callback.queued_at = None  # the page says it waits for the queue


def _already_open(contact, agent_group):
    return ValidationError(
        _("A callback to %(contact)s through “%(group)s” is already on its way.")
        % {"contact": contact, "group": agent_group},
        code="already_open",
    )


def _open_request_exists(contact, agent_group):
    return CallbackRequest.objects.filter(
        contact=contact, agent_group=agent_group, status__in=OPEN_STATUSES
    ).exists()


def countdown_to(due_at, now):
    """Seconds to wait in the broker, or None when the wait is too long for it (the sweeper
    queues the request when it is nearly due): no countdown comes near the visibility timeout."""
    seconds = max(0.0, (due_at - now).total_seconds()) if due_at else 0.0
    return seconds if seconds <= settings.CALLBACK_MAX_COUNTDOWN else None


# Publishing runs in these threads so that a hung broker (connected but silent: the Redis
# socket timeout is 5 s) cannot hold a page longer than CALLBACK_PUBLISH_TIMEOUT.
_publisher = ThreadPoolExecutor(max_workers=16, thread_name_prefix="callback-publish")


def publish(request_ids, countdown=0.0):
    """Hand requests to a worker, in one task. If the broker fails or is too slow, the rows forget
    they were queued and the sweeper queues them when the broker is back: nothing is lost, and the
    caller never hangs. (A publish that times out here but still lands makes a second task; the
    claim makes it send nothing.)"""
    from .tasks import send_callbacks

    request_ids = list(request_ids)
    future = _publisher.submit(
        send_callbacks.apply_async, (request_ids,), countdown=countdown or None
    )
    try:
        future.result(timeout=settings.CALLBACK_PUBLISH_TIMEOUT)
    except Exception:
        logger.warning(
            "Could not queue callback requests %s; they stay pending for the sweeper",
            request_ids,
            exc_info=True,
        )
        CallbackRequest.objects.filter(pk__in=request_ids, status=CallbackStatus.PENDING).update(
            queued_at=None
        )
        return False
    return True


def cancel_callback(callback, user):
    """Staff cancel a request that has not been sent: a cancelled request is never sent."""
    cancelled = CallbackRequest.objects.filter(
        pk=callback.pk, status=CallbackStatus.PENDING
    ).update(status=CallbackStatus.CANCELLED, finished_at=timezone.now(), decided_by=user)
    if not cancelled:
        raise ValidationError(
            _("This callback is no longer waiting, so it cannot be cancelled."), code="not_pending"
        )
    logger.info("Callback request %s cancelled by user %s", callback.pk, user.pk)


def place_again(callback, user):
    """A person who checked the unknown outcome asks for the call once more: a new round of attempts."""
    _reopen(
        callback,
        user,
        Q(status=CallbackStatus.UNKNOWN),
        _("Only a callback whose outcome is unknown can be placed again."),
        round_first_attempt=F("attempt_count") + 1,
        round_started_at=None,
        claimed_at=None,
    )


def place_despite_cooldown(callback, user):
    """A support manager decides a callback refused for the number's cooldown should go out."""
    if not user.has_perm(OVERRIDE_COOLDOWN_PERMISSION):
        raise PermissionDenied
    _reopen(
        callback,
        user,
        Q(status=CallbackStatus.REFUSED, refusal=Refusal.COOLDOWN),
        _("Only a callback refused for the cooldown can be placed anyway."),
        limits_overridden=True,
    )


def _reopen(callback, user, allowed, wrong_status_message, **changes):
    """Back to pending, due at the group's next opening, queued after commit."""
    now = timezone.now()
    due_at = callback.agent_group.next_opening(max(now, callback.scheduled_for or now))
    if due_at is None:
        raise ValidationError(
            _("“%(group)s” has no working hours in the coming year.")
            % {"group": callback.agent_group}
        )
    countdown = countdown_to(due_at, now)
    try:
        with transaction.atomic():
            reopened = CallbackRequest.objects.filter(allowed, pk=callback.pk).update(
                status=CallbackStatus.PENDING,
                next_attempt_at=due_at,
                queued_at=now if countdown is not None else None,
                finished_at=None,
                error="",
                decided_by=user,
                **changes,
            )
            if not reopened:
                raise ValidationError(wrong_status_message, code="wrong_status")
            if countdown is not None:
                transaction.on_commit(lambda: publish([callback.pk], countdown))
    except IntegrityError:
        raise _already_open(callback.contact, callback.agent_group) from None
    logger.info("Callback request %s reopened by user %s", callback.pk, user.pk)


# --- sending it -------------------------------------------------------------------------


class SendThreads:
    """Threads that send MakeCallbacks side by side, each keeping its own HTTPS connection.

    A batch reserves a thread for each of its requests before it claims them, and each thread is
    free again once its request is sent: a claimed request never waits for a thread, since one a
    killed worker left waiting would be called unknown although it never went out. Reservations
    are served in the order they were asked for, so a batch is not starved by single presses."""

    def __init__(self, size):
        self.size = size
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="callback-send")
        self._free = size
        self._line = collections.deque()
        self._changed = threading.Condition()

    def reserve(self, count):
        with self._changed:
            ticket = object()
            self._line.append(ticket)
            self._changed.wait_for(lambda: self._line[0] is ticket and self._free >= count)
            self._line.popleft()
            self._free -= count
            self._changed.notify_all()  # the next in line may fit too

    def release(self, count=1):
        with self._changed:
            self._free += count
            self._changed.notify_all()

    def submit(self, function, *args):
        """Run function(*args) in a reserved thread, which is free again when it returns."""

        def run():
            try:
                return function(*args)
            finally:
                self.release()

        return self._executor.submit(run)


_send_threads = None
_send_threads_lock = threading.Lock()


def send_threads():
    global _send_threads
    with _send_threads_lock:
        if _send_threads is None:
            _send_threads = SendThreads(settings.CALLBACK_SEND_THREADS)
        return _send_threads


def send_callbacks(request_ids):
    """One MakeCallback attempt for each of these requests that is pending and due, sent side by
    side; does nothing for those that are not ours to send. Returns the attempts made."""
    threads = send_threads()
    request_ids = list(request_ids)
    attempts = []
    for start in range(0, len(request_ids), threads.size):
        attempts += _send_batch(threads, request_ids[start : start + threads.size])
    return attempts


def _send_batch(threads, request_ids):
    threads.reserve(len(request_ids))
    now = timezone.now()  # the claim's time, after any wait for threads
    sends = {}
    try:
        for attempt in _claim(request_ids, now):
            sends[threads.submit(_send, attempt)] = attempt
    finally:
        threads.release(
            len(request_ids) - len(sends)
        )  # each request sent keeps its thread until then
    try:
        _settle_unclaimed(
            set(request_ids) - {attempt.request_id for attempt in sends.values()}, now
        )
    except Exception:
        logger.exception(
            "Callback requests %s: settling those not claimed failed; the sweeper queues them again",
            request_ids,
        )
    for sent in as_completed(sends):  # each answer is recorded as soon as it arrives
        try:
            _record(sends[sent], sent.result())
        except Exception:
            # The others are still recorded; this one stays "sending" until the sweeper calls it unknown.
            logger.exception(
                "Callback request %s: recording the answer failed", sends[sent].request_id
            )
    return list(sends.values())


def send_callback(request_id):
    """send_callbacks for one request: its attempt, or None."""
    attempts = send_callbacks([request_id])
    return attempts[0] if attempts else None


def _send(attempt):
    try:
        return exolve.get_client().make_callback(attempt.request_body)
    except Exception as exc:
        # A bug, not an answer: the request may have gone out, so it must not be sent blindly again.
        logger.exception("Callback request %s: sending failed unexpectedly", attempt.request_id)
        error = _("Internal error while sending (%(kind)s); the call may have been placed.") % {
            "kind": type(exc).__name__
        }
        return exolve.CallbackResult(AttemptOutcome.UNKNOWN, error=error)


# What sending and recording need (the group itself is loaded only for a retry's working hours).
CLAIM_FIELDS = [
    "agent_group_id",
    "request_description",
    "request_body",
    "attempt_count",
    "round_first_attempt",
    "round_started_at",
]


@transaction.atomic
def _claim(request_ids, now):
    """Lock the requests that are pending, due and have no number on the do-not-call list
    (PostgreSQL: FOR UPDATE SKIP LOCKED, so two workers never take the same one; SQLite: the
    transaction is IMMEDIATE, so claims run one after another), take them, and write their
    attempt rows, all committed before anything is sent."""
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    callbacks = list(
        CallbackRequest.objects.select_for_update(skip_locked=True, no_key=True)
        .filter(due, pk__in=request_ids, status=CallbackStatus.PENDING)
        .exclude(Exists(limits.numbers_on_do_not_call_list(OuterRef("pk"))))
        .only(*CLAIM_FIELDS)
        .order_by("pk")
    )
    if not callbacks:
        return []
    CallbackRequest.objects.filter(pk__in=[callback.pk for callback in callbacks]).update(
        status=CallbackStatus.SENDING,
        attempt_count=F("attempt_count") + 1,
        claimed_at=now,
        round_started_at=Coalesce("round_started_at", Value(now)),
    )
    attempts = []
    for callback in callbacks:
        callback.attempt_count += 1
        callback.status, callback.claimed_at = CallbackStatus.SENDING, now
        callback.round_started_at = callback.round_started_at or now
        description = f"{callback.request_description}-{callback.attempt_count}"
        attempts.append(
            CallbackAttempt(
                request=callback,
                number=callback.attempt_count,
                request_description=description,
                started_at=now,
                request_body={**callback.request_body, "request_description": description},
            )
        )
    return CallbackAttempt.objects.bulk_create(attempts)


def _settle_unclaimed(request_ids, now):
    """The requests of a task that its claim did not take. No longer pending (a second delivery,
    cancelled, sent): nothing to do. Not due yet: wait again. A number on the do-not-call list:
    refused. Otherwise another transaction held it (another worker's claim, a cancel, the
    sweeper): if it is still pending once that ends, the next sweep queues it again."""
    if not request_ids:
        return
    pending = CallbackRequest.objects.filter(pk__in=request_ids, status=CallbackStatus.PENDING)
    for request_id, due_at in pending.values_list("pk", "next_attempt_at"):
        if due_at and due_at > now:
            countdown = countdown_to(due_at, now)
            if countdown is not None:
                publish([request_id], countdown)
        elif not _refuse_if_do_not_call(request_id, now):
            pending.filter(pk=request_id).update(queued_at=None)
            logger.info(
                "Callback request %s was held by another transaction; the sweeper sees to it",
                request_id,
            )


def _refuse_if_do_not_call(request_id, now):
    """Refuse a pending request with a number on the do-not-call list; True if it has one."""
    blocked = sorted(
        limits.numbers_on_do_not_call_list(request_id).values_list("number", flat=True)
    )
    if not blocked:
        return False
    refused = CallbackRequest.objects.filter(pk=request_id, status=CallbackStatus.PENDING).update(
        status=CallbackStatus.REFUSED,
        refusal=Refusal.DO_NOT_CALL,
        error=limits.do_not_call_message(blocked),
        finished_at=now,
    )
    if refused:
        logger.info("Callback request %s refused before its attempt: do-not-call list", request_id)
    return True


def retry_delay(attempt_number, retry_after=None):
    """Exponential backoff with full jitter (a random wait up to base, 2×base, 4×base …, capped),
    so that requests failed together do not come back together; never sooner than Retry-After."""
    backoff = min(
        settings.EXOLVE_RETRY_MAX_DELAY,
        settings.EXOLVE_RETRY_BASE_DELAY * 2 ** (attempt_number - 1),
    )
    delay = random.uniform(0, backoff)
    return delay if retry_after is None else max(delay, retry_after)


def _next_status(callback, result, now):
    """The request's new status, error text and retry delay after this attempt."""
    if result.outcome == AttemptOutcome.PLACED:
        return CallbackStatus.PLACED, "", None
    if result.outcome == AttemptOutcome.UNKNOWN:
        return CallbackStatus.UNKNOWN, result.error, None
    if not result.is_transient:
        return CallbackStatus.FAILED, result.error, None
    attempts = callback.attempt_count - callback.round_first_attempt + 1
    if attempts >= settings.EXOLVE_MAX_ATTEMPTS:
        error = _("Gave up after %(count)d attempts. Last error: %(error)s") % {
            "count": attempts,
            "error": result.error,
        }
        return CallbackStatus.FAILED, error, None
    delay = retry_delay(attempts, result.retry_after)
    retry_at = now + timedelta(seconds=delay)
    if retry_at - callback.round_started_at > timedelta(seconds=settings.EXOLVE_RETRY_MAX_AGE):
        error = _(
            "Gave up: no retry is possible within %(seconds)d s of the first attempt. Last error: %(error)s"
        ) % {
            "seconds": settings.EXOLVE_RETRY_MAX_AGE,
            "error": result.error,
        }
        return CallbackStatus.FAILED, error, None
    return CallbackStatus.PENDING, result.error, delay


RECORDED_FIELDS = [
    "finished_at",
    "duration_ms",
    "outcome",
    "http_status",
    "response_body",
    "call_id",
    "error",
]


def _record(attempt, result):
    finished_at = timezone.now()
    attempt.finished_at = finished_at
    attempt.duration_ms = int((finished_at - attempt.started_at).total_seconds() * 1000)
    attempt.outcome = result.outcome
    attempt.http_status = result.http_status
    attempt.response_body = result.response_body
    attempt.call_id = result.call_id
    attempt.error = result.error

    callback = attempt.request
    status, error, delay = _next_status(callback, result, finished_at)
    changes = {"status": status, "error": error, "call_id": result.call_id}
    if status == CallbackStatus.PLACED:
        grace = timedelta(seconds=settings.CALLBACK_OUTCOME_GRACE)
        changes["outcome_expected_by"] = (
            outcomes.latest_end(callback.request_body, finished_at) + grace
        )
    countdown = None
    if delay is None:
        changes["finished_at"] = finished_at
    else:
        # A retry waits for the group's working hours too (a 503 at 17:59 must not ring at 18:01).
        changes["next_attempt_at"] = callback.agent_group.next_opening(
            finished_at + timedelta(seconds=delay)
        )
        countdown = countdown_to(changes["next_attempt_at"], finished_at)
        changes.update(queued_at=finished_at if countdown is not None else None, finished_at=None)
    # Still this attempt's request: the sweeper may have given it up as unknown meanwhile (the
    # real answer is better), or a person placed it again and no new attempt has started (a late
    # "placed" means the call exists, so the new round must not go out). Otherwise leave it.
    replaceable = [CallbackStatus.SENDING, CallbackStatus.UNKNOWN]
    if result.outcome == AttemptOutcome.PLACED:
        replaceable.append(CallbackStatus.PENDING)
    with transaction.atomic():
        if result.call_id:  # before the request's row: receive_event takes them in this order too
            locks.hold(locks.CALLS, [result.call_id])
        attempt.save(update_fields=RECORDED_FIELDS)
        updated = CallbackRequest.objects.filter(
            pk=attempt.request_id, attempt_count=attempt.number, status__in=replaceable
        ).update(**changes)
        if updated and countdown is not None:
            transaction.on_commit(lambda: publish([attempt.request_id], countdown))
        if result.call_id:
            call_events.link_events(attempt)  # events that came before we knew the call id
    logger.info(
        "Callback request %s attempt %s: %s (HTTP %s) -> %s",
        attempt.request_id,
        attempt.number,
        result.outcome,
        result.http_status,
        status,
    )
