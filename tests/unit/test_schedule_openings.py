"""callbacks.schedule for the Call back page: the group's next openings offered as one-click
times, and a time typed without a zone read in the group's zone."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from callbacks.schedule import Opening, local_instant, openings_between

MOSCOW = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
WEEKDAYS = [Opening(day, time(9), time(18)) for day in (MON, TUE, WED, THU, FRI)]


def test_the_next_openings_in_order_skip_the_weekend_and_holidays():
    friday_noon = datetime(2026, 12, 4, 12, tzinfo=MOSCOW)  # open now: not an opening
    found = openings_between(
        friday_noon, friday_noon + timedelta(days=7), MOSCOW, WEEKDAYS, [date(2026, 12, 8)]
    )
    assert [(moment.date(), moment.time()) for moment in found[:3]] == [
        (date(2026, 12, 7), time(9)),
        (date(2026, 12, 9), time(9)),  # the 8th is a holiday
        (date(2026, 12, 10), time(9)),
    ]
    assert all(moment.tzinfo == MOSCOW for moment in found)


def test_an_interval_that_continues_another_is_not_an_opening():
    night_then_day = [Opening(MON, time(22), time(6)), Opening(TUE, time(6), time(14))]
    monday = datetime(2026, 12, 7, 12, tzinfo=MOSCOW)
    found = openings_between(monday, monday + timedelta(days=2), MOSCOW, night_then_day)
    assert found == [datetime(2026, 12, 7, 22, tzinfo=MOSCOW)]


def test_openings_stop_at_the_end_of_the_window_and_none_without_hours():
    monday = datetime(2026, 12, 7, 12, tzinfo=MOSCOW)
    assert openings_between(monday, monday + timedelta(hours=20), MOSCOW, WEEKDAYS) == []
    assert openings_between(monday, monday + timedelta(days=30), MOSCOW, []) == []


def test_a_typed_time_is_read_in_the_given_zone():
    typed = datetime.fromisoformat("2026-12-08T09:00")  # as the picker sends it
    assert local_instant(typed, MOSCOW) == datetime(2026, 12, 8, 6, 0, tzinfo=UTC)
    assert local_instant(typed, ZoneInfo("Asia/Yekaterinburg")) == datetime(
        2026, 12, 8, 4, 0, tzinfo=UTC
    )


def test_a_skipped_time_is_the_jump_and_a_repeated_one_its_first_occurrence():
    skipped = datetime.fromisoformat("2026-03-29T02:30")  # Berlin jumps from 02:00 to 03:00
    assert local_instant(skipped, BERLIN) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    repeated = datetime.fromisoformat("2026-10-25T02:30")  # Berlin goes back from 03:00 to 02:00
    assert local_instant(repeated, BERLIN) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
