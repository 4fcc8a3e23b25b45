"""In Chromium at 1366 × 900, in Russian and English, as a support manager: create an agent group
with three destinations, put them in order with the buttons (by keyboard) and by dragging, save,
see positions 1…3 in that order, reorder and save again. Staff order a contact's numbers alike."""

import pytest

from callbacks.models import AgentGroup
from tests.system.browser import log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ROWS = "#destinations-group tbody tr.form-row:not(.empty-form)"
FIRST, SECOND, THIRD = "+7 912 000-00-01", "+7 912 000-00-02", "+7 912 000-00-03"
WORDS = {
    "ru-RU": {"up": "Переместить выше", "limit": "Не больше 10 номеров операторов"},
    "en-GB": {"up": "Move up", "limit": "At most 10 agents' numbers"},
}


def shown_order(page):
    """(position, number) of each destination row, top to bottom."""
    rows = page.locator(ROWS)
    return [
        (
            rows.nth(i).locator("input.row-position").input_value(),
            rows.nth(i).locator("input[name$='-number']").input_value(),
        )
        for i in range(rows.count())
    ]


def saved_order(name):
    group = AgentGroup.objects.get(name=name)
    return list(group.destinations.values_list("position", "number"))


def drag_row(page, row, below):
    """Drag row `row`'s handle to just below row `below` (indexes top to bottom)."""
    handle = page.locator(ROWS).nth(row).locator(".row-drag")
    handle.hover()  # scrolls it into view: the target's box is read after
    target = page.locator(ROWS).nth(below).bounding_box()
    page.mouse.down()
    page.mouse.move(target["x"] + 20, target["y"] + target["height"] * 0.9, steps=8)
    page.mouse.up()


def new_group_with_three_destinations(page, live_server):
    page.goto(f"{live_server.url}/admin/callbacks/agentgroup/add/")
    page.fill("#id_name", "Поддержка")
    page.fill("#id_number_code", "74990000000")
    page.fill("#id_callback_resource_id", "1221")
    add = page.locator("#destinations-group .add-row a")
    add.click()
    add.click()
    for index, number in enumerate([FIRST, SECOND, THIRD]):
        page.locator(ROWS).nth(index).locator("input[name$='-number']").fill(number)
    assert shown_order(page) == [("1", FIRST), ("2", SECOND), ("3", THIRD)]


@pytest.mark.parametrize("locale", ["ru-RU", "en-GB"])
def test_a_manager_orders_a_new_group_s_destinations_and_reorders_them(
    chromium, live_server, manager, tmp_path, locale
):
    words = WORDS[locale]
    page = log_in(chromium, live_server, manager.username, locale)
    new_group_with_three_destinations(page, live_server)
    assert words["limit"] in page.inner_text("#destinations-group .row-limit")

    # By keyboard: the third row's "up" button, pressed twice, takes it to the top.
    up = page.locator(ROWS).nth(2).get_by_role("button", name=words["up"])
    up.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert shown_order(page) == [("1", THIRD), ("2", FIRST), ("3", SECOND)]
    # By dragging: the top row to the bottom.
    drag_row(page, 0, below=2)
    assert shown_order(page) == [("1", FIRST), ("2", SECOND), ("3", THIRD)]
    page.locator(ROWS).nth(1).get_by_role("button", name=words["up"]).click()
    assert shown_order(page) == [("1", SECOND), ("2", FIRST), ("3", THIRD)]
    page.screenshot(path=str(tmp_path / f"ordered-{locale}.png"), full_page=True)

    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    assert saved_order("Поддержка") == [(1, "79120000002"), (2, "79120000001"), (3, "79120000003")]
    assert shown_order(page) == [("1", SECOND), ("2", FIRST), ("3", THIRD)]

    drag_row(page, 2, below=0)  # the last row to second place
    assert shown_order(page) == [("1", SECOND), ("2", THIRD), ("3", FIRST)]
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    assert saved_order("Поддержка") == [(1, "79120000002"), (2, "79120000003"), (3, "79120000001")]
    page.screenshot(path=str(tmp_path / f"saved-{locale}.png"), full_page=True)

    page.goto(f"{live_server.url}/admin/callbacks/agentgroup/")
    listed = page.locator("ol.destination-order li").all_inner_texts()
    assert listed == [SECOND, THIRD, FIRST]
    results = page.locator("#changelist .results")
    assert results.evaluate("box => box.scrollWidth <= box.clientWidth")  # no column cut off
    page.screenshot(path=str(tmp_path / f"list-{locale}.png"), full_page=True)


def test_staff_put_a_contact_s_second_number_first(
    chromium, live_server, staff_user, contact, tmp_path
):
    page = log_in(chromium, live_server, staff_user.username, "ru-RU")
    page.goto(f"{live_server.url}/admin/callbacks/contact/{contact.pk}/change/")
    rows = "#numbers-group tbody tr.form-row:not(.empty-form)"
    page.locator(rows).nth(1).get_by_role("button", name="Переместить выше").click()
    positions = page.locator(f"{rows} input.row-position")
    assert [positions.nth(i).input_value() for i in range(2)] == ["1", "2"]
    assert "Не больше 10 номеров" in page.inner_text("#numbers-group .row-limit")
    page.screenshot(path=str(tmp_path / "contact-numbers.png"), full_page=True)
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    assert list(contact.numbers.values_list("position", "number")) == [
        (1, "79999999999"),
        (2, "79599999999"),
    ]
