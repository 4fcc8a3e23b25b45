"""Each role's daily path, in Chromium at 1366 × 900, in Russian and in English, with the real
processes behind the pages: staff call a contact now and watch it be placed and its outcome arrive
without reloading (a real Celery worker sends MakeCallback to the sandbox, which posts Exolve's call
events back to this server), then schedule another contact for tomorrow's first opening; a support
manager creates a group with three destinations in order and reorders them; an auditor reaches the
call log from the navigation, filters it and exports it. Screenshots go to SCREENSHOTS_DIR (see
tests/system/browser.py); with README_SCREENSHOTS=1 the two the README shows are refreshed too."""

import csv
import io
import os
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from callbacks.delivery.create import create_callback
from callbacks.models import CallbackRequest, CallbackStatus
from tests.helpers import PROJECT, make_contact, working_every_day
from tests.integration.call_event_data import events_secret, live_events_url  # noqa: F401
from tests.system.browser import (
    LIVE_WAIT_MS,
    log_in,
    right_edges_inside_the_viewport,
    screenshot_folder,
    wait_for_the_outcome,
)
from tests.system.test_browser_row_order import (
    FIRST,
    SECOND,
    THIRD,
    drag_row,
    new_group_with_three_destinations,
    saved_order,
    shown_order,
)
from tests.system.worker_process import worker_on_own_queue

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
README_SHOTS = PROJECT / "docs" / "screenshots"
OPENS, CLOSES = time(8), time(20)
# Zones a group may be in, one per offset: the test picks one where it is late morning now, so that
# "now" is inside the working hours and tomorrow's first opening is at 08:00, whenever it runs.
ZONES = [
    "Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles", "America/Denver",
    "America/Chicago", "America/New_York", "America/Halifax", "America/Sao_Paulo",
    "Atlantic/South_Georgia", "Atlantic/Cape_Verde", "Europe/London", "Europe/Berlin",
    "Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",
    "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok", "Asia/Magadan",
    "Asia/Kamchatka", "Pacific/Tongatapu",
]  # fmt: skip
WORDS = {
    "ru-RU": {
        "contacts and callbacks": "Клиенты и обратные звонки",
        "configuration": "Настройка",
        "records": "Журналы",
        "contacts": "Клиенты",
        "callbacks": "Обратные звонки",
        "call log": "Журнал звонков",
        "tomorrow": "завтра в 08:00",
        "now": "Перезвонить сейчас",
        "queued": "Обратный звонок поставлен в очередь",
        "scheduled": "Обратный звонок запланирован",
        "will be placed": "будет совершён",
        "placed": "Совершён",
        "connected": "Соединены",
        "status": "Совершён",
    },
    "en-GB": {
        "contacts and callbacks": "Contacts and callbacks",
        "configuration": "Configuration",
        "records": "Records",
        "contacts": "Contacts",
        "callbacks": "Callbacks",
        "call log": "Call log",
        "tomorrow": "tomorrow at 08:00",
        "now": "Call back now",
        "queued": "Callback queued",
        "scheduled": "Callback scheduled",
        "will be placed": "will be placed at",
        "placed": "Placed",
        "connected": "Connected",
        "status": "Placed",
    },
}
LOCALES = pytest.mark.parametrize("locale", list(WORDS))
# The callback list's columns a person scans: when, contact, group, status with outcome, call id.
KEY_COLUMNS = [
    "th.column-requested_at",
    "th.column-contact_and_numbers",
    "th.column-agent_group",
    "th.column-status_words",
    "th.column-call_id",
]


@pytest.fixture(scope="module")
def worker(sandbox_server, django_db_setup, tmp_path_factory):
    """A real worker on this run's own queue, sending to the sandbox."""
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    with worker_on_own_queue(log_path, queue=queue, sandbox_url=sandbox_server.url) as worker:
        yield worker


@pytest.fixture
def exolve(worker, sandbox, live_server):
    """The sandbox answering MakeCallback and posting each call's events to this live server, as
    Exolve does to the URL set in its cabinet."""
    sandbox.configure(events_url=live_events_url(live_server), events_delay_ms=300)
    return sandbox


@pytest.fixture
def shots(tmp_path):
    folder = screenshot_folder(tmp_path)

    def save(page, name, readme_name=None):
        page.screenshot(path=str(folder / f"{name}.png"))
        if readme_name and os.environ.get("README_SCREENSHOTS"):
            page.screenshot(path=str(README_SHOTS / f"{readme_name}.png"))

    return save


def late_morning_zone():
    now = timezone.now()
    return next(zone for zone in ZONES if 9 <= now.astimezone(ZoneInfo(zone)).hour < 12)


@pytest.fixture
def open_group(agent_group):
    """The demo-like group, open 08:00–20:00 every day in a zone where it is late morning now."""
    return working_every_day(agent_group, late_morning_zone(), OPENS, CLOSES)


def section_captions(page):
    """The index's sections after the overview (the board and the reports, first for all)."""
    captions = page.locator("#content-main caption").all_text_contents()
    return [caption.strip() for caption in captions][1:]


def open_contact(page, words, name):
    page.locator("#content-main").get_by_role("link", name=words["contacts"], exact=True).click()
    page.get_by_role("link", name=name, exact=True).click()
    page.wait_for_selector("#contact-callbacks")


