"""Staff press Call back on a contact for whom it is the middle of the night, in Chromium at
1366 × 900 in Russian: the confirmation page says what time it is for the customer and when the
group may ring them, and one click schedules the call for the first time allowed."""

import re
from datetime import timedelta

import pytest

from callbacks.models import CallbackRequest, CallbackStatus
from tests.helpers import quiet_now
from tests.system.browser import log_in, right_edges_inside_the_viewport, screenshot_folder

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_staff_press_call_back_in_the_contacts_quiet_hours_and_schedule_it_in_one_click(
    chromium, live_server, staff_user, contact, agent_group, queued, tmp_path
):
    opens = quiet_now(agent_group, contact, "Asia/Vladivostok")
    folder = screenshot_folder(tmp_path)
    page = log_in(chromium, live_server, staff_user.username, "ru-RU")
    page.goto(f"{live_server.url}/admin/callbacks/contact/{contact.pk}/change/")
    assert re.search(r"Время клиента сейчас: \d\d:\d\d \(Asia/Vladivostok\)", page.content())
    page.locator(".object-tools a.callback-link").click()
    page.get_by_role("button", name="Перезвонить сейчас").click()

    answer = page.inner_text("#callback-errors")
    window = f"с {opens:%H:%M} до {opens + timedelta(hours=8):%H:%M}"
    assert re.search(
        rf"У клиента сейчас \d\d:\d\d \(Asia/Vladivostok\) — звонить можно {window} по его "
        "времени",
        answer,
    ), answer
    one_click = page.locator("#schedule-first-allowed")
    label = one_click.get_attribute("value")
    assert label.startswith("Запланировать на первое разрешённое время: ")
    assert "(время группы, Europe/Moscow) · у клиента" in label
    assert f"{opens:%H:%M} (Asia/Vladivostok)" in label
    assert not CallbackRequest.objects.exists()
    page.screenshot(path=str(folder / "quiet-hours-answer.png"), full_page=True)

    one_click.click()
    page.wait_for_selector(".messagelist")
    assert "Обратный звонок запланирован" in page.inner_text(".messagelist")
    callback = CallbackRequest.objects.get()
    assert (callback.status, callback.next_attempt_at) == (CallbackStatus.PENDING, opens)
    row = page.inner_text("#contact-callbacks tr.callback-row")
    # With the contact's date when it is another day there than in the group's zone.
    assert re.search(
        rf"у клиента (\d\d\.\d\d\.\d{{4}} )?{opens:%H:%M} \(Asia/Vladivostok\)", row
    ), row
    assert not right_edges_inside_the_viewport(page, ["#contact-callbacks table"])
    page.screenshot(path=str(folder / "quiet-hours-scheduled.png"), full_page=True)
