"""In Chromium at 1366 × 900: a Russian browser gets the Russian admin, the switch in the user
tools turns it English and back, and the browser asks for nothing that is not there (favicon)."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_staff_switch_the_language_and_back(open_page, staff_user, contact, live_server, tmp_path):
    missing = []
    page = open_page(staff_user.username)
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.goto(f"{live_server.url}/admin/callbacks/contact/{contact.pk}/change/")
    assert page.inner_text("#content h1") == "Изменить клиента"
    switch = page.locator("#language-switch button")
    assert switch.text_content().strip() == "English"
    box = switch.bounding_box()
    assert box["x"] + box["width"] <= 1366
    page.screenshot(path=str(tmp_path / "contact-ru.png"))

    switch.click()
    page.wait_for_selector("html[lang=en]")
    assert page.inner_text("#content h1") == "Change contact"
    assert page.url.endswith(f"/admin/callbacks/contact/{contact.pk}/change/")
    assert "Add another phone number" in page.inner_text("#content")
    page.screenshot(path=str(tmp_path / "contact-en.png"))

    page.goto(f"{live_server.url}/admin/callbacks/contact/")  # the choice stays (a cookie)
    assert page.inner_text("#content h1") == "Choose contact to change"
    page.locator("#language-switch button").click()
    page.wait_for_selector("html[lang=ru]")
    assert page.inner_text("#content h1") == "Выберите клиента, чтобы изменить"
    assert "1 клиент" in page.inner_text(".paginator")
    page.screenshot(path=str(tmp_path / "contacts-ru.png"))
    assert missing == []


def test_an_english_browser_gets_english_until_switched(open_page, staff_user, live_server):
    page = open_page(staff_user.username, locale="en-GB")
    page.wait_for_selector("#user-tools")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.text_content("#language-switch button").strip() == "Русский"
    page.locator("#language-switch button").click()
    page.wait_for_selector("html[lang=ru]")
    assert page.inner_text("#site-name") == "Служба обратных звонков"
