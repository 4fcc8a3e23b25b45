"""Support managers configure agent groups in the admin; staff keep contacts; auditors only look."""

import pytest

from callbacks.models import AgentGroup, Contact, ContactNumber, Destination
from tests.admin_pages import (
    CONTACT_ADD,
    CONTACTS,
    GROUP_ADD,
    change_url,
    contact_data,
    destination_rows,
    group_data,
    inline_data,
)

pytestmark = pytest.mark.django_db


def form_errors(response):
    return response.context["adminform"].form.errors


def inline_formset(response):
    """The first inline of the page: the group's destinations or the contact's numbers."""
    return response.context["inline_admin_formsets"][0].formset


def group_snapshot(group):
    group = AgentGroup.objects.get(pk=group.pk)
    destinations = list(group.destinations.values_list("number", "timeout"))
    return (group.name, group.duration, group.contact_timeout, destinations)


# --- support manager: agent groups ------------------------------------------------------


def test_manager_sees_the_add_page(as_user, manager):
    response = as_user(manager).get(GROUP_ADD)
    assert response.status_code == 200
    assert b'name="destinations-TOTAL_FORMS"' in response.content


def test_manager_adds_a_group_with_a_normalised_destination(as_user, manager, tts_preset):
    data = group_data(
        destinations=destination_rows("8 (912) 345-67-89", "sip:100@pbx.example.com"),
        agent_display_number="+7 495 999-99-99",
        contact_tts_preset=str(tts_preset.pk),
    )
    response = as_user(manager).post(GROUP_ADD, data)
    assert response.status_code == 302, response.context and form_errors(response)
    group = AgentGroup.objects.get(name="Support")
    assert (group.number_code, group.callback_resource_id, group.contact_ring_logic) == (
        74990000000,
        1221,
        2,
    )
    assert group.agent_display_number == "74959999999"
    assert group.contact_tts_preset == tts_preset
    assert list(group.destinations.values_list("position", "number", "timeout")) == [
        (1, "79123456789", 30),
        (2, "sip:100@pbx.example.com", 30),
    ]


def test_duration_out_of_range_rerenders_the_form(as_user, manager):
    response = as_user(manager).post(GROUP_ADD, group_data(duration="100"))
    assert response.status_code == 200
    says = (
        "The maximum call length must be from 300 to 3600 seconds (5 to 60 minutes): "
        "Exolve takes no other."
    )
    assert form_errors(response) == {"duration": [says]}
    assert says.encode() in response.content
    assert not AgentGroup.objects.exists()
    assert not Destination.objects.exists()


def test_both_audios_on_one_side_rerenders_the_form(as_user, manager, media_resource, tts_preset):
    data = group_data(
        agent_media_resource=str(media_resource.pk), agent_tts_preset=str(tts_preset.pk)
    )
    response = as_user(manager).post(GROUP_ADD, data)
    assert response.status_code == 200
    assert form_errors(response) == {
        "agent_tts_preset": ["Choose a media resource or a TTS preset for this side, not both."]
    }
    assert not AgentGroup.objects.exists()


def test_bad_destination_number_rerenders_the_form(as_user, manager):
    response = as_user(manager).post(GROUP_ADD, group_data(destinations=destination_rows("hello")))
    assert response.status_code == 200
    assert inline_formset(response).errors == [
        {
            "number": [
                "“hello” is not a valid phone number. Type it as +7 912 123-45-67 or 8 "
                "(912) 123-45-67."
            ]
        }
    ]
    assert not AgentGroup.objects.exists()


def test_destination_timeout_out_of_range_rerenders_the_form(as_user, manager):
    response = as_user(manager).post(
        GROUP_ADD, group_data(destinations=destination_rows("79123456789", timeout="5"))
    )
    assert response.status_code == 200
    assert inline_formset(response).errors == [
        {"timeout": ["A ring timeout must be from 10 to 600 seconds: Exolve takes no other."]}
    ]
    assert not AgentGroup.objects.exists()


def test_no_destination_is_refused(as_user, manager):
    response = as_user(manager).post(GROUP_ADD, group_data(destinations=[]))
    assert response.status_code == 200
    assert inline_formset(response).non_form_errors() == [
        "Add at least one agent's number: Exolve needs someone to ring."
    ]
    assert not AgentGroup.objects.exists()


def test_eleven_destinations_are_refused(as_user, manager):
    numbers = [f"7912345670{i}" if i < 10 else "79123456710" for i in range(11)]
    response = as_user(manager).post(GROUP_ADD, group_data(destinations=destination_rows(*numbers)))
    assert response.status_code == 200
    assert inline_formset(response).non_form_errors() == [
        "Exolve rings at most 10 agents' numbers: remove the extra ones."
    ]
    assert not AgentGroup.objects.exists()
    assert not Destination.objects.exists()


