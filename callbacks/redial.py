"""Redials: a placed callback that did not connect is placed again by itself, as its agent group's
redial policy says, or ends as not reached or expired.

It is decided once: in the transaction that records the call's final event, on the callback's
locked row, and only while the callback is placed with no final state. The decision either sets
the final state or sends the callback back to pending, due after the policy's delay, for the
sweeper to queue like any other (the same outbox, claim and recording; the new attempt has its own
request_description). Either way a later event of that call changes nothing (call_events.py
ignores a callback that has a final state or has moved on). Nothing is decided while the outcome
is unknown or no final event came: nobody knows whether a person already spoke.

Anything that would stop a press stops a redial, when it is decided and again when it is claimed
(`stop_at_claim`): the group deactivated, a number on the do-not-call list, the contact's numbers
changed, the expiry passed. Each stop is recorded as `redial_stop`."""

from datetime import datetime
from typing import Any

from django.db.models import F

from .local_time import first_callable
from .models import (
    OPEN_STATUSES,
    AgentGroup,
    CallbackNumber,
    CallbackRequest,
    CallbackStatus,
    CallOutcome,
    ContactNumber,
    DoNotCallNumber,
    FinalState,
    RedialStop,
    WhenClosed,
)

# What each stop makes of the callback in the end.
EXPIRING_STOPS = {RedialStop.EXPIRED, RedialStop.QUIET_HOURS}


def final_state_for(stop: RedialStop) -> FinalState:
    if stop == RedialStop.CANCELLED:
        return FinalState.CANCELLED
    return FinalState.EXPIRED if stop in EXPIRING_STOPS else FinalState.NOT_REACHED


def stopped(stop: RedialStop) -> dict[str, Any]:
    """The callback's changes when nothing more will be placed, for this reason."""
    return {"final_state": final_state_for(stop), "redial_stop": stop}


def after_outcome(callback: CallbackRequest, outcome: str, now: datetime) -> dict[str, Any]:
    """The changes to a placed callback (locked by the caller) once its call's outcome is final:
    connected, a redial due at its time, or stopped with the reason."""
    if outcome == CallOutcome.CONNECTED:
        return {"final_state": FinalState.CONNECTED}
    plan = next_placement(callback, outcome, now)
    if isinstance(plan, RedialStop):
        return stopped(plan)
    return {
        "status": CallbackStatus.PENDING,
        "next_attempt_at": plan,
        "queued_at": None,  # the sweeper queues it when it is nearly due
        "claimed_at": None,
        "finished_at": None,
        # A new round: Exolve's transient errors get their own retries for this placement.
        "round_first_attempt": F("attempt_count") + 1,
        "round_started_at": None,
    }


def next_placement(callback: CallbackRequest, outcome: str, now: datetime) -> datetime | RedialStop:
    """When the callback is to be placed again after this outcome, or why it is not."""
    group = callback.agent_group
    if callback.is_test:
        return RedialStop.TEST_CALL
    if not group.redials_after(outcome):  # the policy's kinds are the outcomes' own values
        return RedialStop.NOT_IN_POLICY
    if callback.placement_count >= group.max_attempts:
        return RedialStop.ATTEMPTS_USED
    stop = stop_now(callback, now)
    if stop is not None:
        return stop
    due = now + group.redial_delay(outcome)
    return first_time_allowed(callback, group, due)


def first_time_allowed(
    callback: CallbackRequest, group: AgentGroup, due: datetime
) -> datetime | RedialStop:
    """The first time from `due` a redial may ring (the group open, the contact's window), or why
    it never will before its expiry."""
    expires_at = expires(callback, group)
    if due >= expires_at:
        return RedialStop.EXPIRED
    opening = group.next_opening(due)
    if opening is None or (opening > due and group.when_closed == WhenClosed.GIVE_UP):
        return RedialStop.GROUP_CLOSED
    allowed = first_callable(group, callback.contact, due)
    if allowed is None:  # open sometimes, but never outside the contact's quiet hours
        return RedialStop.QUIET_HOURS
    if allowed >= expires_at:
        return RedialStop.EXPIRED if opening >= expires_at else RedialStop.QUIET_HOURS
    return allowed


def stop_now(callback: CallbackRequest, now: datetime) -> RedialStop | None:
    """What would stop a press of this callback now, if anything."""
    group = callback.agent_group
    if not group.is_active:
        return RedialStop.GROUP_INACTIVE
    dialled = _dialled(callback)
    if DoNotCallNumber.objects.filter(number__in=dialled).exists():
        return RedialStop.DO_NOT_CALL
    if numbers_changed(callback, dialled):
        return RedialStop.NUMBER_CHANGED
    if now >= expires(callback, group):
        return RedialStop.EXPIRED
    if _another_open(callback):
        return RedialStop.ANOTHER_OPEN
    return None


def _dialled(callback: CallbackRequest) -> set[str]:
    return set(CallbackNumber.objects.filter(callback=callback).values_list("number", flat=True))


def numbers_changed(callback: CallbackRequest, dialled: set[str] | None = None) -> bool:
    """The contact's numbers are no longer the ones the callback dials."""
    current = ContactNumber.objects.filter(contact_id=callback.contact_id)
    numbers = set(current.values_list("number", flat=True))
    return numbers != (_dialled(callback) if dialled is None else dialled)


def expires(callback: CallbackRequest, group: AgentGroup) -> datetime:
    """No redial from then on: the policy's hours after the press, or after the time staff
    scheduled it for."""
    return (
        max(callback.requested_at, callback.scheduled_for or callback.requested_at) + group.expiry
    )


def _another_open(callback: CallbackRequest) -> bool:
    """Another callback to this contact through this group waits or is being sent (staff
    scheduled one meanwhile): it rings the contact, and only one may be on its way."""
    return (
        CallbackRequest.objects.filter(
            contact_id=callback.contact_id,
            agent_group_id=callback.agent_group_id,
            status__in=OPEN_STATUSES,
        )
        .exclude(pk=callback.pk)
        .exists()
    )


def was_placed(callback: CallbackRequest) -> bool:
    """Exolve placed it before: a pending one waits for a redial the policy decided."""
    return callback.placement_count > 0
