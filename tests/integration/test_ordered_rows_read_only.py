"""Ordered rows (a contact's numbers, an agent group's destinations) for an auditor, who may only
look: the numbers as people read them, no drag handle nor up and down buttons, and no limit note
(the admin's max_num is 0 for one who may not add: it used to read «Не больше 0 номеров»)."""

import re

import pytest

from tests.admin_pages import change_url

pytestmark = pytest.mark.django_db

ROW_CONTROLS = 'class="row-order"'


def page_of(client, obj, language="ru"):
    return client.get(change_url(obj), headers={"accept-language": language}).content.decode()


@pytest.mark.parametrize(
    ("what", "numbers", "heading"),
    [
        ("contact", ["+7 959 999-99-99", "+7 999 999-99-99"], "Номер телефона"),
        ("agent_group", ["+7 812 999-99-99", "+7 495 999-99-99"], "Номер или SIP-URI"),
    ],
)
def test_an_auditor_reads_the_numbers_as_people_read_them(
    request, client, auditor, what, numbers, heading
):
    client.force_login(auditor)
    page = page_of(client, request.getfixturevalue(what))
    assert re.findall(r'<td class="field-shown_number">\s*<p>(.*?)</p>', page) == numbers
    assert re.search(rf'<th class="column-shown_number">{heading}\s', page)


@pytest.mark.parametrize("what", ["contact", "agent_group"])
def test_an_auditor_gets_no_handles_and_no_limit(request, client, auditor, what):
    client.force_login(auditor)
    page = page_of(client, request.getfixturevalue(what))
    assert ROW_CONTROLS not in page
    assert "row-limit" not in page
    assert "Не больше 0" not in page


@pytest.mark.parametrize(
    ("role", "what", "limit"),
    [
        ("staff_user", "contact", "Не больше 10 номеров: таково ограничение Exolve."),
        ("manager", "agent_group", "Не больше 10 номеров операторов: таково ограничение Exolve."),
    ],
)
def test_who_keeps_the_rows_still_orders_them_under_the_real_limit(
    request, client, role, what, limit
):
    client.force_login(request.getfixturevalue(role))
    page = page_of(client, request.getfixturevalue(what))
    assert page.count(ROW_CONTROLS) == 4  # the heading, two rows and the template row
    assert f'<p class="help row-limit">{limit}</p>' in page
    assert 'name="numbers-0-number"' in page or 'name="destinations-0-number"' in page