def test_ten_destinations_are_accepted(as_user, manager):
    numbers = [f"7912345670{i}" for i in range(10)]
    response = as_user(manager).post(GROUP_ADD, group_data(destinations=destination_rows(*numbers)))
    assert response.status_code == 302
    assert AgentGroup.objects.get().destinations.count() == 10


def test_same_number_typed_twice_alike_is_refused(as_user, manager):
    response = as_user(manager).post(
        GROUP_ADD, group_data(destinations=destination_rows("79123456789", "79123456789"))
    )
    assert response.status_code == 200
    assert inline_formset(response).non_form_errors() == [
        "An agent's number is entered twice: keep it in one row."
    ]
    assert not AgentGroup.objects.exists()


def test_same_number_typed_two_ways_is_refused(as_user, manager):
    data = group_data(destinations=destination_rows("79123456789", "8 (912) 345-67-89"))
    response = as_user(manager).post(GROUP_ADD, data)
    assert response.status_code == 200
    assert inline_formset(response).non_form_errors() == [
        "An agent's number is entered twice: keep it in one row."
    ]
    assert not AgentGroup.objects.exists()


def test_adding_a_number_already_in_the_group_is_refused(as_user, manager, agent_group):
    before = group_snapshot(agent_group)
    rows = [
        *existing_rows(agent_group),
        {"position": "2", "number": "8 (812) 999-99-99", "timeout": "30"},
    ]
    response = as_user(manager).post(
        change_url(agent_group), edit_data(agent_group, destinations=rows)
    )
    assert response.status_code == 200
    assert inline_formset(response).non_form_errors() == [
        "An agent's number is entered twice: keep it in one row."
    ]
    assert group_snapshot(agent_group) == before


def existing_rows(group):
    rows = [
        {
            "id": str(d.pk),
            "agent_group": str(group.pk),
            "position": str(d.position),
            "number": d.number,
            "timeout": str(d.timeout),
        }
        for d in group.destinations.all()
    ]
    return rows


def edit_data(group, destinations=None, **fields):
    stored = {
        "name": group.name,
        "number_code": str(group.number_code),
        "callback_resource_id": str(group.callback_resource_id),
        "agent_media_resource": str(group.agent_media_resource_id or ""),
        "contact_tts_preset": str(group.contact_tts_preset_id or ""),
    }
    data = group_data(**{**stored, **fields})
    rows = existing_rows(group) if destinations is None else destinations
    return {**data, **inline_data("destinations", rows, initial=group.destinations.count())}


def test_editing_a_group_with_valid_values_saves(as_user, manager, agent_group):
    response = as_user(manager).post(
        change_url(agent_group), edit_data(agent_group, duration="600")
    )
    assert response.status_code == 302
    agent_group.refresh_from_db()
    assert agent_group.duration == 600


@pytest.mark.parametrize(
    "fields", [{"duration": "3601"}, {"contact_timeout": "601"}, {"agent_ring_logic": "3"}]
)
def test_editing_a_group_with_an_invalid_value_changes_nothing(
    as_user, manager, agent_group, fields
):
    before = group_snapshot(agent_group)
    response = as_user(manager).post(
        change_url(agent_group), edit_data(agent_group, name="Renamed", **fields)
    )
    assert response.status_code == 200
    assert list(form_errors(response)) == list(fields)
    assert group_snapshot(agent_group) == before


def test_editing_a_destination_to_a_bad_number_changes_nothing(as_user, manager, agent_group):
    before = group_snapshot(agent_group)
    rows = existing_rows(agent_group)
    rows[0]["number"] = "+7 000"
    data = edit_data(agent_group, destinations=rows, duration="600")
    response = as_user(manager).post(change_url(agent_group), data)
    assert response.status_code == 200
    assert inline_formset(response).errors[0] == {
        "number": [
            "“+7 000” is not a valid phone number. Type it as +7 912 123-45-67 or 8 "
            "(912) 123-45-67."
        ]
    }
    assert group_snapshot(agent_group) == before


def test_deleting_every_destination_is_refused(as_user, manager, agent_group):
    before = group_snapshot(agent_group)
    rows = [{**row, "DELETE": "on"} for row in existing_rows(agent_group)]
    response = as_user(manager).post(
        change_url(agent_group), edit_data(agent_group, destinations=rows)
    )
    assert response.status_code == 200
    assert inline_formset(response).non_form_errors() == [
        "Add at least one agent's number: Exolve needs someone to ring."
    ]
    assert group_snapshot(agent_group) == before


