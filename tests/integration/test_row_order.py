"""The order a group's destinations and a contact's numbers are dialled in: numbered 1…n by the
server in the order of the posted positions (ties by row order), as a page without JavaScript posts
them; shown in that order; sent to Exolve in that order."""

import pytest

from callbacks.exolve import build_make_callback_body
from callbacks.models import AgentGroup, Contact, Destination
from callbacks.selectors import callback_lines
from tests.admin_pages import (
    CONTACT_ADD,
    GROUP_ADD,
    change_url,
    contact_data,
    group_data,
    shown_change_form,
)

pytestmark = pytest.mark.django_db

NUMBERS = ["79120000001", "79120000002", "79120000003"]


def rows_at(*positions):
    """Destination rows for NUMBERS, posted with these positions."""
    return [
        {"position": position, "number": number, "timeout": "30"}
        for position, number in zip(positions, NUMBERS, strict=True)
    ]


def dialled(group):
    return list(Destination.objects.filter(agent_group=group).values_list("position", "number"))


def add_group(client, rows):
    response = client.post(GROUP_ADD, group_data(destinations=rows))
    assert response.status_code == 302, response.context and response.context["errors"]
    return AgentGroup.objects.get(name="Support")


@pytest.mark.parametrize(
    ("positions", "order"),
    [
        (["3", "1", "2"], [1, 2, 0]),  # any order posted
        (["0", "0", "0"], [0, 1, 2]),  # all tied (new rows as they used to be): row order
        (["7", "2", "7"], [1, 0, 2]),  # a tie after a gap: row order among the tied
        (["", "2", "1"], [2, 1, 0]),  # a row without a position goes last
        (["-4", "40000", "5"], [0, 2, 1]),  # any integer is only an order
    ],
)
def test_a_new_group_s_destinations_are_numbered_in_the_posted_order(
    as_user, manager, positions, order
):
    group = add_group(as_user(manager), rows_at(*positions))
    assert dialled(group) == [(place, NUMBERS[row]) for place, row in enumerate(order, start=1)]


def shown_group(client, group):
    """The group's change form as shown, with its destination rows' posted field names."""
    data = shown_change_form(client, group)
    prefixes = [f"destinations-{index}" for index in range(group.destinations.count())]
    return data, prefixes


@pytest.fixture
def three_destinations(agent_group):
    Destination.objects.create(agent_group=agent_group, position=3, number="79120000003")
    return agent_group


def test_existing_destinations_posted_in_reverse_are_renumbered(
    as_user, manager, three_destinations
):
    client = as_user(manager)
    data, prefixes = shown_group(client, three_destinations)
    for prefix, position in zip(prefixes, ["3", "2", "1"], strict=True):
        data[f"{prefix}-position"] = position
    assert client.post(change_url(three_destinations), data).status_code == 302
    assert dialled(three_destinations) == [
        (1, "79120000003"),
        (2, "74959999999"),
        (3, "78129999999"),
    ]


def test_a_deleted_row_leaves_no_gap_and_the_others_keep_their_order(
    as_user, manager, three_destinations
):
    client = as_user(manager)
    data, prefixes = shown_group(client, three_destinations)
    data[f"{prefixes[0]}-DELETE"] = "on"  # posted positions stay 1, 2, 3
    assert client.post(change_url(three_destinations), data).status_code == 302
    assert dialled(three_destinations) == [(1, "74959999999"), (2, "79120000003")]


def test_a_row_moved_is_in_the_trail_and_a_row_left_in_place_is_not(
    as_user, manager, three_destinations
):
    client = as_user(manager)
    data, prefixes = shown_group(client, three_destinations)
    data[f"{prefixes[0]}-position"] = "2"
    data[f"{prefixes[1]}-position"] = "1"
    assert client.post(change_url(three_destinations), data).status_code == 302
    changes = Destination.history.filter(history_type="~", history_user=manager)
    assert sorted(changes.values_list("number", "position")) == [
        ("74959999999", 1),
        ("78129999999", 2),
    ]


def test_a_blank_row_the_page_numbered_is_ignored(as_user, manager, agent_group):
    """The page numbers every row it shows, an added blank one too: it is still blank."""
    client = as_user(manager)
    data, prefixes = shown_group(client, agent_group)
    blank = f"destinations-{len(prefixes)}"
    data.update({f"{blank}-position": "3", f"{blank}-number": "", f"{blank}-timeout": "30"})
    data["destinations-TOTAL_FORMS"] = str(len(prefixes) + 1)
    response = client.post(change_url(agent_group), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert dialled(agent_group) == [(1, "78129999999"), (2, "74959999999")]


def test_a_contact_s_numbers_are_numbered_in_the_posted_order(as_user, staff_user):
    data = contact_data("8 (912) 000-00-01", "8 (912) 000-00-02", "8 (912) 000-00-03")
    for index, position in enumerate(["2", "9", "2"]):
        data[f"numbers-{index}-position"] = position
    assert as_user(staff_user).post(CONTACT_ADD, data).status_code == 302
    contact = Contact.objects.get()
    assert list(contact.numbers.values_list("position", "number")) == [
        (1, "79120000001"),
        (2, "79120000003"),
        (3, "79120000002"),
    ]


def test_the_body_sends_the_destinations_in_their_order(agent_group, contact):
    Destination.objects.filter(agent_group=agent_group, number="78129999999").update(position=3)
    group = AgentGroup.objects.get(pk=agent_group.pk)
    agents, numbers = callback_lines(group, contact)
    body = build_make_callback_body(
        agent_group=group,
        agent_destinations=agents,
        contact=contact,
        contact_numbers=numbers,
        request_description="x",
    )
    assert [d["number"] for d in body["line_1"]["destinations"]] == ["74959999999", "78129999999"]
    assert [d["number"] for d in body["line_2"]["destinations"]] == ["79599999999", "79999999999"]


def test_the_group_list_shows_the_destinations_in_their_order(as_user, manager, agent_group):
    Destination.objects.filter(agent_group=agent_group, number="78129999999").update(position=3)
    page = as_user(manager).get("/admin/callbacks/agentgroup/").content.decode()
    assert (
        '<ol class="destination-order"><li>+7 495 999-99-99</li><li>+7 812 999-99-99</li></ol>'
        in page
    )


def test_the_form_shows_the_rows_in_their_order_with_the_ordering_script(
    as_user, manager, three_destinations
):
    Destination.objects.filter(number="79120000003").update(position=0)
    page = as_user(manager).get(change_url(three_destinations))
    formset = page.context["inline_admin_formsets"][0].formset
    assert [form.instance.number for form in formset.initial_forms] == [
        "79120000003",
        "78129999999",
        "74959999999",
    ]
    html = page.content.decode()
    assert "callbacks/ordered_rows.js" in html
    assert "data-ordered-rows" in html
