"""callbacks.schedule: working hours per weekday in a group's zone, holidays and daylight saving."""

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from callbacks.schedule import Opening, is_open, next_opening

MOSCOW = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
WEEKDAYS = [Opening(day, time(9), time(18)) for day in (MON, TUE, WED, THU, FRI)]


def at(zone, *args, fold=0):
    return datetime(*args, tzinfo=zone, fold=fold)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


# Python compares and adds datetimes sharing a tzinfo by wall clock, and an ambiguous local time
# never equals one in another zone; so the tests below compare and add in UTC.
def in_utc(moment):
    return moment.astimezone(UTC)


# 2026-01-05 is a Monday, 2026-01-09 a Friday.


def test_before_opening_waits_until_nine():
    assert not is_open(at(MOSCOW, 2026, 1, 5, 8, 59), MOSCOW, WEEKDAYS)
    assert next_opening(at(MOSCOW, 2026, 1, 5, 8, 59), MOSCOW, WEEKDAYS) == at(
        MOSCOW, 2026, 1, 5, 9
    )


def test_inside_hours_is_now():
    moment = at(MOSCOW, 2026, 1, 7, 12, 34, 56)
    assert is_open(moment, MOSCOW, WEEKDAYS)
    assert next_opening(moment, MOSCOW, WEEKDAYS) == moment


def test_friday_evening_waits_until_monday():
    assert next_opening(at(MOSCOW, 2026, 1, 9, 18, 30), MOSCOW, WEEKDAYS) == at(
        MOSCOW, 2026, 1, 12, 9
    )
    assert next_opening(at(MOSCOW, 2026, 1, 10, 12), MOSCOW, WEEKDAYS) == at(MOSCOW, 2026, 1, 12, 9)


def test_exactly_at_opening_is_open():
    assert is_open(at(MOSCOW, 2026, 1, 5, 9), MOSCOW, WEEKDAYS)
    assert next_opening(at(MOSCOW, 2026, 1, 5, 9), MOSCOW, WEEKDAYS) == at(MOSCOW, 2026, 1, 5, 9)


def test_exactly_at_closing_is_closed():
    assert is_open(at(MOSCOW, 2026, 1, 5, 17, 59, 59), MOSCOW, WEEKDAYS)
    assert not is_open(at(MOSCOW, 2026, 1, 5, 18), MOSCOW, WEEKDAYS)
    assert next_opening(at(MOSCOW, 2026, 1, 5, 18), MOSCOW, WEEKDAYS) == at(MOSCOW, 2026, 1, 6, 9)


def test_lunch_break():
    openings = [Opening(MON, time(9), time(13)), Opening(MON, time(14), time(18))]
    assert is_open(at(MOSCOW, 2026, 1, 5, 12, 59), MOSCOW, openings)
    assert not is_open(at(MOSCOW, 2026, 1, 5, 13), MOSCOW, openings)
    assert next_opening(at(MOSCOW, 2026, 1, 5, 13, 30), MOSCOW, openings) == at(
        MOSCOW, 2026, 1, 5, 14
    )
    assert next_opening(at(MOSCOW, 2026, 1, 5, 18), MOSCOW, openings) == at(MOSCOW, 2026, 1, 12, 9)


def test_overnight_shift_runs_past_midnight():
    night = [Opening(FRI, time(22), time(2))]
    assert not is_open(at(MOSCOW, 2026, 1, 9, 21, 59), MOSCOW, night)
    assert is_open(at(MOSCOW, 2026, 1, 10, 0), MOSCOW, night)
    assert is_open(at(MOSCOW, 2026, 1, 10, 1, 59), MOSCOW, night)
    assert not is_open(at(MOSCOW, 2026, 1, 10, 2), MOSCOW, night)
    assert next_opening(at(MOSCOW, 2026, 1, 10, 2), MOSCOW, night) == at(MOSCOW, 2026, 1, 16, 22)


def test_closing_at_midnight_and_full_day():
    until_midnight = [Opening(MON, time(9), time(0))]
    assert is_open(at(MOSCOW, 2026, 1, 5, 23, 59, 59), MOSCOW, until_midnight)
    assert not is_open(at(MOSCOW, 2026, 1, 6, 0), MOSCOW, until_midnight)
    full_day = [Opening(MON, time(8), time(8))]
    assert is_open(at(MOSCOW, 2026, 1, 6, 7, 59), MOSCOW, full_day)
    assert not is_open(at(MOSCOW, 2026, 1, 6, 8), MOSCOW, full_day)


