"""callbacks.local_time: where the contact may be (the zone set on it, else every zone its numbers
may be in), and when an agent group's quiet hours let it be called there: in every zone at once,
across midnight and daylight saving transitions."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callbacks import local_time
from callbacks.local_time import ContactZones, contact_zones, first_allowed, is_quiet
from callbacks.models import AgentGroup, Contact, ContactNumber

NINE, NINE_PM = time(9), time(21)
VLADIVOSTOK = "Asia/Vladivostok"  # UTC+10, no daylight saving
BERLIN = "Europe/Berlin"  # CET/CEST
RU_MOBILE = "79161234567"  # phonenumbers: any of 16 zones, Europe/Bucharest to Asia/Kamchatka


def quiet_hours(start=NINE, end=NINE_PM):
    return AgentGroup(name="Sales", contact_calls_from=start, contact_calls_until=end)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_a_window_in_one_zone_is_read_in_its_local_time():
    group = quiet_hours()
    late_evening = utc(2026, 12, 8, 13, 40)  # 23:40 in Vladivostok
    assert is_quiet(group, [VLADIVOSTOK], late_evening)
    assert first_allowed(group, [VLADIVOSTOK], late_evening) == utc(2026, 12, 8, 23)  # 09:00
    morning = utc(2026, 12, 8, 1)  # 11:00 there
    assert not is_quiet(group, [VLADIVOSTOK], morning)
    assert first_allowed(group, [VLADIVOSTOK], morning) == morning


def test_the_window_opens_at_from_and_closes_at_until():
    group = quiet_hours()
    assert first_allowed(group, [VLADIVOSTOK], utc(2026, 12, 8, 23)) == utc(2026, 12, 8, 23)
    assert is_quiet(group, [VLADIVOSTOK], utc(2026, 12, 8, 11))  # 21:00 sharp: closed


def test_an_empty_side_is_no_limit_on_that_side():
    only_from, only_until = quiet_hours(end=None), quiet_hours(start=None)
    midnight_minus_one = utc(2026, 12, 8, 13, 59)  # 23:59 in Vladivostok
    assert not is_quiet(only_from, [VLADIVOSTOK], midnight_minus_one)
    assert is_quiet(only_until, [VLADIVOSTOK], midnight_minus_one)
    early = utc(2026, 12, 8, 20)  # 06:00
    assert is_quiet(only_from, [VLADIVOSTOK], early)
    assert not is_quiet(only_until, [VLADIVOSTOK], early)
    assert not is_quiet(quiet_hours(None, None), [VLADIVOSTOK], midnight_minus_one)


def test_a_window_past_midnight():
    night_shift = quiet_hours(time(22), time(6))
    assert not is_quiet(night_shift, [VLADIVOSTOK], utc(2026, 12, 8, 17))  # 03:00
    assert first_allowed(night_shift, [VLADIVOSTOK], utc(2026, 12, 8, 2)) == utc(2026, 12, 8, 12)


def test_unknown_zones_or_no_quiet_hours_limit_nothing():
    moment = utc(2026, 12, 8, 13, 40)
    assert first_allowed(quiet_hours(), [], moment) == moment
    assert first_allowed(quiet_hours(None, None), [VLADIVOSTOK], moment) == moment


def test_a_window_must_hold_in_every_zone_of_a_russian_mobile_number():
    zones = local_time.zones_of_number(RU_MOBILE)
    assert {"Europe/Moscow", VLADIVOSTOK, "Asia/Kamchatka"} <= set(zones)
    # 09:00–21:00 from UTC+2 (Bucharest in winter) to UTC+12 (Kamchatka): 07:00–09:00 UTC.
    noon_in_moscow = utc(2026, 12, 8, 9)
    assert first_allowed(quiet_hours(), zones, noon_in_moscow) == utc(2026, 12, 9, 7)
    assert not is_quiet(quiet_hours(), zones, utc(2026, 12, 9, 8, 59))


def test_zones_too_far_apart_for_a_common_window_give_none():
    zones = local_time.zones_of_number(RU_MOBILE)
    assert first_allowed(quiet_hours(NINE, time(18)), zones, utc(2026, 12, 8, 9)) is None
    assert is_quiet(quiet_hours(NINE, time(18)), zones, utc(2026, 12, 8, 9))


def test_the_window_follows_daylight_saving_in_the_contacts_zone():
    group = quiet_hours()
    # Berlin is UTC+1 in winter and UTC+2 in summer: 09:00 there is 08:00 or 07:00 UTC.
    assert first_allowed(group, [BERLIN], utc(2026, 1, 15, 5)) == utc(2026, 1, 15, 8)
    assert first_allowed(group, [BERLIN], utc(2026, 7, 15, 5)) == utc(2026, 7, 15, 7)
    # The night the clocks go forward (29 March 2026, 02:00 → 03:00) and back (25 October).
    assert first_allowed(group, [BERLIN], utc(2026, 3, 28, 22)) == utc(2026, 3, 29, 7)
    assert first_allowed(group, [BERLIN], utc(2026, 10, 24, 22)) == utc(2026, 10, 25, 8)


def test_a_window_edge_skipped_by_the_clocks_opens_when_they_jump():
    half_past_two = quiet_hours(time(2, 30), time(5))  # 02:30 does not exist on 29 March
    assert first_allowed(half_past_two, [BERLIN], utc(2026, 3, 28, 23)) == utc(2026, 3, 29, 1)


# --- where the contact is -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_zone_set_on_the_contact_wins_over_the_number():
    contact = Contact.objects.create(name="Анна", time_zone=VLADIVOSTOK)
    ContactNumber.objects.create(contact=contact, number="74951234567")  # Moscow landline
    assert contact_zones(contact) == ContactZones((VLADIVOSTOK,), guessed=False)


@pytest.mark.django_db
def test_without_a_zone_every_zone_of_every_number_is_guessed():
    contact = Contact.objects.create(name="Анна")
    ContactNumber.objects.create(contact=contact, position=1, number="74232123456")  # Vladivostok
    ContactNumber.objects.create(contact=contact, position=2, number="74951234567")  # Moscow
    assert contact_zones(contact) == ContactZones(("Asia/Vladivostok", "Europe/Moscow"), True)
    ContactNumber.objects.create(contact=contact, position=3, number=RU_MOBILE)
    assert len(contact_zones(contact).zones) == 16


@pytest.mark.django_db
def test_nothing_known_of_a_contact_without_numbers_or_with_a_sip_uri():
    contact = Contact.objects.create(name="Анна")
    assert contact_zones(contact) == ContactZones((), guessed=False)
    ContactNumber.objects.bulk_create(
        [ContactNumber(contact=contact, number="sip:anna@example.com")]
    )
    assert contact_zones(contact) == ContactZones((), guessed=False)


# --- the group's hours and the contact's window together ----------------------------------


@pytest.fixture
def moscow_daytime(db):
    from tests.helpers import working_every_day

    group = AgentGroup.objects.create(
        name="Sales", number_code=74999999999, callback_resource_id=1221
    )
    group.contact_calls_from, group.contact_calls_until = NINE, NINE_PM
    return working_every_day(group, "Europe/Moscow", NINE, time(18))


def test_first_callable_waits_for_the_group_and_the_contact(moscow_daytime):
    contact = Contact.objects.create(name="Анна", time_zone="America/New_York")
    # 09:00–18:00 Moscow (06–15 UTC) and 09:00–21:00 New York (14–02 UTC): 14:00–15:00 UTC.
    found = local_time.first_callable(moscow_daytime, contact, utc(2026, 12, 8, 6))
    assert found == utc(2026, 12, 8, 14)
    assert found.tzinfo == ZoneInfo("Europe/Moscow")  # as next_opening gives it
    assert local_time.first_callable(moscow_daytime, contact, utc(2026, 12, 8, 15)) == utc(
        2026, 12, 9, 14
    )


def test_first_callable_is_none_when_the_hours_never_meet(moscow_daytime):
    contact = Contact.objects.create(name="Анна", time_zone="America/Los_Angeles")
    # 06–15 UTC against 17–05 UTC: never.
    assert local_time.first_callable(moscow_daytime, contact, utc(2026, 12, 8, 6)) is None


def test_first_callable_without_quiet_hours_is_the_groups_opening(moscow_daytime):
    contact = Contact.objects.create(name="Анна", time_zone="America/Los_Angeles")
    moscow_daytime.contact_calls_from = moscow_daytime.contact_calls_until = None
    moment = utc(2026, 12, 8, 3)
    assert local_time.first_callable(moscow_daytime, contact, moment) == utc(2026, 12, 8, 6)


# --- any zones, window and moment ----------------------------------------------------------

ZONES = [
    "Europe/Kaliningrad", "Europe/Moscow", "Europe/Berlin", "Europe/London", "America/New_York",
    "America/Sao_Paulo", "Asia/Yekaterinburg", "Asia/Kolkata", "Asia/Vladivostok",
    "Asia/Kamchatka", "Australia/Lord_Howe", "Pacific/Chatham",
]  # fmt: skip
quarter_hours = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
# Hypothesis takes naive bounds and gives each moment a zone from `timezones`.
any_moment = st.datetimes(
    min_value=datetime(2020, 1, 1),  # noqa: DTZ001
    max_value=datetime(2035, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
# The days before the clocks change in 2026 in the zones above (Lord Howe's by half an hour).
CLOCK_CHANGES = [
    utc(2026, 3, 7), utc(2026, 3, 28), utc(2026, 4, 4), utc(2026, 9, 26), utc(2026, 10, 3),
    utc(2026, 10, 24), utc(2026, 10, 31),
]  # fmt: skip
near_a_clock_change = st.builds(
    lambda day, minutes: day + timedelta(minutes=minutes),
    st.sampled_from(CLOCK_CHANGES),
    st.integers(0, 3 * 24 * 60),
)
moments = st.one_of(any_moment, near_a_clock_change)


def allowed_by_the_clock(moment, zone, start, end):
    """The window read on the contact's wall clock, or None where that clock is ambiguous (the hour
    repeated when the clocks go back), which the instants decide."""
    local = moment.astimezone(ZoneInfo(zone))
    other = local.replace(fold=1 - local.fold)
    if other.utcoffset() != local.utcoffset():
        return None
    wall, start, end = local.time(), start or time(0), end or time(0)
    return start <= wall < end if start < end else (wall >= start or wall < end)


def clock_says(moment, zones, start, end):
    """False if a zone's clock says quiet, True if all say allowed, None if a clock cannot say."""
    answers = [allowed_by_the_clock(moment, zone, start, end) for zone in zones]
    return False if False in answers else (None if None in answers else True)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(ZONES), min_size=1, max_size=4, unique=True),
    st.none() | quarter_hours,
    st.none() | quarter_hours,
    moments,
)
def test_the_first_allowed_moment_is_allowed_everywhere_and_none_comes_before_it(
    zones, start, end, moment
):
    group = quiet_hours(start, end)
    found = first_allowed(group, zones, moment)
    step = timedelta(minutes=10)
    if found is None:  # no moment of the horizon is allowed in every zone
        probes = [moment + step * n for n in range(local_time.HORIZON // step)]
        assert all(clock_says(probe, zones, start, end) is not True for probe in probes)
        return
    assert moment <= found < moment + local_time.HORIZON
    assert not is_quiet(group, zones, found)
    assert clock_says(found, zones, start, end) is not False
    earlier = [found - step * n for n in range(1, (found - moment) // step + 1)]
    assert all(clock_says(probe, zones, start, end) is not True for probe in earlier)


def test_the_words_say_whose_time_and_when_the_group_opens_into_the_quiet_hours():
    from callbacks.local_time_words import quiet_at_message, whose_time

    group = quiet_hours()
    group.time_zone = "Europe/Moscow"
    zones = ContactZones((VLADIVOSTOK,), guessed=False)
    opening = utc(2026, 12, 8, 13)  # 16:00 in Moscow, 23:00 in Vladivostok
    message = quiet_at_message(group, zones, opening, now=utc(2026, 12, 8, 12))
    assert message == (
        "When “Sales” opens, at 8 Dec 2026, 16:00 (group time, Europe/Moscow), it will be 23:00 "
        "(Asia/Vladivostok) for the contact: calls are allowed from 09:00 to 21:00 their time."
    )
    assert whose_time(opening, group, zones) == (
        "8 Dec 2026, 16:00 (group time, Europe/Moscow) · for the contact 23:00 (Asia/Vladivostok)"
    )
    next_day = utc(2026, 12, 8, 15)  # 18:00 in Moscow, 01:00 on the 9th in Vladivostok
    assert whose_time(next_day, group, zones).endswith(
        "for the contact 9 Dec 2026, 01:00 (Asia/Vladivostok)"
    )
