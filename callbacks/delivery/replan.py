"""Re-planning: when a group's working hours, holidays, time zone or the contact's quiet hours
change, its waiting callbacks take the due time the new hours give (asked for now, at the time
staff scheduled, or for a retry or a redial no sooner than its wait), and one that no hours of the
coming year allow is refused."""

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .. import limits, local_time, log_context, redial
from ..models import AgentGroup, CallbackRequest, CallbackStatus, Contact, RedialStop, Refusal
from . import queue
from .stops import stop_redial
from .transitions import Step, guard

logger = logging.getLogger(__name__)


def replan_waiting(agent_group: AgentGroup, now: datetime | None = None) -> int:
    """Give the group's pending callbacks their due time under its hours as they are now;
    returns how many changed."""
    # The hours and holidays read once, not once per callback.
    group = AgentGroup.objects.prefetch_related("working_hours", "holidays").get(pk=agent_group.pk)
    changed = _replan(
        CallbackRequest.objects.filter(agent_group=group), {group.pk: group}, now or timezone.now()
    )
    if changed:
        logger.info("Agent group %s: %d waiting callback(s) re-planned", group.pk, changed)
    return changed


def replan_contact(contact: Contact, now: datetime | None = None) -> int:
    """The same for a contact's pending callbacks, when its time zone or numbers changed (its
    quiet hours are kept in its own time)."""
    waiting = CallbackRequest.objects.filter(contact=contact)
    group_ids = waiting.filter(status=CallbackStatus.PENDING).values("agent_group_id")
    groups = AgentGroup.objects.prefetch_related("working_hours", "holidays").filter(
        pk__in=group_ids
    )
    return _replan(waiting, {group.pk: group for group in groups}, now or timezone.now())


def _replan(
    callbacks: QuerySet[CallbackRequest], groups: dict[int, AgentGroup], now: datetime
) -> int:
    changed = 0
    with transaction.atomic():
        waiting = (
            # The contact comes along (its zone, for quiet hours); only the callback is locked.
            callbacks.select_for_update(no_key=True, of=("self",))
            .filter(status=CallbackStatus.PENDING, agent_group_id__in=list(groups))
            .select_related("contact")
            .only(*REPLAN_FIELDS, "contact__time_zone")
            .order_by("pk")
        )
        for callback in waiting:
            group = groups[callback.agent_group_id]
            asked_for = _asked_for(callback, now)
            due_at = _due_at(group, callback, asked_for)
            already_due = callback.next_attempt_at is None or callback.next_attempt_at <= now
            if due_at == asked_for and already_due:
                continue  # due, and the new hours still allow it now: it keeps its place
            if due_at != callback.next_attempt_at:
                with log_context.about_callback(callback.pk):
                    _move(callback, group, due_at, now)
                changed += 1
    return changed


REPLAN_FIELDS = [
    "pk",
    "agent_group_id",
    "contact_id",
    "requested_at",
    "scheduled_for",
    "next_attempt_at",
    "attempt_count",
    "round_first_attempt",
    "placement_count",
]


def _due_at(
    agent_group: AgentGroup, callback: CallbackRequest, asked_for: datetime
) -> datetime | RedialStop | None:
    """When it may go now, None if never, or why a waiting redial stops (its expiry, the group
    closed with "give up", the contact's quiet hours)."""
    if redial.was_placed(callback):
        return redial.first_time_allowed(callback, agent_group, asked_for)
    return local_time.first_callable(agent_group, callback.contact, asked_for)


def _asked_for(callback: CallbackRequest, now: datetime) -> datetime:
    """The earliest the callback may go: now, or the time staff scheduled; a retry (an attempt of
    this round was made) no sooner than its wait, which honours Exolve's Retry-After, and a
    redial no sooner than its policy's delay."""
    earliest = [now, callback.scheduled_for or now]
    retrying = callback.attempt_count >= callback.round_first_attempt
    if (retrying or callback.placement_count > 0) and callback.next_attempt_at:
        earliest.append(callback.next_attempt_at)
    return max(earliest)


def _move(
    callback: CallbackRequest,
    agent_group: AgentGroup,
    due_at: datetime | RedialStop | None,
    now: datetime,
) -> None:
    if isinstance(due_at, RedialStop):
        stop_redial(callback.pk, due_at, now)
        return
    if due_at is None:
        CallbackRequest.objects.filter(
            guard(Step.REFUSE, CallbackStatus.REFUSED), pk=callback.pk
        ).update(
            status=CallbackStatus.REFUSED,
            refusal=Refusal.NO_OPENING,
            error=limits.no_opening_message(agent_group),
            finished_at=now,
        )
        logger.info("Callback %s re-planned: refused, %s", callback.pk, Refusal.NO_OPENING)
        return
    # A task queued for the old time finds it not due and waits again (sending.settle_unclaimed);
    # one for the new time goes now if the broker can hold the wait, or the sweeper queues it.
    countdown = queue.countdown_to(due_at, now)
    CallbackRequest.objects.filter(pk=callback.pk).update(
        next_attempt_at=due_at, queued_at=now if countdown is not None else None
    )
    logger.info("Callback %s re-planned: due at %s", callback.pk, due_at.isoformat())
    if countdown is not None:
        transaction.on_commit(lambda: queue.publish([callback.pk], countdown))
