"""Working hours of an agent group: is it open now, and when does it next open?

Openings are weekly local wall-clock intervals in the group's time zone; holidays are local dates
on which no interval starts. All comparisons happen in real (UTC) time, so intervals stay correct
across midnight and daylight saving transitions.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

HORIZON_DAYS = 400


@dataclass(frozen=True)
class Opening:
    weekday: int  # 0 = Monday … 6 = Sunday, the local day the interval starts
    opens: time
    closes: time  # closes <= opens: the interval ends on the next day at `closes`


def is_open(
    moment: datetime, zone: ZoneInfo, openings: Sequence[Opening], holidays: Iterable[date] = ()
) -> bool:
    """Whether `moment` falls in an interval (its start included, its end not)."""
    if not openings:
        return True
    return any(
        start <= moment < end for start, end in _intervals(moment, zone, openings, holidays, days=3)
    )


def next_opening(
    moment: datetime, zone: ZoneInfo, openings: Sequence[Opening], holidays: Iterable[date] = ()
) -> datetime | None:
    """`moment` if open then, else the start of the earliest interval after it, else None."""
    if not openings:
        return moment
    if is_open(moment, zone, openings, holidays):
        return moment.astimezone(zone)
    intervals = _intervals(moment, zone, openings, holidays, days=HORIZON_DAYS + 1)
    start = min((start for start, _ in intervals if start > moment), default=None)
    return None if start is None else start.astimezone(zone)


def openings_between(
    moment: datetime,
    until: datetime,
    zone: ZoneInfo,
    openings: Sequence[Opening],
    holidays: Iterable[date] = (),
) -> list[datetime]:
    """The moments after `moment`, up to `until`, at which the group starts working, in `zone`
    and in order. An interval that starts as another ends (or inside it) is not an opening."""
    days = (until - moment).days + 3
    intervals = sorted(set(_intervals(moment, zone, openings, holidays, days)))
    starts = {
        start
        for start, _ in intervals
        if moment < start <= until
        and not any(other < start <= end for other, end in intervals if other != start)
    }
    return [start.astimezone(zone) for start in sorted(starts)]


def daily_intervals(
    moment: datetime, zone: ZoneInfo, openings: Sequence[Opening], days: int
) -> list[tuple[datetime, datetime]]:
    """(start, end) in UTC of every interval starting on `days` local dates from the day before
    `moment`, in order (a contact's quiet hours are such intervals: callbacks/local_time.py)."""
    return list(_intervals(moment, zone, openings, (), days))


def local_instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """The moment (in UTC) a local date and time typed without a zone means in `zone`: its first
    occurrence when the clocks went back, the moment they jumped when it was skipped."""
    return _instant(wall.date(), wall.time(), zone, fold=0)


def _intervals(
    moment: datetime,
    zone: ZoneInfo,
    openings: Sequence[Opening],
    holidays: Iterable[date],
    days: int,
) -> Iterator[tuple[datetime, datetime]]:
    """(start, end) in UTC of every interval starting on `days` local dates from the day before
    `moment`."""
    closed = set(holidays)
    first = moment.astimezone(zone).date() - timedelta(days=1)
    for day in (first + timedelta(days=n) for n in range(days)):
        if day in closed:
            continue
        for opening in openings:
            if opening.weekday != day.weekday():
                continue
            end_day = day + timedelta(days=1) if opening.closes <= opening.opens else day
            start = _instant(day, opening.opens, zone, fold=0)
            end = _instant(end_day, opening.closes, zone, fold=1)
            if start < end:  # both ends in one spring-forward gap leave nothing
                yield start, end


def _instant(day: date, wall: time, zone: ZoneInfo, fold: int) -> datetime:
    """The UTC instant of a local wall time: fold picks the occurrence of an ambiguous time,
    and a time skipped by a spring-forward gap becomes the moment the clocks jump."""
    naive = datetime.combine(day, wall)
    early, late = (naive.replace(tzinfo=zone, fold=f).astimezone(UTC) for f in (0, 1))
    if early <= late:  # equal when unambiguous
        return (early, late)[fold]
    # In a gap fold=0 uses the offset before the jump, so `late` < jump <= `early`.
    return _transition(late, early, zone)


def _transition(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """Bisect to the whole second at which the UTC offset changes from `before`'s to `after`'s."""
    low, high = int(before.timestamp()), int(after.timestamp())
    offset_after = after.astimezone(zone).utcoffset()
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == offset_after:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)