# --- roles ------------------------------------------------------------------------------


def test_staff_cannot_add_an_agent_group(as_user, staff_user):
    client = as_user(staff_user)
    assert client.get(GROUP_ADD).status_code == 403
    assert client.post(GROUP_ADD, group_data()).status_code == 403
    assert not AgentGroup.objects.exists()


def test_auditor_can_view_but_not_change_a_group(as_user, auditor, agent_group):
    client = as_user(auditor)
    before = group_snapshot(agent_group)
    response = client.get(change_url(agent_group))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    response = client.post(
        change_url(agent_group), edit_data(agent_group, name="Hacked", duration="600")
    )
    assert response.status_code == 403
    assert group_snapshot(agent_group) == before


def test_auditor_cannot_add_a_contact(as_user, auditor):
    assert as_user(auditor).post(CONTACT_ADD, contact_data("79123456789")).status_code == 403
    assert not Contact.objects.exists()


# --- staff: contacts --------------------------------------------------------------------


def test_staff_adds_a_contact_with_normalised_numbers(as_user, staff_user):
    response = as_user(staff_user).post(
        CONTACT_ADD, contact_data("8 (912) 345-67-89", "+7 (495) 123-45-67")
    )
    assert response.status_code == 302, response.context and inline_formset(response).errors
    contact = Contact.objects.get(name="Мария Сидорова")
    assert list(contact.numbers.values_list("position", "number")) == [
        (1, "79123456789"),
        (2, "74951234567"),
    ]


def test_a_customer_is_called_on_a_phone_number_not_a_sip_uri(as_user, staff_user):
    response = as_user(staff_user).post(CONTACT_ADD, contact_data("sips:agent@10.0.0.5:5061"))
    assert response.status_code == 200
    assert "is not a valid phone number" in str(inline_formset(response).errors)
    assert not Contact.objects.exists()


def test_staff_contact_with_a_bad_number_is_refused(as_user, staff_user):
    response = as_user(staff_user).post(CONTACT_ADD, contact_data("123"))
    assert response.status_code == 200
    assert inline_formset(response).errors == [
        {
            "number": [
                "“123” is not a valid phone number. Type it as +7 912 123-45-67 or 8 "
                "(912) 123-45-67."
            ]
        }
    ]
    assert "is not a valid phone number" in response.content.decode()
    assert not Contact.objects.exists()
    assert not ContactNumber.objects.exists()


def test_staff_contact_with_one_number_typed_two_ways_is_refused(as_user, staff_user):
    response = as_user(staff_user).post(
        CONTACT_ADD, contact_data("79123456789", "+7 912 345-67-89")
    )
    assert response.status_code == 200
    assert inline_formset(response).non_form_errors() == [
        "A number is entered twice: keep it in one row."
    ]
    assert not Contact.objects.exists()


def test_staff_contact_without_numbers_is_refused(as_user, staff_user):
    response = as_user(staff_user).post(CONTACT_ADD, contact_data())
    assert response.status_code == 200
    assert inline_formset(response).non_form_errors() == [
        "Add at least one of the contact's numbers: Exolve needs one to ring."
    ]
    assert not Contact.objects.exists()


def changelist_names(response):
    return [contact.name for contact in response.context["cl"].result_list]


def test_search_finds_a_contact_by_a_typed_number(as_user, staff_user, contact):
    Contact.objects.create(name="Someone else").numbers.create(number="79123456789")
    response = as_user(staff_user).get(CONTACTS, {"q": "8 (959) 999-99-99"})
    assert response.status_code == 200
    assert changelist_names(response) == ["Иван Петров"]


def test_search_by_digits_finds_the_contact_once(as_user, staff_user, contact):
    response = as_user(staff_user).get(CONTACTS, {"q": "79599999999"})
    assert changelist_names(response) == ["Иван Петров"]


def test_search_by_name_still_works(as_user, staff_user, contact):
    Contact.objects.create(name="Someone else")
    response = as_user(staff_user).get(CONTACTS, {"q": "Петров"})
    assert changelist_names(response) == ["Иван Петров"]


def test_number_search_keeps_the_changelist_filters(as_user, staff_user, contact):
    # company=Nobody matches no contact, so a search within it must find nobody either.
    response = as_user(staff_user).get(CONTACTS, {"q": "8 (959) 999-99-99", "company": "Nobody"})
    assert response.status_code == 200
    assert changelist_names(response) == []
