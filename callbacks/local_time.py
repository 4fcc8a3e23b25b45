"""The contact's local time, and the quiet hours an agent group keeps in it.

A contact's zone is the one set on the contact or, where none is, every zone phonenumbers gives for
its numbers (a Russian mobile number may be anywhere from Kaliningrad to Kamchatka). A window must
hold in every zone the contact may be in. Everything is computed on UTC instants, so windows stay
right across midnight and daylight saving transitions (callbacks/schedule.py builds them).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import timezone as number_zones

from . import schedule
from .models import AgentGroup, Contact
from .models.configuration import known_time_zones
from .numbers import DEFAULT_REGION, as_stored_number

# How far ahead a common window of the contact's zones is looked for: a day's window repeats
# daily, so if none is found in a week and a day, the zones span too widely for one.
HORIZON = timedelta(days=8)
# How long after the group's first opening an opening outside the quiet hours is looked for:
# longer than a week of openings, and than a holiday or two in it.
SEARCH_AFTER_OPENING = timedelta(days=31)

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class ContactZones:
    zones: tuple[str, ...]  # empty: nothing is known, so no quiet hours can be kept
    guessed: bool  # from the number, not set on the contact


def contact_zones(contact: Contact) -> ContactZones:
    """The zone set on the contact, else every zone its numbers may be in."""
    if contact.time_zone:
        return ContactZones((contact.time_zone,), guessed=False)
    zones = {zone for number in contact.numbers.all() for zone in zones_of_number(number.number)}
    return ContactZones(tuple(sorted(zones)), guessed=bool(zones))


def zones_of_number(stored: str) -> tuple[str, ...]:
    """The zones phonenumbers places a stored number in (none for a SIP-URI or an unknown one)."""
    try:
        parsed = phonenumbers.parse(as_stored_number(stored), DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return ()
    known = known_time_zones()  # drops "Etc/Unknown" and any name this system cannot read
    return tuple(zone for zone in number_zones.time_zones_for_number(parsed) if zone in known)


def has_quiet_hours(agent_group: AgentGroup) -> bool:
    return agent_group.contact_calls_from is not None or agent_group.contact_calls_until is not None


def is_quiet(agent_group: AgentGroup, zones: Sequence[str], moment: datetime) -> bool:
    """Whether calling at `moment` is outside the window in any of the zones."""
    return first_allowed(agent_group, zones, moment) != moment


def first_allowed(
    agent_group: AgentGroup, zones: Sequence[str], moment: datetime
) -> datetime | None:
    """The earliest instant from `moment` on that is inside the window in every zone (`moment`
    itself if it is, or if no window or no zone is known), None if none is within HORIZON."""
    window = _window(agent_group)
    if window is None or not zones:
        return moment
    allowed: list[Interval] = [(moment, moment + HORIZON)]
    for name in sorted(set(zones)):
        zone_allowed = schedule.daily_intervals(moment, ZoneInfo(name), window, HORIZON.days + 2)
        allowed = _intersection(allowed, _merged(zone_allowed))
        if not allowed:
            return None
    return allowed[0][0]


def first_callable(agent_group: AgentGroup, contact: Contact, moment: datetime) -> datetime | None:
    """The earliest instant from `moment` on at which the group works and the contact is outside
    its quiet hours, in the group's zone; None if there is none ahead (the group has no opening,
    or its openings and the contact's window never meet)."""
    if not has_quiet_hours(agent_group):  # the group's hours alone: no need for the contact's zone
        return agent_group.next_opening(moment)
    zones = contact_zones(contact).zones
    opening = agent_group.next_opening(moment)
    if opening is None:
        return None
    deadline = opening + SEARCH_AFTER_OPENING
    while opening is not None and opening <= deadline:
        allowed = first_allowed(agent_group, zones, opening)
        if allowed is None:
            return None
        if allowed == opening:
            return opening.astimezone(ZoneInfo(agent_group.time_zone))
        opening = agent_group.next_opening(allowed)
    return None


def _window(agent_group: AgentGroup) -> list[schedule.Opening] | None:
    """The window as an opening on each day of the week; an empty side ends or starts it at
    midnight. None when the group keeps no quiet hours."""
    if not has_quiet_hours(agent_group):
        return None
    opens = agent_group.contact_calls_from or time(0)
    closes = agent_group.contact_calls_until or time(0)  # <= opens: the next day's midnight
    return [schedule.Opening(weekday, opens, closes) for weekday in range(7)]


def _merged(intervals: Sequence[Interval]) -> list[Interval]:
    """Sorted, with the ones that touch or overlap (around a clock change) joined."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _intersection(first: Sequence[Interval], second: Sequence[Interval]) -> list[Interval]:
    """Where two sorted lists of disjoint intervals overlap."""
    both: list[Interval] = []
    i = j = 0
    while i < len(first) and j < len(second):
        start, end = max(first[i][0], second[j][0]), min(first[i][1], second[j][1])
        if start < end:
            both.append((start, end))
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return both
