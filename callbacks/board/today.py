"""Each agent group's day so far, in the group's time zone: its callbacks requested today, what
became of them, how long they waited, and its service level. Every figure is a condition on
callbacks (`conditions`), which the board counts and the call log page filters by (its "Counted
on the board as" filter), so a number and the rows it links to are the same callbacks."""

import math
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, F, Q, TextChoices
from django.db.models import Value as V
from django.utils.translation import gettext_lazy as _

from ..models import AgentGroup, CallbackRequest, CallbackStatus, CallOutcome
from ..models.service_level import AT_ONCE, SERVED, SERVICE_MEASURED


class Figure(TextChoices):
    REQUESTED = "requested", _("Requested")
    PLACED = "placed", _("Placed")
    CONNECTED = "connected", _("Connected")
    AGENTS_NO_ANSWER = "agents_no_answer", _("Agents did not answer")
    CONTACT_NO_ANSWER = "contact_no_answer", _("Contact did not answer")
    CALL_FAILED = "call_failed", _("Call failed")
    NOT_PLACED = "not_placed", _("Not placed (failed)")
    TIMED_PLACED = "timed_placed", _("Placed, asked for at once")
    TIMED_CONNECTED = "timed_connected", _("Connected, asked for at once")
    SERVICE_COUNTED = "service_counted", _("Service level: counted")
    SERVICE_MET = "service_met", _("Service level: connected in time")
    SERVICE_MISSED = "service_missed", _("Service level: not connected in time")
    PUNCTUALITY_COUNTED = "punctuality_counted", _("Scheduled: counted")
    PUNCTUALITY_ON_TIME = "punctuality_on_time", _("Scheduled: placed on time")
    PUNCTUALITY_LATE = "punctuality_late", _("Scheduled: placed late or not yet")


# The figures that read the group's own targets: the call log needs the group to filter by them.
GROUP_TARGET_FIGURES = {
    Figure.SERVICE_COUNTED,
    Figure.SERVICE_MET,
    Figure.SERVICE_MISSED,
    Figure.PUNCTUALITY_COUNTED,
    Figure.PUNCTUALITY_ON_TIME,
    Figure.PUNCTUALITY_LATE,
}
_OUTCOMES = {
    Figure.CONNECTED: CallOutcome.CONNECTED,
    Figure.AGENTS_NO_ANSWER: CallOutcome.AGENTS_NO_ANSWER,
    Figure.CONTACT_NO_ANSWER: CallOutcome.CONTACT_NO_ANSWER,
    Figure.CALL_FAILED: CallOutcome.FAILED,
}


def condition(figure: Figure, group: AgentGroup | None, now: datetime) -> Q:
    """The callbacks a figure counts (besides the day and the group, which the caller filters)."""
    if figure in _OUTCOMES:
        return Q(call_outcome=_OUTCOMES[figure])
    simple = {
        Figure.REQUESTED: Q(),
        Figure.PLACED: Q(first_placed_at__isnull=False),
        Figure.NOT_PLACED: Q(status=CallbackStatus.FAILED, first_placed_at__isnull=True),
        Figure.TIMED_PLACED: AT_ONCE & Q(first_placed_at__isnull=False),
        Figure.TIMED_CONNECTED: AT_ONCE & Q(connected_at__isnull=False),
    }
    if figure in simple:
        return simple[figure]
    assert group is not None, "service figures read the group's targets"
    return _target_condition(figure, group, now)


def _target_condition(figure: Figure, group: AgentGroup, now: datetime) -> Q:
    within = timedelta(minutes=group.service_level_minutes)
    if figure in (Figure.SERVICE_COUNTED, Figure.SERVICE_MET, Figure.SERVICE_MISSED):
        # Decided: connected, or older than the threshold (connected or not by then).
        decided = Q(connected_at__isnull=False) | Q(requested_at__lte=now - within)
        counted = SERVICE_MEASURED & decided
        met = Q(connected_at__lte=F("requested_at") + V(within, output_field=DurationField()))
        return {
            Figure.SERVICE_COUNTED: counted,
            Figure.SERVICE_MET: counted & met,
            Figure.SERVICE_MISSED: counted & ~met,
        }[figure]
    late_after = timedelta(minutes=group.punctuality_minutes)
    counted = (
        Q(scheduled_for__isnull=False)
        & SERVED
        & (Q(first_placed_at__isnull=False) | Q(scheduled_for__lte=now - late_after))
    )
    on_time = Q(
        first_placed_at__lte=F("scheduled_for") + V(late_after, output_field=DurationField())
    )
    return {
        Figure.PUNCTUALITY_COUNTED: counted,
        Figure.PUNCTUALITY_ON_TIME: counted & on_time,
        Figure.PUNCTUALITY_LATE: counted & ~on_time,
    }[figure]


