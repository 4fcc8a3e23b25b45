"""Scheduling on the Call back page: now, one of the group's next openings, or a time typed in
the group's time zone (not the server's), refused on the field when it has passed, is too far
ahead, or falls outside the group's working hours or on its holiday."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from callbacks.models import CallbackRequest, Holiday
from tests.admin_pages import call_back_url, contact_url
from tests.helpers import working_every_day

pytestmark = pytest.mark.django_db
GROUP_ZONE = ZoneInfo("Asia/Yekaterinburg")  # UTC+5, the server's (tests) is Europe/Moscow, UTC+3


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def daytime_group(agent_group):
    """The agent group working 09:00–18:00 every day in Yekaterinburg."""
    return working_every_day(agent_group, GROUP_ZONE.key, time(9), time(18))


def group_day(days_ahead):
    return timezone.now().astimezone(GROUP_ZONE).date() + timedelta(days=days_ahead)


def typed(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute)).strftime("%Y-%m-%dT%H:%M")


def press(client, contact, group, **fields):
    return client.post(call_back_url(contact), {"agent_group": group.pk, **fields}, follow=True)


def field_errors(response, field):
    return response.context["form"].errors.get(field, [])


def test_a_typed_time_is_read_in_the_groups_zone_not_the_servers(
    staff_client, contact, daytime_group, queued, django_capture_on_commit_callbacks
):
    tomorrow = group_day(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = press(
            staff_client, contact, daytime_group, when="at", scheduled_for=typed(tomorrow, 10)
        )
    callback = CallbackRequest.objects.get()
    expected = datetime.combine(tomorrow, time(10), tzinfo=GROUP_ZONE)
    assert callback.scheduled_for == expected
    assert callback.next_attempt_at == expected  # not 10:00 Moscow, which is 12:00 there
    page = response.content.decode()
    assert "Callback scheduled" in page
    assert "10:00 (group time, Asia/Yekaterinburg)" in page  # the message and the contact's page
    assert "will be placed at" in page


def test_a_time_open_on_the_servers_clock_but_not_the_groups_is_refused(
    staff_client, contact, daytime_group, queued
):
    tomorrow = group_day(1)
    # 08:30 in Yekaterinburg; read as Moscow time it would be 10:30 there, inside the hours.
    response = press(
        staff_client, contact, daytime_group, when="at", scheduled_for=typed(tomorrow, 8, 30)
    )
    opening = datetime.combine(tomorrow, time(9), tzinfo=GROUP_ZONE)
    assert field_errors(response, "scheduled_for") == [
        f"“Sales” does not work at this time. Its next opening: {shown(opening)}."
    ]
    assert not CallbackRequest.objects.exists()


def test_a_holiday_is_refused_with_the_next_opening_after_it(
    staff_client, contact, daytime_group, queued
):
    holiday = group_day(2)
    Holiday.objects.create(agent_group=daytime_group, date=holiday, name="Day off")
    response = press(
        staff_client, contact, daytime_group, when="at", scheduled_for=typed(holiday, 10)
    )
    after = datetime.combine(holiday + timedelta(days=1), time(9), tzinfo=GROUP_ZONE)
    assert field_errors(response, "scheduled_for") == [
        f"{holiday.day} {holiday:%b %Y} is a holiday of “Sales”. Its next opening: {shown(after)}."
    ]
    assert not CallbackRequest.objects.exists()


def test_a_time_that_has_passed_is_refused(staff_client, contact, agent_group, queued):
    past = timezone.localtime() - timedelta(hours=1)
    response = press(
        staff_client, contact, agent_group, when="at", scheduled_for=past.strftime("%Y-%m-%dT%H:%M")
    )
    [error] = field_errors(response, "scheduled_for")
    assert error.startswith("This time has passed. Choose “Now” or a time from ")
    assert not CallbackRequest.objects.exists()


def test_more_than_30_days_ahead_is_refused(staff_client, contact, daytime_group, queued):
    response = press(
        staff_client, contact, daytime_group, when="at", scheduled_for=typed(group_day(31), 10)
    )
    [error] = field_errors(response, "scheduled_for")
    assert error.startswith("A callback can be scheduled at most 30 days ahead, until ")
    assert not CallbackRequest.objects.exists()


def test_the_page_offers_the_next_openings_and_one_click_schedules_it(
    staff_client, contact, daytime_group, queued
):
    page = staff_client.get(call_back_url(contact)).content.decode()
    assert "group time: Asia/Yekaterinburg, UTC+5" in page
    tomorrow_nine = datetime.combine(group_day(1), time(9), tzinfo=GROUP_ZONE)
    value = tomorrow_nine.isoformat(timespec="minutes")
    assert f'value="{value}"' in page
    assert "tomorrow at 09:00" in page
    response = press(staff_client, contact, daytime_group, when=value)
    assert response.redirect_chain[-1][0] == contact_url(contact)
    assert CallbackRequest.objects.get().next_attempt_at == tomorrow_nine


def test_a_typed_time_with_now_chosen_is_not_called_now(
    staff_client, contact, daytime_group, queued
):
    response = press(
        staff_client, contact, daytime_group, when="now", scheduled_for=typed(group_day(1), 10)
    )
    assert field_errors(response, "scheduled_for")
    assert not CallbackRequest.objects.exists()


@pytest.mark.parametrize("when", ["at", "tomorrow", "2026-13-01T09:00+05:00"])
def test_a_missing_or_unreadable_time_is_a_message_not_an_error_page(
    staff_client, contact, daytime_group, queued, when
):
    response = press(staff_client, contact, daytime_group, when=when)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not CallbackRequest.objects.exists()


@pytest.mark.parametrize("typed", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_a_time_at_the_ends_of_the_calendar_is_a_message_on_the_field(
    staff_client, contact, daytime_group, queued, typed
):
    """A zone's offset would overflow Python's datetime there: refused before it is read."""
    response = press(staff_client, contact, daytime_group, when="at", scheduled_for=typed)
    assert response.status_code == 200
    assert response.context["form"].errors["scheduled_for"]
    assert not CallbackRequest.objects.exists()


def shown(moment):
    from callbacks.dates import shown_datetime

    return shown_datetime(moment, GROUP_ZONE)
