"""A report: one agent group's (or every group's) callbacks over a period, per hour, day or week
of a time zone, with the weekday × hour grid of the same period. Read from the rollup on
PostgreSQL (its hours still noted as changed counted here, so it is exact without waiting for a
refresh), counted from the callbacks elsewhere, or where the zone's offset is not whole hours (the
rollup's hours would straddle its days)."""

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, Sum, TextChoices
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, Trunc
from django.utils.translation import gettext_lazy as _

from ..models import AgentGroup, CallbackRequest, ReportDirtyHour, ReportHour
from ..models.reports import WAIT_COLUMNS, WAIT_EDGES
from . import rollup
from .figures import COUNTS, hourly

# What the weekday × hour grid shows: callbacks and the connect rate.
GRID_COUNTS = ("requested", "placed", "connected")
MOST_NOTED_HOURS = 500  # more hours still to count: the whole period is counted instead


class Granularity(TextChoices):
    HOUR = "hour", _("Hour")
    DAY = "day", _("Day")
    WEEK = "week", _("Week")


@dataclass
class Bucket:
    start: datetime  # in the report's zone
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    waits: list[int] = field(default_factory=lambda: [0] * (len(WAIT_EDGES) + 1))

    def add(self, row: dict[str, Any]) -> None:
        for name in COUNTS:
            self.counts[name] += row.get(name) or 0
        self.waits = [
            mine + (row.get(column) or 0)
            for mine, column in zip(self.waits, WAIT_COLUMNS, strict=True)
        ]

    @property
    def connect_rate(self) -> float | None:
        """Of the callbacks placed at least once, the share connected (not reached ones count
        against it)."""
        placed = self.counts["placed"]
        return self.counts["connected"] / placed if placed else None

    @property
    def service_level(self) -> float | None:
        counted = self.counts["service_counted"]
        return self.counts["service_met"] / counted if counted else None

    def wait_percentile(self, share: float) -> float | None:
        return percentile_of_bands(self.waits, share)