def test_holiday_skips_the_day():
    holidays = {date(2026, 1, 5), date(2026, 1, 6)}
    assert not is_open(at(MOSCOW, 2026, 1, 5, 12), MOSCOW, WEEKDAYS, holidays)
    assert next_opening(at(MOSCOW, 2026, 1, 5, 8), MOSCOW, WEEKDAYS, holidays) == at(
        MOSCOW, 2026, 1, 7, 9
    )


def test_overnight_shift_started_before_a_holiday_runs_to_its_end():
    night = [Opening(FRI, time(22), time(2))]
    saturday = {date(2026, 1, 10)}
    assert is_open(at(MOSCOW, 2026, 1, 10, 1), MOSCOW, night, saturday)
    friday = {date(2026, 1, 9)}
    assert not is_open(at(MOSCOW, 2026, 1, 10, 1), MOSCOW, night, friday)
    assert next_opening(at(MOSCOW, 2026, 1, 9, 20), MOSCOW, night, friday) == at(
        MOSCOW, 2026, 1, 16, 22
    )


# Berlin: 2026-03-29 02:00 CET -> 03:00 CEST (01:00 UTC); 2026-10-25 03:00 CEST -> 02:00 CET (01:00
# UTC).


def test_berlin_opening_in_spring_gap_opens_at_the_jump():
    openings = [Opening(SUN, time(2, 30), time(5))]
    assert next_opening(at(BERLIN, 2026, 3, 28, 12), BERLIN, openings) == utc(2026, 3, 29, 1)
    assert not is_open(utc(2026, 3, 29, 0, 59, 59), BERLIN, openings)
    assert is_open(utc(2026, 3, 29, 1), BERLIN, openings)


def test_berlin_closing_in_spring_gap_closes_at_the_jump():
    openings = [Opening(SAT, time(22), time(2, 30))]
    assert is_open(utc(2026, 3, 29, 0, 59, 59), BERLIN, openings)
    assert not is_open(utc(2026, 3, 29, 1), BERLIN, openings)


def test_berlin_ambiguous_opening_uses_first_and_closing_second_occurrence():
    opening = [Opening(SUN, time(2, 30), time(4))]
    start = next_opening(at(BERLIN, 2026, 10, 24, 12), BERLIN, opening)
    assert in_utc(start) == utc(2026, 10, 25, 0, 30)
    assert start.utcoffset() == timedelta(hours=2)
    closing = [Opening(SAT, time(22), time(2, 30))]
    assert is_open(utc(2026, 10, 25, 1, 29), BERLIN, closing)
    assert not is_open(utc(2026, 10, 25, 1, 30), BERLIN, closing)


def test_berlin_night_shift_lasts_real_hours_on_transition_nights():
    night = [Opening(SAT, time(22), time(6))]
    for saturday, hours in [
        (date(2026, 10, 24), 9),
        (date(2026, 3, 28), 7),
        (date(2026, 3, 21), 8),
    ]:
        start = in_utc(
            next_opening(at(BERLIN, saturday.year, saturday.month, saturday.day, 12), BERLIN, night)
        )
        assert start == at(BERLIN, saturday.year, saturday.month, saturday.day, 22)
        assert is_open(start + timedelta(hours=hours, seconds=-1), BERLIN, night)
        assert not is_open(start + timedelta(hours=hours), BERLIN, night)


# New York: 2026-03-08 02:00 EST -> 03:00 EDT (07:00 UTC); 2026-11-01 02:00 EDT -> 01:00 EST (06:00
# UTC).


def test_new_york_spring_gap():
    opening = [Opening(SUN, time(2, 15), time(9))]
    assert next_opening(at(NEW_YORK, 2026, 3, 7, 12), NEW_YORK, opening) == utc(2026, 3, 8, 7)
    closing = [Opening(SAT, time(20), time(2, 15))]
    assert is_open(utc(2026, 3, 8, 6, 59), NEW_YORK, closing)
    assert not is_open(utc(2026, 3, 8, 7), NEW_YORK, closing)


def test_new_york_fall_back():
    opening = [Opening(SUN, time(1, 30), time(3))]
    start = next_opening(at(NEW_YORK, 2026, 10, 31, 12), NEW_YORK, opening)
    assert in_utc(start) == utc(2026, 11, 1, 5, 30)
    assert (start.time(), start.fold) == (time(1, 30), 0)
    closing = [Opening(SAT, time(20), time(1, 30))]
    assert is_open(utc(2026, 11, 1, 6, 29), NEW_YORK, closing)
    assert not is_open(utc(2026, 11, 1, 6, 30), NEW_YORK, closing)
    night = [Opening(SAT, time(22), time(6))]
    start = in_utc(next_opening(at(NEW_YORK, 2026, 10, 31, 12), NEW_YORK, night))
    assert start == utc(2026, 11, 1, 2)
    assert is_open(start + timedelta(hours=9, seconds=-1), NEW_YORK, night)
    assert not is_open(start + timedelta(hours=9), NEW_YORK, night)


