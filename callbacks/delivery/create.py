"""A press of "Call back": the contract checked, the limits applied, the callback saved and,
once committed, queued. A callback our limits stop is saved too, as refused, with the reason."""

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import exolve, limits, local_time, locks, log_context
from ..local_time_words import never_meet
from ..models import (
    OPEN_STATUSES,
    AgentGroup,
    CallbackNumber,
    CallbackRequest,
    CallbackStatus,
    Contact,
    ContactLeg,
    Refusal,
)
from ..selectors import callback_lines
from . import queue
from .contract import validate_callback

logger = logging.getLogger(__name__)


def create_callback(
    *,
    contact: Contact,
    agent_group: AgentGroup,
    requested_by: User,
    scheduled_for: datetime | None = None,
    is_test: bool = False,
) -> CallbackRequest:
    """Save a "call this contact back" (at `scheduled_for`, or as soon as the group works) and
    queue it once the row is committed. A callback our limits stop is saved as refused.
    `is_test`: a support manager's test call (delivery/test_call.py), which no cooldown stops."""
    destinations, numbers = callback_lines(agent_group, contact)
    validate_callback(agent_group, destinations, numbers, contact)
    if open_callback_exists(contact, agent_group):  # a double click: the same one, not a refusal
        raise already_open(contact, agent_group)
    now = timezone.now()
    request_description = f"callback-{uuid.uuid4()}"
    callback = CallbackRequest(
        contact=contact,
        agent_group=agent_group,
        requested_by=requested_by,
        requested_at=now,
        scheduled_for=scheduled_for,
        contact_leg=ContactLeg.A if agent_group.contact_first else ContactLeg.B,
        is_test=is_test,
        request_description=request_description,
        request_body=exolve.build_make_callback_body(
            agent_group=agent_group,
            agent_destinations=destinations,
            contact=contact,
            contact_numbers=numbers,
            request_description=request_description,
        ),
        next_attempt_at=local_time.first_callable(
            agent_group, contact, max(now, scheduled_for or now)
        ),
    )
    dialled = [number.number for number in numbers]
    try:
        with transaction.atomic():
            # The limits are checked and the row saved while no other press by this user or for
            # these numbers can be: two presses cannot both pass the hourly limit, nor two
            # contacts sharing a number its cooldown. The user first (docs/architecture.md).
            locks.hold(locks.USERS, [str(requested_by.pk)])
            locks.hold(locks.NUMBERS, dialled)
            _refuse_if_limited(callback, dialled, now)
            _save_new_callback(callback, dialled, now)
    except IntegrityError:
        if not open_callback_exists(contact, agent_group):
            raise
        raise already_open(contact, agent_group) from None
    with log_context.about_callback(callback.pk):
        logger.info("Callback %s by user %s: %s", callback.pk, requested_by.pk, callback.status)
    return callback


def _refuse_if_limited(callback: CallbackRequest, dialled: Sequence[str], now: datetime) -> None:
    refusal = limits.refusal_for(
        numbers=dialled,
        user=callback.requested_by,
        now=now,
        # The time staff asked for, never the group's next opening: re-planning for new hours may
        # bring that forward to now, but never a callback before the time asked.
        rings_at=callback.scheduled_for,
        # The cooldown spares a customer repeated calls; a manager testing rings themselves.
        cooldown=not callback.is_test,
    )
    if (
        refusal
        and refusal[0] == Refusal.COOLDOWN
        and open_callback_exists(callback.contact, callback.agent_group)
    ):  # the other click committed meanwhile
        raise already_open(callback.contact, callback.agent_group)
    if refusal is None and callback.next_attempt_at is None:
        refusal = Refusal.NO_OPENING, no_time_to_call(callback.agent_group, callback.contact)
    if refusal:
        callback.status, callback.finished_at = CallbackStatus.REFUSED, now
        callback.refusal, callback.error = refusal


def _save_new_callback(callback: CallbackRequest, dialled: Sequence[str], now: datetime) -> None:
    countdown = queue.countdown_to(callback.next_attempt_at, now)
    if callback.status == CallbackStatus.PENDING and countdown is not None:
        callback.queued_at = now
    callback.save()
    CallbackNumber.objects.bulk_create(
        [CallbackNumber(callback=callback, number=number) for number in dialled]
    )
    if callback.queued_at and countdown is not None:
        transaction.on_commit(lambda: _publish_new(callback, countdown))


def _publish_new(callback: CallbackRequest, countdown: float) -> None:
    with log_context.about_callback(callback.pk):
        if not queue.publish([callback.pk], countdown):
            callback.queued_at = None  # the page says it waits for the queue


def no_time_to_call(agent_group: AgentGroup, contact: Contact) -> str:
    """Why no time is ahead: the group has no working hours, or they never meet the contact's
    quiet hours."""
    if agent_group.next_opening(timezone.now()) is None:
        return limits.no_opening_message(agent_group)
    return never_meet(agent_group)


def already_open(contact: Contact, agent_group: AgentGroup) -> ValidationError:
    return ValidationError(
        _("A callback to %(contact)s through “%(group)s” is already on its way.")
        % {"contact": contact, "group": agent_group},
        code="already_open",
    )


def open_callback_exists(contact: Contact, agent_group: AgentGroup) -> bool:
    return CallbackRequest.objects.filter(
        contact=contact, agent_group=agent_group, status__in=OPEN_STATUSES
    ).exists()
