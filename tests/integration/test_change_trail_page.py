"""The change trail as one page: every change to the tracked models, newest first, filtered by
model, object, user and period; only the models the user may read; fast at any size."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from callbacks.models import AgentGroup, Contact, TtsPreset

pytestmark = pytest.mark.django_db

PAGE = "/admin/change-trail/"


def rows(response):
    assert response.status_code == 200, response.content.decode()[:2000]
    return [(row.model, row.object, row.kind, row.who) for row in response.context["rows"]]


@pytest.fixture
def changes(agent_group, contact, manager, staff_user):
    """The fixtures' rows (added without a user), then the manager renames the group and the staff
    member renames the contact, in that order."""
    agent_group._history_user = manager
    agent_group.name = "Sales desk"
    agent_group.save()
    contact._history_user = staff_user
    contact.name = "Иван Сидоров"
    contact.save()


def test_every_change_is_listed_newest_first_with_its_old_and_new_values(as_user, auditor, changes):
    page = as_user(auditor).get(PAGE)
    shown = rows(page)
    assert shown[:2] == [
        ("Contact", "Иван Сидоров (Ромашка)", "changed", "staff"),
        ("Agent group", "Sales desk", "changed", "manager"),
    ]
    # The fixtures' groups, destinations, presets, contacts and numbers, all added.
    assert {model for model, *_ in shown[2:]} == {
        "Agent group",
        "Destination",
        "Media resource",
        "TTS preset",
        "Contact",
        "Phone number",
    }
    text = page.content.decode()
    assert "Sales → Sales desk" in text
    assert "Иван Петров → Иван Сидоров" in text


def test_it_filters_by_model(as_user, auditor, changes):
    page = as_user(auditor).get(PAGE, {"model": "contact"})
    assert 'href="/admin/callbacks/historicalcontact/"' in page.content.decode()
    shown = rows(page)
    assert shown == [
        ("Contact", "Иван Сидоров (Ромашка)", "changed", "staff"),
        ("Contact", "Иван Петров (Ромашка)", "added", "—"),
    ]


def test_it_filters_by_object_as_its_name_links_to(as_user, auditor, changes, agent_group):
    client = as_user(auditor)
    everything = client.get(PAGE)
    group_row = everything.context["rows"][1]
    assert group_row.filter_query == f"model=agentgroup&object={agent_group.pk}"
    assert f'href="?model=agentgroup&amp;object={agent_group.pk}"' in everything.content.decode()
    assert group_row.page_url == f"/admin/callbacks/agentgroup/{agent_group.pk}/history/"
    other = AgentGroup.objects.create(name="Other", number_code=74990000000, callback_resource_id=2)
    shown = rows(client.get(f"{PAGE}?{group_row.filter_query}"))
    assert shown == [
        ("Agent group", "Sales desk", "changed", "manager"),
        ("Agent group", "Sales", "added", "—"),
    ]
    assert other.name not in [name for _model, name, *_ in shown]


def test_an_object_id_without_its_model_is_refused_on_the_field(as_user, auditor, changes):
    page = as_user(auditor).get(PAGE, {"object": "1"})
    assert page.status_code == 400
    assert page.context["form"].errors == {"model": ["Choose the type of the object with this id."]}
    assert page.context["rows"] == []


def test_it_filters_by_user_offering_only_people_who_changed_something(
    as_user, auditor, manager, staff_user, changes
):
    client = as_user(auditor)
    offered = client.get(PAGE).context["form"].fields["user"].queryset
    assert list(offered) == [manager, staff_user]  # not the auditor, who changed nothing
    assert rows(client.get(PAGE, {"user": manager.pk})) == [
        ("Agent group", "Sales desk", "changed", "manager")
    ]


def test_it_filters_by_period(as_user, auditor, tts_preset):
    def changed_on(day, name):
        tts_preset.name = name
        tts_preset.save()
        moment = timezone.make_aware(datetime.fromisoformat(f"{day}T12:00"))
        TtsPreset.history.filter(name=name).update(history_date=moment)

    for day, name in [("2026-03-01", "March"), ("2026-03-02", "Second"), ("2026-03-04", "Late")]:
        changed_on(day, name)
    client = as_user(auditor)
    period = {"model": "ttspreset", "since": "2026-03-02", "until": "2026-03-03"}
    assert [name for _m, name, *_ in rows(client.get(PAGE, period))] == ["Second"]
    assert [name for _m, name, *_ in rows(client.get(PAGE, {"until": "2026-03-01"}))] == ["March"]
    backwards = client.get(PAGE, {"since": "2026-03-04", "until": "2026-03-01"})
    assert backwards.status_code == 400
    for edge in ({"since": "0001-01-01"}, {"until": "9999-12-31"}):  # would overflow: refused
        assert client.get(PAGE, edge).status_code == 400
    assert "until" in backwards.context["form"].errors


def test_a_role_without_the_trail_permission_gets_403(as_user, make_user):
    nobody = make_user("nobody")
    nobody.user_permissions.add(Permission.objects.get(codename="view_agentgroup"))
    assert as_user(nobody).get(PAGE).status_code == 403


def test_rows_of_models_the_user_may_not_read_are_absent(as_user, make_user, changes):
    reader = make_user("reader")
    reader.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_agentgroup", "view_historicalagentgroup"])
    )
    page = as_user(reader).get(PAGE)
    assert {model for model, *_ in rows(page)} == {"Agent group"}
    assert [value for value, _label in page.context["form"].fields["model"].choices] == [
        "",
        "agentgroup",
    ]
    assert as_user(reader).get(PAGE, {"model": "contact"}).status_code == 400


def test_pages_follow_one_another(as_user, auditor):
    for number in range(60):
        Contact.objects.create(name=f"Contact {number:02}")
    client = as_user(auditor)
    first = client.get(PAGE, {"model": "contact"})
    assert len(first.context["rows"]) == 50
    assert first.context["has_next"]
    second = client.get(PAGE, {"model": "contact", "page": 2})
    assert [name for _m, name, *_ in rows(second)] == [f"Contact {n:02}" for n in range(9, -1, -1)]
    assert not second.context["has_next"]
    too_deep = client.get(PAGE, {"page": 100_000})
    assert too_deep.status_code == 400
    assert "Only the first 200 pages are shown" in too_deep.content.decode()  # said on the page


def queries_for_the_page(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_rows(as_user, auditor, changes, contact):
    """A page loads each model's rows at once: 80 changes of each of the six models on the page
    cost what one change of each did."""
    client = as_user(auditor)
    saved = [*AgentGroup.objects.all(), *TtsPreset.objects.all(), contact, *contact.numbers.all()]
    saved += [group.destinations.first() for group in AgentGroup.objects.all()]
    saved += [group.agent_media_resource for group in AgentGroup.objects.all()]
    for obj in saved:
        obj.save()
    few = queries_for_the_page(client)
    for _round in range(80):
        for obj in saved:
            obj.save()
    assert len(client.get(PAGE).context["rows"]) == 50
    assert queries_for_the_page(client) == few


def test_user_names_link_only_for_those_who_may_open_users(
    as_user, auditor, make_user, manager, changes, agent_group
):
    history = f"/admin/callbacks/agentgroup/{agent_group.pk}/history/"
    for page in (PAGE, history):
        text = as_user(auditor).get(page).content.decode()
        assert "manager" in text
        assert "/admin/auth/user/" not in text
    root = make_user("root", superuser=True)
    for page in (PAGE, history):
        assert f"/admin/auth/user/{manager.pk}/change/" in as_user(root).get(page).content.decode()


def test_rows_edited_inline_link_to_their_owner(as_user, auditor, agent_group, contact):
    page = as_user(auditor).get(PAGE, {"model": "destination"})
    row = page.context["rows"][0]
    assert (row.page_url, row.page_label) == (
        f"/admin/callbacks/agentgroup/{agent_group.pk}/change/",
        "Agent group: Sales",
    )


def test_a_period_in_the_future_shows_nothing(as_user, auditor, changes):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert rows(as_user(auditor).get(PAGE, {"since": tomorrow})) == []
