"""The call log in Chromium at 1366 × 900, in Russian and English, as an auditor and as staff: the
callback list's key columns inside the viewport beside its filters, and a callback's page that
reads as a story, opens its raw JSON with one click and follows the call without a reload."""

import pytest
from django.utils import timezone

from callbacks.models import CallbackRequest, CallbackStatus, CallOutcome
from tests.callback_stories import (
    receive_call_events,
    send_first_attempt_busy,
    send_second_attempt_placed,
)
from tests.helpers import make_callbacks
from tests.system.browser import VIEWPORT

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
LOCALES = ["ru-RU", "en-GB"]
ROLES = ["auditor", "staff_user"]
KEY_COLUMNS = ["requested_at", "contact_and_numbers", "agent_group", "status_words", "call_id"]
WORDS = {
    "ru-RU": {
        "busy": "Exolve занят или недоступен: звонок не создан",
        "placed": "Совершён · клиент не ответил · не дозвонились за 1 попытку",
        "accepted": "Принят Exolve",
        "json": "JSON, как он был отправлен",
        "cancel": "Отменить",
        "leg": "Клиент",
        "not answered": "трубку не сняли",
    },
    "en-GB": {
        "busy": "Exolve busy or unreachable: nothing placed",
        "placed": "Placed · contact did not answer · not reached after 1 connection attempt",
        "accepted": "Accepted by Exolve",
        "json": "The JSON as sent",
        "cancel": "Cancel",
        "leg": "Contact",
        "not answered": "not answered",
    },
}


@pytest.fixture
def busy_list(agent_group, staff_user, queued):
    """A page of callbacks with what makes a list wide: long call ids, errors, outcomes."""
    made = make_callbacks(12, agent_group, staff_user, call_outcome=CallOutcome.CONTACT_NO_ANSWER)
    for callback in made[::3]:
        CallbackRequest.objects.filter(pk=callback.pk).update(
            status=CallbackStatus.FAILED,
            call_outcome="",
            error="HTTP 400: invalid MakeCallbackRequest.Line_1: embedded message failed "
            "validation | caused by: invalid Destination.Number: value does not match regex",
        )
    CallbackRequest.objects.exclude(status=CallbackStatus.FAILED).update(
        call_id="cala188947f-3ba8-4fe6-b291-12fda2f90079"
    )
    return made


def right_edges(page):
    return page.evaluate(
        """(columns) => columns.map((name) => {
             const cell = document.querySelector(`#result_list th.column-${name}`);
             return cell ? cell.getBoundingClientRect().right : null;
           })""",
        KEY_COLUMNS,
    )


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("role", ROLES)
def test_the_callback_list_keeps_its_key_columns_inside_1366_px_beside_the_filters(
    request,
    open_page,
    live_server,
    busy_list,
    tmp_path,
    locale,
    role,
):
    user = request.getfixturevalue(role)
    page = open_page(user.username, locale=locale)
    page.wait_for_selector("#user-tools")
    page.goto(f"{live_server.url}/admin/callbacks/callbackrequest/")
    page.wait_for_selector("#result_list")
    assert page.locator("#changelist-filter").is_visible()
    edges = right_edges(page)
    assert None not in edges, edges
    assert max(edges) <= VIEWPORT["width"], edges
    for scrolled in ["document.documentElement", "document.querySelector('#changelist .results')"]:
        width, shown = page.evaluate(f"[{scrolled}.scrollWidth, {scrolled}.clientWidth]")
        assert width <= shown, f"{scrolled} scrolls sideways"
    assert page.locator(".callback-error").first.is_visible()
    page.screenshot(path=str(tmp_path / f"callback-list-{role}-{locale}.png"))


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("role", ROLES)
def test_a_callbacks_page_tells_its_story_and_follows_the_call_without_a_reload(
    request,
    open_page,
    live_server,
    callback,
    sandbox,
    tmp_path,
    locale,
    role,
):
    words = WORDS[locale]
    send_first_attempt_busy(callback, sandbox)
    user = request.getfixturevalue(role)
    page = open_page(user.username, locale=locale)
    page.wait_for_selector("#user-tools")
    page.goto(f"{live_server.url}/admin/callbacks/callbackrequest/{callback.pk}/change/")
    assert words["busy"] in page.inner_text("#callback-attempts")
    cancel = page.locator("#callback-status a.callback-cancel")
    assert cancel.count() == (1 if role == "staff_user" else 0)
    if cancel.count():
        assert cancel.inner_text() == words["cancel"]

    raw = page.locator(".body-raw pre")
    assert not raw.is_visible()
    page.get_by_text(words["json"]).click()
    assert '"line_1"' in raw.inner_text()
    page.screenshot(path=str(tmp_path / f"callback-waiting-{role}-{locale}.png"), full_page=True)

    page.evaluate("window.notReloaded = true")
    send_second_attempt_placed(callback)
    receive_call_events(callback)
    page.wait_for_function(
        "(expected) => document.querySelector('.callback-status-words').innerText === expected",
        arg=words["placed"],
        timeout=15_000,
    )
    assert page.evaluate("window.notReloaded === true")
    attempts = page.inner_text("#callback-attempts")
    assert attempts.index(words["busy"]) < attempts.index(words["accepted"])
    assert callback.call_id in attempts
    leg = page.locator(".call-leg", has_text=words["leg"])
    assert words["not answered"] in leg.inner_text()
    assert page.locator("#callback-status a.callback-cancel").count() == 0
    assert callback.next_attempt_at is None or callback.next_attempt_at <= timezone.now()
    page.screenshot(path=str(tmp_path / f"callback-placed-{role}-{locale}.png"), full_page=True)


@pytest.mark.parametrize(
    ("locale", "crumbs", "any_error"),
    [("ru-RU", "Начало › Журнал звонков", "Неважно"), ("en-GB", "Home › Call log", "Any")],
)
def test_the_call_log_page_and_an_attempts_page_read_right(
    open_page,
    live_server,
    auditor,
    callback,
    sandbox,
    tmp_path,
    locale,
    crumbs,
    any_error,
):
    send_first_attempt_busy(callback, sandbox)
    send_second_attempt_placed(callback)
    receive_call_events(callback)
    page = open_page(auditor.username, locale=locale)
    page.wait_for_selector("#user-tools")
    page.goto(f"{live_server.url}/call-log/")
    assert page.inner_text(".breadcrumbs").strip() == crumbs
    assert page.locator("#id_has_error option").all_inner_texts()[0] == any_error
    assert page.locator("#id_requested_by option").count() == 2  # the empty choice and staff
    page.screenshot(path=str(tmp_path / f"call-log-page-{locale}.png"), full_page=True)
    page.goto(f"{live_server.url}/admin/callbacks/callbackattempt/")
    accepted = page.locator("#result_list tbody tr", has_text=WORDS[locale]["accepted"])
    accepted.locator("th a").click()
    page.wait_for_selector(".call-legs")
    assert WORDS[locale]["not answered"] in page.inner_text(".call-legs")
    page.screenshot(path=str(tmp_path / f"attempt-page-{locale}.png"), full_page=True)
