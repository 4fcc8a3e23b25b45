"""The board in Chromium at 1366 × 900, as each role that reads it: staff, support managers and
auditors land on it after logging in; every number on an agent group's row equals a count the
test makes of the callbacks in the database, and its link opens the call log listing exactly
those callbacks. Staff take a callback off the work list with "checked, no action" and a note,
which an auditor then reads on the callback's page; the queue keeps itself current."""

import os

import pytest
from django.utils import timezone, translation

from callbacks.models import CallbackRequest, CallbackStatus
from tests.helpers import make_callbacks
from tests.integration.board.board_data import expected_figures, expected_waits, one_of_each
from tests.system.browser import LIVE_WAIT_MS, log_in, screenshot_folder
from tests.system.test_daily_paths import README_SHOTS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def nothing_reaches_the_broker(queued):
    """The callbacks made here are never sent: their tasks would wait on the test run's queue for
    the worker of a later test, and hold up its own callback behind hundreds of them."""
    return queued


def listed_ids(page):
    """The callbacks the call log page shows, by id."""
    links = page.locator("tr.call-log-row td.call-log-when a").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    return {int(link.rstrip("/").split("/")[-2]) for link in links}


@pytest.mark.parametrize("role", ["staff_user", "manager", "auditor"])
def test_each_role_lands_on_the_board_and_every_number_opens_exactly_its_callbacks(
    role, request, chromium, live_server, agent_group, staff_user, tmp_path
):
    one_of_each(agent_group, staff_user)
    user = request.getfixturevalue(role)
    page = log_in(chromium, live_server, user.username, "ru-RU", on_the_board=True)
    assert page.url == f"{live_server.url}/admin/board/"
    assert page.locator("h1").inner_text() == "Табло"
    expected = expected_figures(agent_group, timezone.now())
    row = page.locator(f'tr.group-row[data-group="{agent_group.pk}"]')
    call_log = log_in(chromium, live_server, user.username, "ru-RU")  # a second tab
    for figure, ids in expected.items():
        link = row.locator(f'a[data-figure="{figure}"]')
        shown = link.inner_text()
        if figure.startswith("timed_"):
            with translation.override("ru"):
                assert shown == expected_waits(figure, ids), figure
        else:
            assert int(shown) == len(ids), figure
        call_log.goto(live_server.url + link.get_attribute("href"))
        assert listed_ids(call_log) == ids, figure
    page.screenshot(path=str(screenshot_folder(tmp_path) / f"board-{role}-ru.png"), full_page=True)


def test_staff_mark_checked_no_action_and_an_auditor_reads_it(
    chromium, live_server, agent_group, staff_user, auditor, tmp_path
):
    made = one_of_each(agent_group, staff_user)
    unknown = made["unknown"]
    shots = screenshot_folder(tmp_path)
    page = log_in(chromium, live_server, staff_user.username, "ru-RU", on_the_board=True)
    work_row = page.locator(f'#needs-unknown tr.work-row[data-callback="{unknown.pk}"]')
    assert page.locator("#needs-unknown .board-count").inner_text() == "1"
    work_row.locator("a.callback-checked").click()
    page.fill("#id_note", "Клиент перезвонил сам, вопрос решён")
    page.screenshot(path=str(shots / "board-checked-confirm-ru.png"), full_page=True)
    page.click("#callback-action-form input[type=submit]")
    page.wait_for_selector(".messagelist")
    assert page.url == f"{live_server.url}/admin/board/"
    assert page.locator("#needs-unknown .board-count").inner_text() == "0"
    assert not page.locator(f'tr.work-row[data-callback="{unknown.pk}"]').count()

    auditor_page = log_in(chromium, live_server, auditor.username, "ru-RU", on_the_board=True)
    assert not auditor_page.locator("#board-work a.button").count()  # reads, changes nothing
    auditor_page.goto(f"{live_server.url}/admin/callbacks/callbackrequest/{unknown.pk}/change/")
    check = auditor_page.locator("#callback-checks tr.callback-check")
    assert check.locator(".check-who").inner_text() == "staff"
    assert check.locator(".check-note").inner_text() == "Клиент перезвонил сам, вопрос решён"
    assert "Результат неизвестен" in check.inner_text()
    auditor_page.screenshot(path=str(shots / "auditor-reads-the-check-ru.png"), full_page=True)


@pytest.mark.parametrize("locale", ["ru-RU", "en-US"])
def test_the_queue_keeps_itself_current(
    chromium, live_server, agent_group, staff_user, tmp_path, locale
):
    made = one_of_each(agent_group, staff_user)
    page = log_in(chromium, live_server, staff_user.username, locale, on_the_board=True)
    waiting = page.locator("#queue-waiting .board-number")
    assert waiting.inner_text() == "1"
    make_callbacks(
        2, agent_group, staff_user, first=50, status=CallbackStatus.PENDING, next_attempt_at=None
    )
    page.wait_for_function(
        "() => document.querySelector('#queue-waiting .board-number').innerText === '3'",
        timeout=LIVE_WAIT_MS,
    )
    assert CallbackRequest.objects.filter(pk=made["waiting"].pk).exists()
    shots = screenshot_folder(tmp_path)
    page.screenshot(path=str(shots / f"board-{locale[:2]}.png"), full_page=True)
    if os.environ.get("README_SCREENSHOTS"):
        page.screenshot(path=str(README_SHOTS / f"board-{locale[:2]}.png"), full_page=True)
