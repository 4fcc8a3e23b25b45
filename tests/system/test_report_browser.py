"""The report page in Chromium at 1366 × 900, as each role that reads it, in Russian and English:
every chart is drawn (a Chart.js chart with pixels on its canvas, or the test fails), the table's
totals equal counts the test makes of the callbacks in the database, the weekday × hour grid
counts the same requests, and the CSV export offers the same rows. Saves a screenshot of the page
and of each chart."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from callbacks.models import CallbackRequest, CallbackStatus, CallOutcome, FinalState
from tests.helpers import make_callbacks
from tests.system.browser import log_in, screenshot_folder
from tests.system.test_daily_paths import README_SHOTS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def nothing_reaches_the_broker(queued):
    """The callbacks made here are never sent: their tasks would wait on the test run's queue for
    the worker of a later test, and hold up its own callback behind hundreds of them."""
    return queued


CHARTS = ["chart-outcomes", "chart-connect-rate", "chart-waits", "chart-service-level"]
DRAWN_PIXELS = """id => {
  const canvas = document.getElementById(id);
  if (!window.Chart || !Chart.getChart(canvas)) return 0;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) drawn++;
  return drawn;
}"""
ENDS = [
    {"call_outcome": CallOutcome.CONNECTED, "final_state": FinalState.CONNECTED},
    {"final_state": FinalState.NOT_REACHED, "call_outcome": CallOutcome.AGENTS_NO_ANSWER},
    {"status": CallbackStatus.FAILED},
    {"status": CallbackStatus.UNKNOWN},
]


def a_fortnight(agent_group, user):
    """Callbacks on each of the last 14 days, at different hours, in different ends."""
    now = timezone.now()
    made = 0
    for day in range(14):
        for number in range(day % 4 + 1):
            changes = ENDS[(day + number) % len(ENDS)]
            requested = now - timedelta(days=day, hours=number * 3)
            placed = {} if "status" in changes else {"first_placed_at": requested}
            connected = (
                {"connected_at": requested + timedelta(seconds=40 + 30 * number)}
                if changes.get("call_outcome") == CallOutcome.CONNECTED
                else {}
            )
            make_callbacks(
                1, agent_group, user, first=made, requested_at=requested,
                **placed, **connected, **changes,
            )  # fmt: skip
            made += 1


def column_total(page, heading):
    headings = page.locator("#report-table thead th").all_inner_texts()
    index = headings.index(heading)
    cells = page.locator(f"#report-table tbody tr td:nth-child({index + 1})").all_inner_texts()
    return sum(int(cell) for cell in cells)


WORDS = {
    "ru-RU": {"title": "Отчёты", "requested": "Запрошено", "connected": "Соединены"},
    "en-US": {"title": "Reports", "requested": "Requested", "connected": "Connected"},
}


@pytest.mark.parametrize(
    ("role", "locale"),
    [("auditor", "ru-RU"), ("manager", "ru-RU"), ("staff_user", "en-US")],
)
def test_each_role_reads_the_report_with_every_chart_drawn(
    role, locale, request, chromium, live_server, agent_group, staff_user, tmp_path
):
    a_fortnight(agent_group, staff_user)
    words = WORDS[locale]
    page = log_in(chromium, live_server, request.getfixturevalue(role).username, locale)
    page.click("#overview-reports a")
    assert page.locator("h1").inner_text() == words["title"]
    assert page.input_value("#id_first")  # the last 30 days, shown in the date fields
    page.select_option("#id_agent_group", str(agent_group.pk))
    page.click("#report-form input[type=submit]")
    page.wait_for_url(f"**agent_group={agent_group.pk}**")
    page.wait_for_selector("#report-table")
    for chart in CHARTS:
        page.wait_for_function(f"() => ({DRAWN_PIXELS})('{chart}') > 500", timeout=10_000)

    customers = CallbackRequest.objects.filter(
        agent_group=agent_group,
        is_test=False,
        requested_at__date__gte=timezone.localdate() - timedelta(days=29),
    )
    assert column_total(page, words["requested"]) == customers.count()
    connected = customers.filter(call_outcome=CallOutcome.CONNECTED).count()
    assert column_total(page, words["connected"]) == connected
    grid = page.locator("#weekday-grid .grid-requests").all_inner_texts()
    assert sum(int(cell) for cell in grid) == customers.count()
    assert "format=csv" in page.locator("#report-csv").get_attribute("href")

    shots = screenshot_folder(tmp_path)
    page.screenshot(path=str(shots / f"report-{role}-{locale[:2]}.png"), full_page=True)
    for chart in CHARTS:
        page.locator(f"#{chart}").screenshot(path=str(shots / f"{chart}-{locale[:2]}.png"))
    if os.environ.get("README_SCREENSHOTS") and role != "manager":
        page.screenshot(path=str(README_SHOTS / f"report-{locale[:2]}.png"), full_page=True)


def test_without_javascript_the_table_and_the_grid_are_there(
    chromium, live_server, agent_group, staff_user, auditor
):
    a_fortnight(agent_group, staff_user)
    page = log_in(chromium, live_server, auditor.username, "ru-RU", java_script_enabled=False)
    page.goto(f"{live_server.url}/admin/reports/?agent_group={agent_group.pk}")
    assert page.locator("#report-table tbody tr").count() == 30
    assert page.locator("#weekday-grid tbody tr").count() == 7