def percentile_of_bands(bands: list[int], share: float) -> float | None:
    """The wait (seconds) below which `share` of the counted waits fall, read from the counts
    per band: the band holding the nearest rank, the waits in it taken as spread evenly (each at
    the middle of its share of the band); the last band, with no upper edge, gives its lower
    edge."""
    total = sum(bands)
    if not total:
        return None
    rank = max(1, -(-share * total // 1))  # ceil(share * total), at least 1
    lows = (0, *WAIT_EDGES)
    seen = 0
    for number, count in enumerate(bands):
        if count and seen + count >= rank:
            if number == len(WAIT_EDGES):
                return float(lows[number])
            width = WAIT_EDGES[number] - lows[number]
            return lows[number] + width * (rank - seen - 0.5) / count
        seen += count
    return None  # not reached: the counts are non-negative and add up to total


@dataclass(frozen=True)
class Report:
    zone: str
    buckets: list[Bucket]
    weekday_hours: dict[tuple[int, int], Bucket]  # (weekday 0 = Monday, hour) in the zone
    from_rollup: bool


def period_bounds(first: date, last: date, zone: str) -> tuple[datetime, datetime]:
    tz = zoneinfo.ZoneInfo(zone)
    return (
        datetime.combine(first, time.min, tzinfo=tz),
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz),
    )


def whole_hour_offsets(start: datetime, end: datetime) -> bool:
    """Whether the zone's offset is whole hours at both ends of the period (a zone that changes
    it within the period by half an hour is none of Russia's, nor of most)."""
    return all(
        (moment.utcoffset() or timedelta()).total_seconds() % 3600 == 0 for moment in (start, end)
    )


def _counted_rows(
    start: datetime, end: datetime, groups: list[AgentGroup], within: Q | None = None
) -> list[dict[str, Any]]:
    """The groups' hours counted from the callbacks (all of the period, or those `within`)."""
    callbacks = CallbackRequest.objects.filter(requested_at__gte=start, requested_at__lt=end)
    if within is not None:
        callbacks = callbacks.filter(within)
    return [
        {**row, "agent_group": group.pk} for group in groups for row in hourly(callbacks, group)
    ]


def _stored_sums(
    start: datetime,
    end: datetime,
    groups: list[AgentGroup],
    noted: set[tuple[int, datetime]],
    tz: zoneinfo.ZoneInfo,
    granularity: str,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rollup's hours of the period but those still noted, summed in SQL per bucket of the
    zone and per weekday and hour: a few hundred rows whatever the number of groups."""
    stored = ReportHour.objects.filter(hour__gte=start, hour__lt=end, agent_group__in=groups)
    if noted:
        stored = stored.exclude(
            reduce(or_, [Q(agent_group_id=group_id, hour=hour) for group_id, hour in noted])
        )
    sums = {name: Sum(name) for name in (*COUNTS, *WAIT_COLUMNS)}
    by_bucket = (
        stored.annotate(bucket=Trunc("hour", granularity, tzinfo=tz))
        .values("bucket")
        .annotate(**sums)
        .order_by()
    )
    by_hour = (
        stored.annotate(
            weekday=ExtractIsoWeekDay("hour", tzinfo=tz), of_day=ExtractHour("hour", tzinfo=tz)
        )
        .values("weekday", "of_day")
        .annotate(**{name: Sum(name) for name in GRID_COUNTS})
        .order_by()
    )
    return list(by_bucket), list(by_hour)


def _noted_hours(
    start: datetime, end: datetime, groups: list[AgentGroup]
) -> set[tuple[int, datetime]] | None:
    """The (group, hour)s of the period noted as changed, or None when so many are that counting
    the whole period is simpler (after migration 0020, until the first refresh ends)."""
    notes = (
        ReportDirtyHour.objects.filter(
            hour__gte=start, hour__lt=end, agent_group_id__in=[group.pk for group in groups]
        )
        .values_list("agent_group_id", "hour")
        .distinct()[: MOST_NOTED_HOURS + 1]
    )
    noted = set(notes)
    return None if len(noted) > MOST_NOTED_HOURS else noted


def bucket_start(moment: datetime, granularity: str) -> datetime:
    if granularity == Granularity.HOUR:
        return moment.replace(minute=0, second=0, microsecond=0)
    day = datetime.combine(moment.date(), time.min, tzinfo=moment.tzinfo)
    if granularity == Granularity.WEEK:
        day -= timedelta(days=moment.weekday())
    return day


def report(
    first: date,
    last: date,
    groups: list[AgentGroup],
    granularity: str,
    zone: str,
    naive: bool = False,
) -> Report:
    """The report; `naive` counts the callbacks themselves even where the rollup is kept (the
    benchmark's comparison, and the test of the rollup's exactness)."""
    start, end = period_bounds(first, last, zone)
    use_rollup = rollup.kept() and not naive and whole_hour_offsets(start, end)
    tz = zoneinfo.ZoneInfo(zone)
    buckets: dict[datetime, Bucket] = {}
    grid: dict[tuple[int, int], Bucket] = defaultdict(lambda: Bucket(start))
    noted = _noted_hours(start, end, groups) if use_rollup else None
    if noted is None:
        counted = _counted_rows(start, end, groups)
    else:
        # The rollup's hours, then those it has not counted yet, counted here (exact either way).
        by_bucket, by_hour = _stored_sums(start, end, groups, noted, tz, granularity)
        for row in by_bucket:
            buckets.setdefault(row["bucket"], Bucket(row["bucket"])).add(row)
        for row in by_hour:
            grid[(row["weekday"] - 1, row["of_day"])].add(row)
        within = rollup.pressed_within(sorted({hour for _group, hour in noted})) if noted else None
        counted = _counted_rows(start, end, groups, within) if within is not None else []
        counted = [row for row in counted if (row["agent_group"], row["hour"]) in noted]
    for row in counted:
        local = row["hour"].astimezone(tz)
        key = bucket_start(local, granularity)
        buckets.setdefault(key, Bucket(key)).add(row)
        grid[(local.weekday(), local.hour)].add(row)
    every = _every_bucket(start.astimezone(tz), end.astimezone(tz), granularity)
    return Report(
        zone=zone,
        buckets=[buckets.get(key) or Bucket(key) for key in every],
        weekday_hours=dict(grid),
        from_rollup=use_rollup,
    )


STEPS = {
    Granularity.HOUR: timedelta(hours=1),
    Granularity.DAY: timedelta(days=1),
    Granularity.WEEK: timedelta(weeks=1),
}


def _every_bucket(start: datetime, end: datetime, granularity: str) -> list[datetime]:
    """Each bucket of the period, empty ones too (a chart's axis has no gaps)."""
    keys = []
    key = bucket_start(start, granularity)
    step = STEPS[Granularity(granularity)]
    while key < end:
        keys.append(key)
        # Wall-clock steps in the zone: a day is a day across a change of its offset.
        key = bucket_start(
            (key.replace(tzinfo=None) + step).replace(tzinfo=key.tzinfo), granularity
        )
    return keys
