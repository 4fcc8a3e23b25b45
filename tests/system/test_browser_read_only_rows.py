"""In Chromium at 1366 × 900, in Russian, as an auditor: a contact's numbers and an agent group's
destinations are read, not ordered (no handle, no buttons, no limit), their numbers as people
read them."""

import pytest

from tests.system.browser import log_in, screenshot_folder

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PAGES = {
    "contact": ("numbers", ["+7 959 999-99-99", "+7 999 999-99-99"]),
    "agent_group": ("destinations", ["+7 812 999-99-99", "+7 495 999-99-99"]),
}


@pytest.mark.parametrize("what", list(PAGES))
def test_an_auditor_reads_ordered_rows_without_controls(
    request, chromium, live_server, auditor, tmp_path, what
):
    prefix, numbers = PAGES[what]
    shown = request.getfixturevalue(what)
    page = log_in(chromium, live_server, auditor.username, "ru-RU")
    page.goto(f"{live_server.url}/admin/callbacks/{shown._meta.model_name}/{shown.pk}/change/")
    group = page.locator(f"#{prefix}-group")
    group.wait_for()
    page.wait_for_load_state("load")  # ordered_rows.js has run
    assert group.locator("td.field-shown_number").all_inner_texts() == numbers
    assert group.locator(".row-drag, button.row-up, button.row-down, .row-limit").count() == 0
    page.screenshot(path=str(screenshot_folder(tmp_path) / f"read-only-{what}.png"), full_page=True)