def test_moment_in_utc_uses_the_groups_local_day():
    # Sunday 22:00 UTC is already Monday 01:00 in Moscow.
    moment = utc(2026, 1, 4, 22)
    result = next_opening(moment, MOSCOW, WEEKDAYS)
    assert result == next_opening(moment.astimezone(MOSCOW), MOSCOW, WEEKDAYS) == utc(2026, 1, 5, 6)
    assert result.tzinfo is MOSCOW
    assert (result.date(), result.time()) == (date(2026, 1, 5), time(9))
    assert is_open(utc(2026, 1, 5, 6), MOSCOW, WEEKDAYS)
    assert not is_open(utc(2026, 1, 5, 15), MOSCOW, WEEKDAYS)


def test_none_when_every_opening_day_is_a_holiday():
    mondays = {date(2026, 1, 5) + timedelta(weeks=n) for n in range(60)}
    openings = [Opening(MON, time(9), time(18))]
    assert next_opening(at(MOSCOW, 2026, 1, 1), MOSCOW, openings, mondays) is None
    assert next_opening(
        at(MOSCOW, 2026, 1, 1), MOSCOW, openings, mondays - {date(2027, 1, 4)}
    ) == at(MOSCOW, 2027, 1, 4, 9)


def test_no_openings_means_always_open():
    moment = utc(2026, 1, 4, 22)
    assert is_open(moment, MOSCOW, [])
    assert next_opening(moment, MOSCOW, []) is moment


# Properties over random zones, moments, openings and holidays.

ZONE_NAMES = (
    "Europe/Berlin",
    "America/New_York",
    "Europe/Moscow",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
)
ZONES = [ZoneInfo(name) for name in ZONE_NAMES]


def _transition_days(zone):
    """Noon UTC of each day in 2020–2035 whose UTC offset differs from the day before."""
    days = [datetime(2020, 1, 1, 12, tzinfo=UTC) + timedelta(days=n) for n in range(16 * 366)]
    return [
        b
        for a, b in itertools.pairwise(days)
        if a.astimezone(zone).utcoffset() != b.astimezone(zone).utcoffset()
    ]


TRANSITIONS = [(zone, day) for zone in ZONES for day in _transition_days(zone)]
# Hypothesis takes naive bounds and gives each moment a zone from `timezones`.
any_moment = st.datetimes(
    min_value=datetime(2020, 1, 1),  # noqa: DTZ001
    max_value=datetime(2035, 12, 31),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, *ZONES]),
)
wall_times = st.builds(
    time,
    st.one_of(st.integers(0, 23), st.sampled_from([0, 1, 2, 3, 22, 23])),
    st.sampled_from([0, 15, 30, 45]),
)
openings_lists = st.lists(st.builds(Opening, st.integers(0, 6), wall_times, wall_times), max_size=4)


@st.composite
def cases(draw):
    if draw(st.booleans()):
        moment, zone = draw(any_moment), draw(st.sampled_from(ZONES))
    else:  # within three days of one of the zone's own transitions
        zone, noon = draw(st.sampled_from(TRANSITIONS))
        moment = noon + timedelta(minutes=draw(st.integers(-3 * 24 * 60, 3 * 24 * 60)))
    local_day = moment.astimezone(zone).date()
    holidays = {
        local_day + timedelta(days=n) for n in draw(st.sets(st.integers(-2, 14), max_size=6))
    }
    return moment, zone, draw(openings_lists), holidays


@settings(max_examples=300, deadline=None)
@given(cases())
def test_next_opening_is_the_first_open_moment(case):
    moment, zone, openings, holidays = case
    result = next_opening(moment, zone, openings, holidays)
    if result is None:
        return
    assert is_open(result, zone, openings, holidays)
    if not openings:
        assert result is moment
        return
    assert result.tzinfo is zone
    moment, result = in_utc(moment), in_utc(result)
    assert result >= moment
    assert (result == moment) == is_open(moment, zone, openings, holidays)
    if result > moment:
        assert not is_open(result - timedelta(microseconds=1), zone, openings, holidays)
    step = max(timedelta(minutes=7), (result - moment) / 300)
    probe = moment + step
    while probe < result:
        assert not is_open(probe, zone, openings, holidays)
        probe += step