@LOCALES
def test_staff_call_now_see_it_placed_and_its_outcome_live_then_schedule_for_tomorrow(
    chromium, live_server, exolve, staff_user, contact, open_group, shots, locale
):
    words = WORDS[locale]
    page = log_in(chromium, live_server, staff_user.username, locale)
    assert section_captions(page)[0] == words["contacts and callbacks"]  # what staff use, first

    open_contact(page, words, contact.name)
    page.click(".object-tools a.callback-link")
    page.get_by_role("button", name=words["now"]).click()
    page.wait_for_selector(".messagelist")
    assert words["queued"] in page.inner_text(".messagelist")
    page.evaluate("window.notReloaded = true")  # gone if the page reloads
    # The worker sends it, Exolve (the sandbox) answers with a call id and posts the call's events.
    page.wait_for_selector("#contact-callbacks tr.status-placed", timeout=LIVE_WAIT_MS)
    wait_for_the_outcome(page, words["connected"])
    assert page.evaluate("window.notReloaded") is True
    callback = CallbackRequest.objects.get(contact=contact)
    assert callback.status == CallbackStatus.PLACED
    assert callback.call_id
    row = page.locator("#contact-callbacks tr.callback-row").first
    assert callback.call_id in row.inner_text()
    assert not right_edges_inside_the_viewport(page, ["#contact-callbacks table"])
    shots(page, f"staff-contact-after-the-call-{locale}", f"contact-after-a-call-{locale[:2]}")

    other = make_contact("79161234599", name="Мария Соколова")
    page.goto(f"{live_server.url}/admin/")
    open_contact(page, words, other.name)
    page.click(".object-tools a.callback-link")
    page.get_by_text(words["tomorrow"], exact=True).click()  # the group's next opening, one click
    page.click("#confirm-callback")
    page.wait_for_selector(".messagelist")
    assert words["scheduled"] in page.inner_text(".messagelist")
    scheduled = CallbackRequest.objects.get(contact=other)
    zone = ZoneInfo(open_group.time_zone)
    tomorrow = timezone.now().astimezone(zone).date() + timedelta(days=1)
    assert scheduled.next_attempt_at == datetime.combine(tomorrow, OPENS, tzinfo=zone)
    assert words["will be placed"] in page.inner_text("#contact-callbacks tr.callback-row")
    shots(page, f"staff-scheduled-for-tomorrow-{locale}")

    page.goto(f"{live_server.url}/admin/")
    page.locator("#content-main").get_by_role("link", name=words["callbacks"], exact=True).click()
    page.wait_for_selector("#result_list")
    assert not right_edges_inside_the_viewport(page, KEY_COLUMNS)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert words["status"] in page.inner_text("#result_list")
    shots(page, f"staff-callback-list-{locale}", f"callback-list-{locale[:2]}")


@LOCALES
def test_a_manager_creates_a_group_with_three_ordered_destinations_and_reorders_them(
    chromium, live_server, manager, shots, locale
):
    words = WORDS[locale]
    page = log_in(chromium, live_server, manager.username, locale)
    assert section_captions(page)[0] == words["configuration"]  # what managers use, first
    new_group_with_three_destinations(page, live_server)
    drag_row(page, 2, below=0)  # the third agent to second place
    assert shown_order(page) == [("1", FIRST), ("2", THIRD), ("3", SECOND)]
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    assert saved_order("Поддержка") == [(1, "79120000001"), (2, "79120000003"), (3, "79120000002")]
    shots(page, f"manager-group-saved-{locale}")

    page.locator("#destinations-group tbody tr.form-row:not(.empty-form)").nth(2).locator(
        "button.row-up"
    ).click()
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    assert saved_order("Поддержка") == [(1, "79120000001"), (2, "79120000002"), (3, "79120000003")]
    shots(page, f"manager-group-reordered-{locale}")

    page.goto(f"{live_server.url}/admin/callbacks/agentgroup/")  # the order they are rung in
    assert page.locator("ol.destination-order li").all_inner_texts() == [FIRST, SECOND, THIRD]


@LOCALES
def test_an_auditor_reaches_the_call_log_from_the_navigation_filters_and_exports(
    chromium, live_server, auditor, contact, agent_group, staff_user, queued, shots, locale
):
    words = WORDS[locale]
    others = make_contact("79161234598", name="Олег Миронов")
    for status, who in ((CallbackStatus.PLACED, contact), (CallbackStatus.REFUSED, others)):
        made = create_callback(contact=who, agent_group=agent_group, requested_by=staff_user)
        CallbackRequest.objects.filter(pk=made.pk).update(status=status)
    page = log_in(chromium, live_server, auditor.username, locale)
    assert section_captions(page)[0] == words["records"]  # what auditors read, first
    page.locator("#content-main").get_by_role("link", name=words["call log"], exact=True).click()
    page.wait_for_selector("#call-log-filter")
    page.select_option("#id_status", CallbackStatus.PLACED)
    page.click("#call-log-filter input[type=submit]")
    page.wait_for_selector("#call-log-rows")
    assert page.locator("#call-log-rows tr.call-log-row").count() == 1
    shots(page, f"auditor-call-log-{locale}")

    with page.expect_download() as download:
        page.click("#call-log-export")
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 2, rows  # the header and the one placed callback, not the refused one
    assert contact.name in rows[1]
