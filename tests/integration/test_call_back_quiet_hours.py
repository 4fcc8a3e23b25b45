"""The contact's quiet hours on the Call back page: "now" inside them is refused with the
contact's local time, the window and one click to schedule the first time allowed; a time chosen
inside them is refused on the field naming that time in the group's zone and the contact's; a
zone guessed from the number says so; where the group's hours and the window never meet, the page
and the service say so and nothing is scheduled."""

import re
from datetime import datetime, time, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest

from callbacks.local_time import contact_zones
from callbacks.local_time_words import whose_time
from callbacks.models import CallbackRequest, CallbackStatus, Refusal
from tests.admin_pages import call_back_url, contact_url
from tests.helpers import ask_for_callback, quiet_now

pytestmark = pytest.mark.django_db
ONE_CLICK = re.compile(
    r'<form method="post" id="quiet-hours-answer">.*?name="when" value="([^"]+)"', re.S
)
HOUR = timedelta(hours=1)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def press(client, contact, group, **fields):
    return client.post(call_back_url(contact), {"agent_group": group.pk, **fields}, follow=True)


def window_of(opens):
    return f"from {opens:%H:%M} to {opens + 8 * HOUR:%H:%M}"


def test_now_in_the_contacts_quiet_hours_is_refused_with_one_click_to_the_first_time_allowed(
    staff_client, contact, agent_group, queued
):
    opens = quiet_now(agent_group, contact)
    response = press(staff_client, contact, agent_group, when="now")
    page = response.content.decode()
    assert re.search(
        r"It is \d\d:\d\d \(Asia/Vladivostok\) for the contact now: calls are allowed "
        rf"{window_of(opens)} their time\.",
        page,
    )
    assert not CallbackRequest.objects.exists()
    [value] = ONE_CLICK.findall(page)
    assert datetime.fromisoformat(value) == opens  # the group works at any time: the window's start
    label = whose_time(opens, agent_group, contact_zones(contact))
    assert f"{opens:%H:%M} (Asia/Vladivostok)" in label
    assert f"Schedule for the first time allowed: {label}" in page

    scheduled = press(staff_client, contact, agent_group, when=value)
    assert scheduled.redirect_chain[-1][0] == contact_url(contact)
    callback = CallbackRequest.objects.get()
    assert callback.next_attempt_at == callback.scheduled_for == opens
    assert callback.status == CallbackStatus.PENDING
    # With the contact's date when it is another day there than in the group's zone.
    assert re.search(
        rf"for the contact (\d+ \w+ \d{{4}}, )?{opens:%H:%M} \(Asia/Vladivostok\)",
        scheduled.content.decode(),
    )


def test_a_typed_time_in_the_quiet_hours_is_refused_naming_the_first_time_allowed(
    staff_client, contact, agent_group, queued
):
    opens = quiet_now(agent_group, contact)
    too_early = opens - HOUR
    typed = too_early.astimezone(ZoneInfo(agent_group.time_zone)).strftime("%Y-%m-%dT%H:%M")
    response = press(staff_client, contact, agent_group, when="at", scheduled_for=typed)
    [error] = response.context["form"].errors["scheduled_for"]
    assert f"{too_early:%H:%M} (Asia/Vladivostok) for the contact: calls are allowed" in error
    first = whose_time(opens, agent_group, contact_zones(contact))
    assert f"The first time allowed: {first}." in error
    assert "(group time, Europe/Moscow) · for the contact" in first
    assert not CallbackRequest.objects.exists()


def test_a_zone_guessed_from_a_mobile_number_says_so_and_a_window_no_zone_shares_is_refused(
    staff_client, contact, agent_group, queued
):
    """The contact's Russian mobile numbers may be anywhere from UTC+2 to UTC+12: 09:00–18:00
    never holds in all those zones at once."""
    agent_group.contact_calls_from, agent_group.contact_calls_until = time(9), time(18)
    agent_group.save()
    page = unescape(press(staff_client, contact, agent_group, when="now").content.decode())
    assert (
        "the time zone is guessed from the number, not known exactly: somewhere from UTC+" in page
    )
    assert "to UTC+12" in page
    assert (
        "The working hours of “Sales” never fall in the hours the contact may be called in" in page
    )
    assert "every time zone it may be in: there is no time to call this contact." in page
    assert 'id="quiet-hours-answer"' not in page  # no time to offer
    assert not CallbackRequest.objects.exists()


def test_the_service_refuses_a_press_the_hours_and_the_window_never_allow(
    contact, agent_group, staff_user, queued
):
    agent_group.contact_calls_from, agent_group.contact_calls_until = time(9), time(18)
    agent_group.save()
    callback = ask_for_callback(contact, agent_group, staff_user)
    assert (callback.status, callback.refusal) == (CallbackStatus.REFUSED, Refusal.NO_OPENING)
    assert "there is no time to call this contact" in callback.error


def test_a_press_inside_the_window_goes_now(staff_client, contact, agent_group, queued):
    opens = quiet_now(agent_group, contact)
    agent_group.contact_calls_from = (opens - 3 * HOUR).time()  # now is inside
    agent_group.save()
    response = press(staff_client, contact, agent_group, when="now")
    assert "Callback queued" in response.content.decode()
    assert CallbackRequest.objects.get().scheduled_for is None


def test_the_pages_say_whose_time_each_time_is(
    staff_client, staff_user, contact, agent_group, queued
):
    opens = quiet_now(agent_group, contact)
    callback = ask_for_callback(contact, agent_group, staff_user)
    assert callback.next_attempt_at == opens  # a press waits for the window
    contact_page = staff_client.get(contact_url(contact)).content.decode()
    assert re.search(r"The contact's time now: \d\d:\d\d \(Asia/Vladivostok\)", contact_page)
    assert "(group time, Europe/Moscow) · for the contact" in contact_page
    assert "(Europe/Moscow)</a>" in contact_page  # the time asked, in the site's zone
    story = staff_client.get(f"/admin/callbacks/callbackrequest/{callback.pk}/change/")
    text = story.content.decode()
    assert f"Next attempt at {whose_time(opens, agent_group, contact_zones(contact))}." in text


def test_the_contacts_page_says_when_its_zone_is_a_guess(staff_client, contact):
    page = staff_client.get(contact_url(contact)).content.decode()
    assert "the time zone is guessed from the number, not known exactly" in page
