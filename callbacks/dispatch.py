"""The dispatch service: creates callback requests and owns every change of their status.

    pending --claim--> sending --200--> placed
                          |---400/401/403/404, or out of attempts--> failed
                          '---5xx/429/network error--> pending (retried later)

At most one request per contact and agent group is open (pending or sending) at a
time: a partial unique index holds that, whatever the number of clicks or workers.

A worker sends only after it has claimed the request with a conditional UPDATE, and
the attempt row is committed before the HTTP request leaves, so a second delivery of
the same task finds nothing to do and every request that went out has its row.
"""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import exolve
from .models import (
    MAX_DESTINATIONS_PER_LINE,
    MAX_NUMBERS_PER_CONTACT,
    OPEN_STATUSES,
    SIDES,
    AttemptOutcome,
    CallbackAttempt,
    CallbackRequest,
    CallbackStatus,
)
from .selectors import callback_lines

logger = logging.getLogger(__name__)


# --- asking for a callback --------------------------------------------------------------


def _row_errors(rows):
    """Every contract rule the rows break, as messages naming the row and field (no queries)."""
    messages = []
    for row in rows:
        try:
            row.full_clean(validate_unique=False, validate_constraints=False)
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
    messages += _row_errors([agent_group, *[preset for preset in presets if preset], *destinations, *numbers])
    if messages:
        raise ValidationError(messages)


def request_callback(*, contact, agent_group, requested_by):
    """Record a "call this contact back" and queue it once the row is committed."""
    destinations, numbers = callback_lines(agent_group, contact)
    validate_callback(agent_group, destinations, numbers)
    request_description = f"callback-{uuid.uuid4()}"
    body = exolve.build_make_callback_body(
        agent_group=agent_group,
        agent_destinations=destinations,
        contact_numbers=numbers,
        request_description=request_description,
    )
    try:
        with transaction.atomic():
            callback = CallbackRequest.objects.create(
                contact=contact,
                agent_group=agent_group,
                requested_by=requested_by,
                request_description=request_description,
                request_body=body,
            )
            transaction.on_commit(lambda: enqueue(callback.pk))
    except IntegrityError:
        if not _open_request_exists(contact, agent_group):
            raise
        raise ValidationError(
            _("A callback to %(contact)s through “%(group)s” is already on its way.")
            % {"contact": contact, "group": agent_group},
            code="already_open",
        ) from None
    logger.info("Callback request %s queued by user %s", callback.pk, requested_by.pk)
    return callback


def _open_request_exists(contact, agent_group):
    return CallbackRequest.objects.filter(contact=contact, agent_group=agent_group, status__in=OPEN_STATUSES).exists()


def enqueue(request_id, countdown=None):
    """Hand the request to a worker. A broker failure leaves the row pending, never lost."""
    from .tasks import send_callback

    try:
        send_callback.apply_async((request_id,), countdown=countdown)
    except Exception:
        logger.exception("Could not queue callback request %s; it stays pending", request_id)
        return False
    return True


# --- sending it -------------------------------------------------------------------------


def send_callback(request_id):
    """One MakeCallback attempt for a pending request; does nothing if it is not ours to send."""
    attempt = _claim(request_id)
    if attempt is None:
        _requeue_if_early(request_id)
        return None
    try:
        result = exolve.get_client().make_callback(attempt.request_body)
    except Exception as exc:
        # A bug, not an answer: the request may have gone out, so it must not be sent blindly again.
        logger.exception("Callback request %s: sending failed unexpectedly", request_id)
        error = _(
            "Internal error while sending (%(kind)s); the call may have been placed. Check Exolve before calling again."
        ) % {"kind": type(exc).__name__}
        result = exolve.CallbackResult(AttemptOutcome.REJECTED, error=error)
    _record(attempt, result)
    return attempt


def _requeue_if_early(request_id):
    """A retry delivered before its time (clock skew, a broker's early redelivery) waits again."""
    now = timezone.now()
    due_at = (
        CallbackRequest.objects.filter(pk=request_id, status=CallbackStatus.PENDING, next_attempt_at__gt=now)
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if due_at is not None:
        enqueue(request_id, countdown=(due_at - now).total_seconds())


@transaction.atomic
def _claim(request_id):
    now = timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = (
        CallbackRequest.objects.filter(due, pk=request_id, status=CallbackStatus.PENDING)
        .update(status=CallbackStatus.SENDING, attempt_count=F("attempt_count") + 1, next_attempt_at=None)
    )
    if not claimed:
        logger.info("Callback request %s is not pending or not due; nothing to send", request_id)
        return None
    callback = CallbackRequest.objects.get(pk=request_id)
    return CallbackAttempt.objects.create(
        request=callback, number=callback.attempt_count, started_at=now, request_body=callback.request_body
    )


def retry_delay(attempt_number, retry_after=None):
    """Exponential backoff (base, 2×base, 4×base …), or Exolve's Retry-After; capped either way."""
    wanted = retry_after if retry_after is not None else settings.EXOLVE_RETRY_BASE_DELAY * 2 ** (attempt_number - 1)
    return min(wanted, settings.EXOLVE_RETRY_MAX_DELAY)


def _next_status(callback, result):
    """The request's new status, error text and retry delay after this attempt."""
    if result.outcome == AttemptOutcome.PLACED:
        return CallbackStatus.PLACED, "", None
    if not result.is_transient:
        return CallbackStatus.FAILED, result.error, None
    if callback.attempt_count >= settings.EXOLVE_MAX_ATTEMPTS:
        error = _("Gave up after %(count)d attempts. Last error: %(error)s") % {
            "count": callback.attempt_count,
            "error": result.error,
        }
        return CallbackStatus.FAILED, error, None
    return CallbackStatus.PENDING, result.error, retry_delay(callback.attempt_count, result.retry_after)


def _record(attempt, result):
    finished_at = timezone.now()
    attempt.finished_at = finished_at
    attempt.duration_ms = int((finished_at - attempt.started_at).total_seconds() * 1000)
    attempt.outcome = result.outcome
    attempt.http_status = result.http_status
    attempt.response_body = result.response_body
    attempt.call_id = result.call_id
    attempt.error = result.error

    status, error, delay = _next_status(attempt.request, result)
    changes = {"status": status, "error": error, "call_id": result.call_id}
    if delay is None:
        changes["finished_at"] = finished_at
    else:
        changes["next_attempt_at"] = finished_at + timedelta(seconds=delay)
    with transaction.atomic():
        attempt.save()
        CallbackRequest.objects.filter(pk=attempt.request_id, status=CallbackStatus.SENDING).update(**changes)
        if delay is not None:
            transaction.on_commit(lambda: enqueue(attempt.request_id, countdown=delay))
    logger.info(
        "Callback request %s attempt %s: %s (HTTP %s) -> %s",
        attempt.request_id,
        attempt.number,
        result.outcome,
        result.http_status,
        status,
    )
