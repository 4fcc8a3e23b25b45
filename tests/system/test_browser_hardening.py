"""In Chromium at 1366 × 900, in Russian, as the people who meet them: a locked-out login, a
support manager's new working hours re-planning the waiting callbacks, and staff told why a
callback may not be placed again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from callbacks.delivery import sending
from callbacks.models import CallbackStatus, DoNotCallNumber
from callbacks.numbers import readable_number

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize(
    ("locale", "says"),
    [
        ("ru-RU", ["Слишком много неудачных попыток входа", "через 15 мин."]),
        ("en-GB", ["Too many failed logins", "Try again in 15 min"]),
    ],
)
def test_a_locked_out_login_is_told_when_to_try_again(
    open_page, staff_user, settings, locale, says
):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        open_page(staff_user.username, "wrong", locale)
    page = open_page(staff_user.username, locale=locale)  # the right password, too late
    page.wait_for_selector(".errornote")
    for words in says:
        assert words in page.inner_text(".errornote")
    assert page.locator("#user-tools").count() == 0


def test_a_manager_sets_new_hours_and_is_told_the_waiting_callbacks_moved(
    open_page, manager, callback, agent_group, live_server
):
    page = open_page(manager.username)
    page.wait_for_selector("#user-tools")
    page.goto(f"{live_server.url}/admin/callbacks/agentgroup/{agent_group.pk}/change/")
    tomorrow = timezone.localtime() + timedelta(days=1)
    page.locator("#working_hours-group .add-row a").click()
    page.select_option("#id_working_hours-0-weekday", str(tomorrow.weekday()))
    page.fill("#id_working_hours-0-opens", "09:00")
    page.fill("#id_working_hours-0-closes", "18:00")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    assert "Ожидающие обратные звонки перенесены на новые часы работы: 1." in page.inner_text(
        ".messagelist"
    )
    callback.refresh_from_db()
    assert timezone.localtime(callback.next_attempt_at).date() == tomorrow.date()


def test_staff_are_told_why_a_callback_may_not_be_placed_again(
    open_page, staff_user, contact, callback, sandbox, live_server
):
    sandbox.script({"status": 500})
    sending.send_callback(callback.pk)
    number = callback.numbers.values_list("number", flat=True)[0]
    DoNotCallNumber.objects.create(number=number)  # since the press
    page = open_page(staff_user.username)
    page.wait_for_selector("#user-tools")
    page.goto(f"{live_server.url}/admin/callbacks/contact/{contact.pk}/change/")
    page.get_by_role("link", name="Позвонить снова").first.click()
    page.get_by_role("button", name="Проверено: позвонить снова").click()
    page.wait_for_selector(".errornote")  # on the confirmation page, which stays
    assert f"В списке «не звонить»: {readable_number(number)}." in page.inner_text(".errornote")
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.UNKNOWN
