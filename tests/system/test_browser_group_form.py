"""In Chromium at 1366 × 900, as a support manager whose browser is in another time zone than the
server (Yekaterinburg, two hours ahead of Moscow): the agent group's form keeps its inputs one
height beside labels of three lines, and its working hours and holidays are plain inputs in the
group's own zone (09:00, 31.12.2026), without Django's "Now"/"Today" shortcuts and their warning
that the browser's clock differs from the server's."""

from datetime import date, time

import pytest

from callbacks.models import Holiday, WorkingHours
from tests.system.browser import log_in, screenshot_folder

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ONE_LINE_LABEL = "#id_number_code"
LONG_LABELS = ["#id_callback_resource_id", "#id_duration"]
SHORTCUTS = ".datetimeshortcuts, .timezonewarning, .clockbox, .calendarbox"
DATES = {"ru-RU": "31.12.2026", "en-GB": "2026-12-31"}


def log_in_elsewhere(chromium, live_server, username, locale):
    """A browser whose clock is two hours off the server's: Django's clock warning would show."""
    return log_in(chromium, live_server, username, locale, timezone_id="Asia/Yekaterinburg")


def height(page, selector):
    return page.locator(selector).bounding_box()["height"]


@pytest.mark.parametrize("locale", ["ru-RU", "en-GB"])
def test_a_manager_edits_the_group_s_hours_in_plain_inputs(
    chromium, live_server, manager, agent_group, tmp_path, locale
):
    WorkingHours.objects.create(agent_group=agent_group, weekday=0, opens=time(9), closes=time(18))
    Holiday.objects.create(agent_group=agent_group, date=date(2026, 12, 31), name="Новый год")
    page = log_in_elsewhere(chromium, live_server, manager.username, locale)
    page.goto(f"{live_server.url}/admin/callbacks/agentgroup/{agent_group.pk}/change/")
    page.wait_for_load_state("load")  # Django's shortcuts would be added by then

    for selector in LONG_LABELS:
        assert height(page, selector) == height(page, ONE_LINE_LABEL), selector
    assert page.locator(SHORTCUTS).count() == 0
    assert page.input_value("#id_working_hours-0-opens") == "09:00"
    assert page.input_value("#id_working_hours-0-closes") == "18:00"
    assert page.input_value("#id_holidays-0-date") == DATES[locale]
    shot = screenshot_folder(tmp_path) / f"group-form-{locale}.png"
    page.screenshot(path=str(shot), full_page=True)

    page.fill("#id_working_hours-0-opens", "08:30")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    assert WorkingHours.objects.get(agent_group=agent_group).opens == time(8, 30)
    assert page.input_value("#id_working_hours-0-opens") == "08:30"
