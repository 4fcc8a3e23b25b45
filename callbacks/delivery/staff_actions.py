"""What staff and support managers do to a callback from its page: cancel it, place it again after
an unknown result; hand a cooldown refusal over to a support manager, who places it despite the
cooldown or declines it. Each is one conditional UPDATE, so a callback that another step moved
meanwhile is left as it is and the person is told why."""

import logging
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import limits, local_time, locks, log_context, redial
from ..models import (
    CallbackRequest,
    CallbackStatus,
    ContactNumber,
    FinalState,
    ManagerReview,
    RedialStop,
)
from ..permissions import OVERRIDE_COOLDOWN
from ..selectors import callback_lines
from . import queue
from .contract import validate_callback
from .create import already_open, no_time_to_call
from .transitions import Step, guard

logger = logging.getLogger(__name__)


def cancel_callback(callback: CallbackRequest, user: User) -> None:
    """Staff cancel a callback that has not been sent: a cancelled callback is never sent."""
    with log_context.about_callback(callback.pk):
        cancelled = CallbackRequest.objects.filter(
            guard(Step.CANCEL, CallbackStatus.CANCELLED), pk=callback.pk
        ).update(
            status=CallbackStatus.CANCELLED,
            finished_at=timezone.now(),
            decided_by=user,
            final_state=FinalState.CANCELLED,
            # A redial waiting (its placement before it stands) says why it never went out.
            redial_stop=Case(
                When(placement_count__gt=0, then=Value(RedialStop.CANCELLED)), default=Value("")
            ),
        )
        if not cancelled:
            raise ValidationError(
                _("This callback is no longer waiting, so it cannot be cancelled."),
                code="not_pending",
            )
        logger.info("Callback %s cancelled by user %s", callback.pk, user.pk)


def place_again(callback: CallbackRequest, user: User) -> None:
    """A person asks for the call once more, after an unknown result or a callback not reached:
    a new round, and the redial policy's count starts anew."""
    step = Step.PLACE_AGAIN if callback.status == CallbackStatus.UNKNOWN else Step.RETRY_NOT_REACHED
    if step == Step.RETRY_NOT_REACHED and redial.numbers_changed(callback):
        raise ValidationError(
            _(
                "The contact's numbers changed since this callback was made: press “Call back” "
                "on the contact's page to call the numbers it has now."
            ),
            code="numbers_changed",
        )
    with log_context.about_callback(callback.pk):
        _reopen(
            callback,
            user,
            step,
            _("Only a callback whose result is unknown, or one not reached, can be placed again."),
            round_first_attempt=F("attempt_count") + 1,
            round_started_at=None,
            claimed_at=None,
            placement_count=0,
            final_state="",
            redial_stop="",
        )


def place_despite_cooldown(callback: CallbackRequest, user: User) -> None:
    """A support manager decides a callback refused for the number's cooldown should go out."""
    if not user.has_perm(OVERRIDE_COOLDOWN):
        raise PermissionDenied
    with log_context.about_callback(callback.pk):
        _reopen(
            callback,
            user,
            Step.PLACE_ANYWAY,
            _("Only a callback refused for the cooldown can be placed anyway."),
            limits_overridden=True,
            manager_review=ManagerReview.PLACED,
            reviewed_by=user,
            reviewed_at=timezone.now(),
        )


def hand_over(callback: CallbackRequest, user: User) -> None:
    """Staff ask a support manager to decide on a callback the cooldown refused: it waits in the
    "Needs a manager" list. Once per callback."""
    with log_context.about_callback(callback.pk):
        _decide_on_refusal(
            callback,
            user,
            Step.HAND_OVER,
            _(
                "Only a callback refused for the cooldown, and not yet handed to a support "
                "manager, can be handed over."
            ),
            manager_review=ManagerReview.WAITING,
            handed_over_by=user,
            handed_over_at=timezone.now(),
        )


def decline_override(callback: CallbackRequest, user: User) -> None:
    """The support manager asked keeps the callback refused: it leaves the list."""
    if not user.has_perm(OVERRIDE_COOLDOWN):
        raise PermissionDenied
    with log_context.about_callback(callback.pk):
        _decide_on_refusal(
            callback,
            user,
            Step.DECLINE,
            _("Only a callback waiting for a support manager can be declined."),
            manager_review=ManagerReview.DECLINED,
            reviewed_by=user,
            reviewed_at=timezone.now(),
            decided_by=user,
        )


def _decide_on_refusal(
    callback: CallbackRequest, user: User, step: Step, not_allowed_message: str, **changes: Any
) -> None:
    """A step that keeps the callback refused and records who did what, if the table allows it."""
    changed = CallbackRequest.objects.filter(
        guard(step, CallbackStatus.REFUSED), pk=callback.pk
    ).update(**changes)
    if not changed:
        raise ValidationError(not_allowed_message, code="wrong_status")
    logger.info("Callback %s: %s by user %s", callback.pk, step, user.pk)


def _reopen(
    callback: CallbackRequest,
    user: User,
    step: Step,
    not_allowed_message: str,
    **changes: Any,
) -> None:
    """Back to pending, due at the group's next opening, queued after commit: only if a press
    would pass now (the group, the contract, the limits; the cooldown unless overridden)."""
    now = timezone.now()
    due_at = local_time.first_callable(
        callback.agent_group, callback.contact, max(now, callback.scheduled_for or now)
    )
    if due_at is None:
        raise ValidationError(no_time_to_call(callback.agent_group, callback.contact))
    countdown = queue.countdown_to(due_at, now)
    dialled = list(callback.numbers.values_list("number", flat=True))
    try:
        with transaction.atomic():
            # What a press checks, checked again under the press's locks (docs/architecture.md).
            locks.hold(locks.USERS, [str(user.pk)])
            locks.hold(locks.NUMBERS, dialled)
            _check_still_allowed(callback, dialled, user, step, now)
            reopened = CallbackRequest.objects.filter(
                guard(step, CallbackStatus.PENDING), pk=callback.pk
            ).update(
                status=CallbackStatus.PENDING,
                next_attempt_at=due_at,
                queued_at=now if countdown is not None else None,
                finished_at=None,
                error="",
                decided_by=user,
                checked_on="",  # its next failure is on the work list again
                **changes,
            )
            if not reopened:
                raise ValidationError(not_allowed_message, code="wrong_status")
            if countdown is not None:
                transaction.on_commit(lambda: queue.publish([callback.pk], countdown))
    except IntegrityError:
        raise already_open(callback.contact, callback.agent_group) from None
    logger.info("Callback %s: %s by user %s", callback.pk, step, user.pk)


def _check_still_allowed(
    callback: CallbackRequest, dialled: list[str], user: User, step: Step, now: datetime
) -> None:
    # The group as it is now, with the numbers the callback dials (its body was fixed at the press).
    destinations, _numbers = callback_lines(callback.agent_group, callback.contact)
    dialled_rows = [ContactNumber(position=i, number=n) for i, n in enumerate(dialled)]
    validate_callback(callback.agent_group, destinations, dialled_rows)
    refusal = limits.refusal_for(
        numbers=dialled,
        user=user,
        now=now,
        reopening=callback.pk,
        cooldown=step != Step.PLACE_ANYWAY,
    )
    if refusal is not None:
        raise ValidationError(refusal[1], code=refusal[0])
