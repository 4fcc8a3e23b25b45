"""Who changed what: people change configuration and contacts through the admin, and an auditor
reads who did it, when, and the old and new values, for one object and across all of them, and can
change none of it."""

import pytest
from django.contrib.auth.models import Permission
from django.utils import formats, timezone, translation

from callbacks.models import AgentGroup, Contact, ContactNumber, Destination
from tests.admin_pages import change_url, shown_change_form

pytestmark = pytest.mark.django_db

TRAIL = "/admin/callbacks/historical{}/"


def history_url(obj):
    return f"/admin/callbacks/{obj._meta.model_name}/{obj.pk}/history/"


def text(response):
    return response.content.decode()


@pytest.fixture
def group_changed_by_manager(as_user, manager, agent_group):
    """The support manager renames the group and changes its first destination's number in one
    save."""
    client = as_user(manager)
    data = shown_change_form(client, agent_group)
    assert data["destinations-0-number"] == "+7 812 999-99-99"  # shown as people read it
    data.update({"name": "Sales desk", "destinations-0-number": "8 (912) 345-67-89"})
    before = timezone.now()
    response = client.post(change_url(agent_group), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    client.logout()
    return before


def test_the_group_and_its_destination_changes_are_recorded_with_the_manager(
    group_changed_by_manager, manager, agent_group
):
    group_change = AgentGroup.history.filter(id=agent_group.pk).first()
    assert (group_change.history_type, group_change.history_user, group_change.name) == (
        "~",
        manager,
        "Sales desk",
    )
    assert group_change.history_date >= group_changed_by_manager
    destination = agent_group.destinations.get(position=1)
    destination_change = Destination.history.filter(id=destination.pk).first()
    assert (destination_change.history_type, destination_change.history_user) == ("~", manager)
    assert destination_change.number == "79123456789"
    assert destination_change.prev_record.number == "78129999999"


def test_an_auditor_reads_the_group_history_page(
    as_user, auditor, manager, group_changed_by_manager, agent_group
):
    page = as_user(auditor).get(history_url(agent_group))
    assert page.status_code == 200
    latest = page.context["page_obj"][0]
    assert latest.history_user == manager
    assert latest.history_delta_changes == [{"field": "Name", "old": "Sales", "new": "Sales desk"}]
    shown = text(page)
    assert "manager" in shown
    assert "Sales desk" in shown
    assert "&rarr;" in shown
    assert formats.date_format(timezone.localtime(latest.history_date), "DATETIME_FORMAT") in shown
    assert "Revert" not in shown
    assert "revert to" not in shown


def test_an_auditor_reads_both_changes_in_the_trail_filtered_by_the_manager(
    as_user, auditor, manager, group_changed_by_manager, agent_group
):
    client = as_user(auditor)
    groups = client.get(TRAIL.format("agentgroup"), {"history_user__id__exact": manager.pk})
    assert groups.status_code == 200
    assert [row.history_type for row in groups.context["cl"].result_list] == [
        "~"
    ]  # not the fixture's "+"
    assert "Sales → Sales desk" in text(groups)

    destinations = client.get(TRAIL.format("destination"), {"history_user__id__exact": manager.pk})
    rows = destinations.context["cl"].result_list
    assert [(row.history_type, row.history_user, row.number) for row in rows] == [
        ("~", manager, "79123456789")
    ]
    shown = text(destinations)
    assert "+7 812 999-99-99 → +7 912 345-67-89" in shown
    assert (
        "+7 495 999-99-99" not in shown
    )  # the untouched destination: saved, but not by this user's change
    assert "Sales desk" in shown  # its agent group

    everyone = client.get(TRAIL.format("destination"))
    assert len(everyone.context["cl"].result_list) > len(rows)


def test_a_trail_row_links_to_all_changes_of_its_object(
    as_user, auditor, group_changed_by_manager, agent_group
):
    destination = agent_group.destinations.get(position=1)
    client = as_user(auditor)
    page = client.get(TRAIL.format("destination"), {"id": destination.pk})
    rows = page.context["cl"].result_list
    assert [row.history_type for row in rows] == ["~", "+"]
    assert f'href="?id={destination.pk}"' in text(client.get(TRAIL.format("destination")))
    added_with = "Number or SIP-URI:</strong> +7 812 999-99-99<"  # the values it was added with
    assert added_with in text(page)


def test_nobody_can_change_or_delete_the_trail(
    as_user, auditor, manager, make_user, group_changed_by_manager, agent_group
):
    record = AgentGroup.history.filter(id=agent_group.pk).first()
    row_url = f"{TRAIL.format('agentgroup')}{record.pk}/"
    for user in (auditor, manager, make_user("root", superuser=True)):
        client = as_user(user)
        trail = client.get(TRAIL.format("agentgroup"))
        assert trail.status_code == 200
        assert 'name="_selected_action"' not in text(trail)  # no actions (no "delete selected")
        assert f'href="{TRAIL.format("agentgroup")}add/"' not in text(trail)
        row = client.get(f"{row_url}change/")
        assert row.status_code == 200
        assert 'name="_save"' not in text(row)
        assert "deletelink" not in text(row)
        assert (
            client.post(f"{row_url}change/", {"name": "Hacked", "history_type": "~"}).status_code
            == 403
        )
        assert client.post(f"{row_url}delete/", {"post": "yes"}).status_code == 403
        assert client.get(f"{TRAIL.format('agentgroup')}add/").status_code == 403
    record.refresh_from_db()
    assert record.name == "Sales desk"


def test_nobody_can_revert_from_history(
    as_user, auditor, manager, group_changed_by_manager, agent_group
):
    first = AgentGroup.history.filter(id=agent_group.pk).last()
    version_url = f"{history_url(agent_group)}{first.history_id}/"
    for user in (auditor, manager):
        client = as_user(user)
        version = client.get(version_url)
        assert version.status_code == 200
        assert 'name="_save"' not in text(version)
        assert "Revert" not in text(version)
        assert "Sales" in text(version)  # the values of that version, read only
        data = (
            {**shown_change_form(client, agent_group), "name": "Sales"}
            if user == manager
            else {"name": "Sales"}
        )
        assert client.post(version_url, data).status_code == 403
    agent_group.refresh_from_db()
    assert agent_group.name == "Sales desk"


def test_the_history_page_needs_the_trail_permission(as_user, make_user, agent_group):
    reader = make_user("reader")  # may read groups, not who changed them
    reader.user_permissions.set(Permission.objects.filter(codename="view_agentgroup"))
    client = as_user(reader)
    assert client.get(change_url(agent_group)).status_code == 200
    assert client.get(history_url(agent_group)).status_code == 403
    assert client.get(TRAIL.format("agentgroup")).status_code == 403


def test_a_contact_changed_by_staff_is_recorded(as_user, staff_user, auditor, contact):
    client = as_user(staff_user)
    data = shown_change_form(client, contact)
    data.update(
        {
            "company": "Ромашка и Ко",
            "numbers-1-number": "+7 912 000-11-22",
            "numbers-0-DELETE": "on",
        }
    )
    response = client.post(change_url(contact), data)
    assert response.status_code == 302, response.context and response.context["errors"]

    change = Contact.history.filter(id=contact.pk).first()
    assert (change.history_type, change.history_user, change.company) == (
        "~",
        staff_user,
        "Ромашка и Ко",
    )
    numbers = ContactNumber.history.filter(contact_id=contact.pk, history_user=staff_user)
    assert sorted((row.history_type, row.number) for row in numbers) == [
        ("-", "79599999999"),
        ("~", "79120001122"),
    ]

    client = as_user(auditor)
    page = client.get(history_url(contact))
    assert page.context["page_obj"][0].history_delta_changes == [
        {"field": "Company", "old": "Ромашка", "new": "Ромашка и Ко"}
    ]
    assert "staff" in text(page)
    trail = text(
        client.get(TRAIL.format("contactnumber"), {"history_user__id__exact": staff_user.pk})
    )
    assert "+7 999 999-99-99 → +7 912 000-11-22" in trail
    assert "- Deleted" in trail
    assert "+7 959 999-99-99" in trail


def test_a_russian_auditor_reads_the_history_in_russian(
    as_user, auditor, group_changed_by_manager, agent_group
):
    client = as_user(auditor)
    with translation.override(
        "en"
    ):  # the middleware's Russian stays in these requests, not in later tests
        page = text(client.get(history_url(agent_group), HTTP_ACCEPT_LANGUAGE="ru"))
        trail = text(client.get(TRAIL.format("destination"), HTTP_ACCEPT_LANGUAGE="ru"))
    assert "История изменений: Sales desk" in page
    assert "Кем изменено" in page
    assert "Название:" in page
    assert "Журнал изменений: номера операторов" in trail
    assert "Изменения: было → стало" in trail
    assert "~ Изменено" in trail
