"""Objects' names (page titles, breadcrumbs, inline rows' captions, the change trail) read as the
rest of the interface does: its one date format, 09:00 not 09:00:00, numbers as people read them,
a call event in words rather than Exolve's codes and raw timestamp."""

from datetime import UTC, date, datetime, time

import pytest
from django.utils import timezone, translation

from callbacks.models import CallEvent, Destination, Holiday, WorkingHours


def named(obj, language):
    with translation.override(language), timezone.override("Europe/Moscow"):
        return str(obj)


@pytest.mark.parametrize(
    ("language", "name"), [("ru", "31.12.2026 Новый год"), ("en", "31 Dec 2026 Новый год")]
)
def test_a_holiday_s_date_is_in_the_interface_s_format(language, name):
    assert named(Holiday(date=date(2026, 12, 31), name="Новый год"), language) == name


def test_an_unnamed_holiday_is_its_date():
    assert named(Holiday(date=date(2026, 1, 7)), "ru") == "07.01.2026"


@pytest.mark.parametrize(
    ("language", "name"), [("ru", "Понедельник 09:00–18:00"), ("en", "Monday 09:00–18:00")]
)
def test_working_hours_show_hours_and_minutes(language, name):
    hours = WorkingHours(weekday=0, opens=time(9), closes=time(18))
    assert named(hours, language) == name


def test_a_destination_s_number_reads_as_people_read_it():
    assert named(Destination(number="79123456789"), "ru") == "+7 912 345-67-89"
    assert named(Destination(number="sip:agent@pbx.example"), "ru") == "sip:agent@pbx.example"


def event(kind):
    return CallEvent(
        call_sid="4837261",
        event_side="B",
        type=kind,
        date_time="2026-12-07T03:05:08.134399Z",
        occurred_at=datetime(2026, 12, 7, 3, 5, 8, 134399, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("language", "name"),
    [
        ("ru", "4837261, плечо B: конец, 07.12.2026 06:05"),
        ("en", "4837261, leg B: ended, 7 Dec 2026, 06:05"),
    ],
)
def test_a_call_event_is_named_in_words_at_the_interface_s_time(language, name):
    assert named(event("e"), language) == name


def test_an_event_type_exolve_adds_later_is_shown_as_sent():
    assert named(event("x"), "ru") == "4837261, плечо B: x, 07.12.2026 06:05"
