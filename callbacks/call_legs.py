"""Each leg's state, kept as its call's events come (models.CallLeg), so that the outcome of a call
reads two rows however many events it has: the leg rang (its row exists), its earliest answer,
and its earliest final event. outcomes.leg reads them as it would read every event."""

from datetime import datetime

from .models import CallEvent, CallLeg
from .outcomes import EARLIEST, FIRST_LEG, SECOND_LEG, EventRow, Leg, leg

SIDES = (FIRST_LEG, SECOND_LEG)


def fold(event: CallEvent) -> None:
    """Add a newly stored event to its leg. The caller holds the call's lock."""
    if event.event_side not in SIDES:
        return
    call_leg, _created = CallLeg.objects.get_or_create(
        call_sid=event.call_sid, side=event.event_side
    )
    changes: dict[str, object] = {}
    if event.type == "s" and _earlier(event.occurred_at, call_leg.answered_at):
        changes["answered_at"] = event.occurred_at
    if event.type == "d" and _earlier(event.occurred_at, call_leg.final_at):
        changes.update(final_event=event, final_at=event.occurred_at)
    if changes:
        CallLeg.objects.filter(pk=call_leg.pk).update(**changes)


def _earlier(moment: datetime, than: datetime | None) -> bool:
    return than is None or moment < than


def legs(call_id: str) -> tuple[list[Leg], list[datetime]]:
    """Leg A and leg B of the call, and when each final event that settled a leg was received."""
    kept = {
        call_leg.side: call_leg
        for call_leg in CallLeg.objects.filter(call_sid=call_id, side__in=SIDES).select_related(
            "final_event"
        )
    }
    rows = [row for call_leg in kept.values() for row in _rows(call_leg)]
    finals = [
        call_leg.final_event.received_at for call_leg in kept.values() if call_leg.final_event
    ]
    return [leg(side, rows) for side in SIDES], finals


def _rows(call_leg: CallLeg) -> list[EventRow]:
    """The few events that stand for all of the leg's: it rang, its answer, its final event."""
    rows: list[EventRow] = []
    if call_leg.answered_at is not None:
        rows.append((call_leg.side, "s", call_leg.answered_at, {}))
    if call_leg.final_event is not None and call_leg.final_at is not None:
        rows.append((call_leg.side, "d", call_leg.final_at, call_leg.final_event.payload))
    if not rows:
        rows.append((call_leg.side, "o", EARLIEST, {}))  # it rang, nothing more yet
    return rows
