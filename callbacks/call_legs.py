"""Each leg's state, kept as its call's events come (models.CallLeg), so that the outcome of a call
reads two rows however many events it has: the leg rang (its row exists), its earliest answer,
and its earliest final event. outcomes.leg reads them as it would read every event."""

from datetime import datetime

from django.db import connection

from .models import CallEvent, CallLeg
from .outcomes import EARLIEST, FIRST_LEG, SECOND_LEG, EventRow, Leg, leg

SIDES = (FIRST_LEG, SECOND_LEG)


def fold(event: CallEvent) -> None:
    """Add a newly stored event to its leg, in one statement (an upsert that keeps the earliest
    answer and the earliest final event). The caller holds the call's lock."""
    if event.event_side not in SIDES:
        return
    answered_at = event.occurred_at if event.type == "s" else None
    final_at, final_id = (event.occurred_at, event.pk) if event.type == "d" else (None, None)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            _FOLD.format(table=CallLeg._meta.db_table),
            [event.call_sid, event.event_side, adapt(answered_at), final_id, adapt(final_at)],
        )


# The SET expressions read the row as it was (PostgreSQL and SQLite alike).
_EARLIER = (
    "excluded.{new} IS NOT NULL AND ({table}.{new} IS NULL OR excluded.{new} < {table}.{new})"
)
_FOLD = (
    "INSERT INTO {table} (call_sid, side, answered_at, final_event_id, final_at) "
    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (call_sid, side) DO UPDATE SET "
    "answered_at = CASE WHEN "
    + _EARLIER.format(new="answered_at", table="{table}")
    + " THEN excluded.answered_at ELSE {table}.answered_at END, "
    "final_event_id = CASE WHEN "
    + _EARLIER.format(new="final_at", table="{table}")
    + " THEN excluded.final_event_id ELSE {table}.final_event_id END, "
    "final_at = CASE WHEN "
    + _EARLIER.format(new="final_at", table="{table}")
    + " THEN excluded.final_at ELSE {table}.final_at END"
)


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
