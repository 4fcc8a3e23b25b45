"""Staff's daily path in Chromium at 1366 × 900, in Russian and English: open a contact, press
Call back (the page's primary button), schedule it for tomorrow's first opening with one click and
see it on the contact's page in the group's time zone; call now and, without reloading, see it
placed and its outcome arrive."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from callbacks.call_events import receive_event
from callbacks.dates import shown_datetime
from callbacks.delivery import sending
from callbacks.models import CallbackRequest, CallbackStatus, WorkingHours
from tests.helpers import working_every_day
from tests.integration.call_event_data import connected_events
from tests.system.browser import PASSWORD, VIEWPORT, wait_for_the_outcome

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
GROUP_ZONE = ZoneInfo("Asia/Yekaterinburg")  # UTC+5; the server's is Europe/Moscow, UTC+3
LIVE_WAIT_MS = 10_000  # live.js refreshes every 3 s

WORDS = {
    "ru-RU": {
        "call back": "Перезвонить",
        "tomorrow": "завтра в 09:00",
        "schedule": "Запланировать обратный звонок",
        "now": "Перезвонить сейчас",
        "scheduled": "Обратный звонок запланирован",
        "will be placed": "будет совершён",
        "placed": "Совершён",
        "connected": "Соединены",
        "zone": "время группы: Asia/Yekaterinburg, UTC+5",
        "group time": "время группы",
    },
    "en-GB": {
        "call back": "Call back",
        "tomorrow": "tomorrow at 09:00",
        "schedule": "Schedule the callback",
        "now": "Call back now",
        "scheduled": "Callback scheduled",
        "will be placed": "will be placed at",
        "placed": "Placed",
        "connected": "Connected",
        "zone": "group time: Asia/Yekaterinburg, UTC+5",
        "group time": "group time",
    },
}
LOCALES = list(WORDS)


@pytest.fixture
def daytime_group(agent_group):
    return working_every_day(agent_group, GROUP_ZONE.key, time(9), time(18))


@pytest.fixture
def contact_page(chromium, live_server, staff_user, contact, tmp_path):
    """The contact's page, as staff, in a locale; a screenshot of each page at the end."""
    pages = []

    def open_in(locale):
        page = chromium.new_page(locale=locale, viewport=VIEWPORT)
        pages.append(page)
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", staff_user.username)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_selector("#user-tools")
        page.goto(f"{live_server.url}/admin/callbacks/contact/{contact.pk}/change/")
        return page

    yield open_in
    for index, page in enumerate(pages):
        page.screenshot(path=str(tmp_path / f"contact-{index}.png"))


def shoot(page, tmp_path, name):
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


def assert_inside_the_viewport(page, selector):
    box = page.locator(selector).bounding_box()
    assert box is not None
    assert box["x"] >= 0, (selector, box)
    assert box["x"] + box["width"] <= VIEWPORT["width"], (selector, box)


def press_call_back(page, words):
    button = page.locator(".object-tools a.callback-link")
    assert button.text_content().strip() == words["call back"]
    # The primary button: the admin's default-button colour, not the grey of "History".
    history = page.locator(".object-tools a.historylink")
    colour = button.evaluate("link => getComputedStyle(link).backgroundColor")
    assert colour != history.evaluate("link => getComputedStyle(link).backgroundColor")
    button.click()
    page.wait_for_selector("#callback-when")


@pytest.mark.parametrize("locale", LOCALES)
def test_staff_schedule_a_callback_for_tomorrows_first_opening(
    contact_page, daytime_group, queued, tmp_path, locale
):
    words = WORDS[locale]
    page = contact_page(locale)
    press_call_back(page, words)
    assert words["zone"] in page.inner_text("#callback-when")
    assert_inside_the_viewport(page, "#agent-groups")
    page.get_by_text(words["tomorrow"], exact=True).click()  # one click
    assert page.locator("#confirm-callback").get_attribute("value") == words["schedule"]
    shoot(page, tmp_path, f"call-back-{locale}")
    page.click("#confirm-callback")
    page.wait_for_selector(".messagelist")
    assert words["scheduled"] in page.inner_text(".messagelist")

    callback = CallbackRequest.objects.get()
    tomorrow = timezone.now().astimezone(GROUP_ZONE).date() + timedelta(days=1)
    assert callback.next_attempt_at == datetime.combine(tomorrow, time(9), tzinfo=GROUP_ZONE)
    with translation.override(locale[:2]):
        when = shown_datetime(callback.next_attempt_at, GROUP_ZONE)
    row = page.locator("#contact-callbacks tr.callback-row").first
    shown = f"{words['will be placed']} {when} ({words['group time']}, Asia/Yekaterinburg)"
    assert shown in row.inner_text()
    assert_inside_the_viewport(page, "#contact-callbacks table")
    shoot(page, tmp_path, f"contact-scheduled-{locale}")


@pytest.mark.parametrize("locale", LOCALES)
def test_staff_call_now_and_see_it_placed_and_its_outcome_without_reloading(
    contact_page, agent_group, queued, sandbox, tmp_path, locale
):
    words = WORDS[locale]
    page = contact_page(locale)
    press_call_back(page, words)
    page.get_by_role("button", name=words["now"]).click()
    page.wait_for_selector(".messagelist")
    row = page.locator("#contact-callbacks tr.callback-row").first
    assert "status-pending" in row.get_attribute("class")
    page.evaluate("window.notReloaded = true")  # gone if the page reloads

    callback = CallbackRequest.objects.get()
    sending.send_callback(callback.pk)  # what the worker does
    page.wait_for_selector("#contact-callbacks tr.status-placed", timeout=LIVE_WAIT_MS)
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.PLACED
    row = page.locator("#contact-callbacks tr.callback-row").first
    assert callback.call_id in row.locator("td.callback-call-id").inner_text()
    assert words["placed"] in row.locator("td.callback-status").inner_text()

    for payload in connected_events(callback.call_id):  # what Exolve posts
        receive_event(payload)
    wait_for_the_outcome(page, words["connected"], LIVE_WAIT_MS)
    assert page.evaluate("window.notReloaded") is True
    assert_inside_the_viewport(page, "#contact-callbacks table")
    shoot(page, tmp_path, f"contact-placed-{locale}")


def test_with_two_groups_only_the_chosen_groups_openings_and_zone_are_offered(
    contact_page, daytime_group, queued, tmp_path
):
    from callbacks.models import AgentGroup, Destination

    night = AgentGroup.objects.create(
        name="Night desk", number_code=74990000000, callback_resource_id=1, time_zone="UTC"
    )
    Destination.objects.create(agent_group=night, number="79120000000")
    WorkingHours.objects.create(agent_group=night, weekday=0, opens=time(22), closes=time(6))
    page = contact_page("en-GB")
    press_call_back(page, WORDS["en-GB"])
    openings = page.locator(f'.group-openings[data-group="{night.pk}"]')
    assert openings.is_hidden()  # no group chosen yet: the picker's zone is the chosen group's
    page.check(f"#group-{night.pk}")
    assert openings.is_visible()
    assert page.locator(f'.group-openings[data-group="{daytime_group.pk}"]').is_hidden()
    assert page.inner_text("#picker-zone") == "group time: UTC, UTC+0"
    page.fill("input[type=datetime-local]", "2030-01-01T10:00")
    assert page.is_checked("#when-at")  # typing a time chooses "At a time"
    assert page.locator("#confirm-callback").get_attribute("value") == "Schedule the callback"
    shoot(page, tmp_path, "call-back-two-groups")
