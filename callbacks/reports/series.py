"""A report: one agent group's (or every group's) callbacks over a period, per hour, day or week
of a time zone, with the weekday × hour grid of the same period. Read from the rollup on
PostgreSQL (its hours still noted as changed counted here, so it is exact without waiting for a
refresh), counted from the callbacks elsewhere, or where the zone's offset is not whole hours (the
rollup's hours would straddle its days)."""

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from ..models import AgentGroup, CallbackRequest, ReportDirtyHour, ReportHour
from . import rollup
from .figures import COUNTS, WAIT_EDGES, hourly

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
            self.counts[name] += row[name]
        self.waits = [
            mine + theirs for mine, theirs in zip(self.waits, row["connect_waits"], strict=True)
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


def hour_rows(
    start: datetime, end: datetime, groups: list[AgentGroup], use_rollup: bool
) -> Iterable[dict[str, Any]]:
    """The groups' hours of the period: from the rollup, except the hours still noted as changed
    (the trigger's notes the refresh has not read yet), which are counted here and now; with no
    rollup, or too many such hours, every hour is counted."""
    callbacks = CallbackRequest.objects.filter(requested_at__gte=start, requested_at__lt=end)
    noted = _noted_hours(start, end, groups) if use_rollup else None
    if noted is None:
        return [row for group in groups for row in hourly(callbacks, group)]
    stored = ReportHour.objects.filter(hour__gte=start, hour__lt=end, agent_group__in=groups)
    rows: list[dict[str, Any]] = [
        row
        for row in stored.values("agent_group_id", "hour", "connect_waits", *COUNTS)
        if (row["agent_group_id"], row["hour"]) not in noted
    ]
    for group in groups:
        hours = sorted(hour for group_id, hour in noted if group_id == group.pk)
        if hours:
            rows += hourly(callbacks.filter(rollup.pressed_within(hours)), group)
    return rows


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
    for row in hour_rows(start, end, groups, use_rollup):
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
