"""In Chromium at 1366 × 900, in Russian and in English: each role finds its daily section first,
an auditor reaches the call log from the index and from the sidebar, and a support manager reads
the change trail, filters it and opens an object's History."""

import pytest

from tests.system.browser import VIEWPORT, log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WORDS = {
    "ru-RU": {
        "overview": "Обзор",
        "records": "Журналы",
        "contacts": "Клиенты и обратные звонки",
        "configuration": "Настройка",
        "call log": "Журнал звонков",
        "change trail": "Журнал изменений",
        "contacts entry": "Клиенты",
        "groups": "Группы операторов",
        "history": "История",
        "changed": "изменение",
    },
    "en-GB": {
        "overview": "Overview",
        "records": "Records",
        "contacts": "Contacts and callbacks",
        "configuration": "Configuration",
        "call log": "Call log",
        "change trail": "Change trail",
        "contacts entry": "Contacts",
        "groups": "Agent groups",
        "history": "History",
        "changed": "changed",
    },
}
LOCALES = pytest.mark.parametrize("locale", list(WORDS))


@pytest.fixture
def open_page(chromium, live_server, tmp_path):
    def open_as(user, locale):
        return log_in(chromium, live_server, user.username, locale)

    return open_as


@pytest.fixture
def shot(tmp_path):
    def save(page, name):
        page.screenshot(path=str(tmp_path / f"{name}.png"))

    return save


def section_captions(page):
    # Their text as written (the admin shows captions in capitals).
    captions = page.locator("#content-main caption").all_text_contents()
    return [caption.strip() for caption in captions]


@LOCALES
def test_an_auditor_reaches_the_call_log_from_the_index_and_the_sidebar(
    open_page, shot, auditor, contact, live_server, locale
):
    words = WORDS[locale]
    page = open_page(auditor, locale)
    assert section_captions(page) == [
        words["overview"],
        words["records"],
        words["configuration"],
        words["contacts"],
    ]
    shot(page, f"auditor-index-{locale}")
    page.locator("#content-main").get_by_role("link", name=words["call log"], exact=True).click()
    page.wait_for_url(f"{live_server.url}/call-log/")
    page.goto(f"{live_server.url}/admin/callbacks/contact/{contact.pk}/change/")
    sidebar = page.locator("#nav-sidebar")
    assert sidebar.is_visible()
    shot(page, f"auditor-sidebar-{locale}")
    sidebar.get_by_role("link", name=words["call log"], exact=True).click()
    page.wait_for_url(f"{live_server.url}/call-log/")
    shot(page, f"auditor-call-log-{locale}")


@LOCALES
def test_a_manager_filters_the_change_trail_and_opens_an_object_history(
    open_page, shot, manager, staff_user, agent_group, contact, live_server, locale
):
    words = WORDS[locale]
    agent_group._history_user = manager
    agent_group.name = "Sales desk"
    agent_group.save()
    contact._history_user = staff_user
    contact.name = "Иван Сидоров"
    contact.save()
    page = open_page(manager, locale)
    assert section_captions(page)[:2] == [words["overview"], words["configuration"]]
    page.get_by_role("link", name=words["change trail"], exact=True).click()
    page.wait_for_selector("#trail-rows")
    shot(page, f"manager-trail-{locale}")
    page.select_option("#id_model", label=words["groups"])
    page.select_option("#id_user", label=manager.username)
    page.click("#trail-filter input[type=submit]")
    page.wait_for_url("**model=agentgroup**")
    rows = page.locator(".trail-row")
    assert rows.count() == 1
    assert "Sales → Sales desk" in rows.first.inner_text()
    assert words["changed"] in rows.first.inner_text()
    assert_inside_the_viewport(page, "#trail-rows")
    shot(page, f"manager-trail-filtered-{locale}")
    rows.first.get_by_role("link", name=words["history"], exact=True).click()
    page.wait_for_url(f"**/agentgroup/{agent_group.pk}/history/")
    assert "Sales desk" in page.inner_text("#change-history")
    shot(page, f"manager-history-{locale}")


@LOCALES
def test_staff_see_contacts_and_callbacks_first(open_page, shot, staff_user, locale):
    words = WORDS[locale]
    page = open_page(staff_user, locale)
    assert section_captions(page)[:2] == [words["overview"], words["contacts"]]
    first_entry = page.locator("#content-main .module").nth(1).locator("th a").first
    assert first_entry.text_content() == words["contacts entry"]
    assert_inside_the_viewport(page, "#content-main .module")
    shot(page, f"staff-index-{locale}")


def assert_inside_the_viewport(page, selector):
    box = page.locator(selector).first.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= VIEWPORT["width"]