def day_bounds(group: AgentGroup, now: datetime) -> tuple[datetime, datetime]:
    """Today in the group's time zone: from its midnight to the next."""
    zone = zoneinfo.ZoneInfo(group.time_zone)
    today = now.astimezone(zone).date()
    start = datetime.combine(today, time.min, tzinfo=zone)
    return start, datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone)


@dataclass(frozen=True)
class Spread:
    """The median and the 90th percentile of a set of waits (None: nothing to measure yet)."""

    median: timedelta | None
    p90: timedelta | None


@dataclass(frozen=True)
class GroupDay:
    group: AgentGroup
    counts: dict[Figure, int]
    to_placed: Spread
    to_connected: Spread

    @property
    def connect_rate(self) -> float | None:
        """Of the callbacks placed at least once, the share connected (not reached ones count
        against it)."""
        placed = self.counts[Figure.PLACED]
        return self.counts[Figure.CONNECTED] / placed if placed else None

    @property
    def service_level(self) -> float | None:
        counted = self.counts[Figure.SERVICE_COUNTED]
        return self.counts[Figure.SERVICE_MET] / counted if counted else None

    @property
    def punctuality(self) -> float | None:
        counted = self.counts[Figure.PUNCTUALITY_COUNTED]
        return self.counts[Figure.PUNCTUALITY_ON_TIME] / counted if counted else None


class _Percentile(Aggregate):
    """PostgreSQL's PERCENTILE_DISC: the value at that share of the ordered set, a real one."""

    function = "PERCENTILE_DISC"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, fraction: float, condition: Q) -> None:
        super().__init__(
            expression, output_field=DurationField(), fraction=fraction, filter=condition
        )


# The waits the board measures: from the press to the first placement, and to the connection.
WAITS = {
    "to_placed": (Figure.TIMED_PLACED, F("first_placed_at") - F("requested_at")),
    "to_connected": (Figure.TIMED_CONNECTED, F("connected_at") - F("requested_at")),
}


def spread_of(waits: Iterable[timedelta]) -> Spread:
    """The same as PERCENTILE_DISC: the smallest value with at least that share at or below it."""
    ordered = sorted(waits)
    if not ordered:
        return Spread(None, None)
    return Spread(_discrete(ordered, 0.5), _discrete(ordered, 0.9))


def _discrete(ordered: Sequence[timedelta], fraction: float) -> timedelta:
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def groups_today(now: datetime) -> list[GroupDay]:
    """Each active group's day: one aggregate per set of groups that share a zone and targets
    (as a rule one set), grouped by group, with the waits' percentiles on PostgreSQL."""
    groups = list(AgentGroup.objects.filter(is_active=True).order_by("name"))
    alike: dict[tuple[str, int, int], list[AgentGroup]] = {}
    for group in groups:
        key = (group.time_zone, group.service_level_minutes, group.punctuality_minutes)
        alike.setdefault(key, []).append(group)
    days: dict[int, GroupDay] = {}
    for members in alike.values():
        days |= _days_of(members, now)
    return [days[group.pk] for group in groups]


def _days_of(groups: list[AgentGroup], now: datetime) -> dict[int, GroupDay]:
    model = groups[0]  # they share the zone and the targets
    start, end = day_bounds(model, now)
    rows = CallbackRequest.objects.filter(
        agent_group__in=groups, is_test=False, requested_at__gte=start, requested_at__lt=end
    )
    figures: dict[str, Any] = {
        figure.value: Count("pk", filter=condition(figure, model, now)) for figure in Figure
    }
    postgres = connection.vendor == "postgresql"
    if postgres:
        for name, (figure, wait) in WAITS.items():
            measured = condition(figure, model, now)
            figures[f"{name}_median"] = _Percentile(wait, 0.5, measured)
            figures[f"{name}_p90"] = _Percentile(wait, 0.9, measured)
    found = {
        row["agent_group"]: row for row in rows.values("agent_group").annotate(**figures).order_by()
    }
    days = {}
    for group in groups:
        row = found.get(group.pk, {})
        if postgres:
            spreads = {
                name: Spread(row.get(f"{name}_median"), row.get(f"{name}_p90")) for name in WAITS
            }
        else:
            spreads = {
                name: spread_of(
                    rows.filter(condition(figure, model, now), agent_group=group)
                    .annotate(wait=wait)
                    .values_list("wait", flat=True)
                )
                for name, (figure, wait) in WAITS.items()
            }
        days[group.pk] = GroupDay(
            group=group,
            counts={figure: row.get(figure.value, 0) for figure in Figure},
            to_placed=spreads["to_placed"],
            to_connected=spreads["to_connected"],
        )
    return days
