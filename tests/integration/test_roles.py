"""The three roles exist with exactly the permissions the product promises them."""

import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db

CONFIGURATION = {
    "agentgroup",
    "destination",
    "mediaresource",
    "ttspreset",
    "workinghours",
    "holiday",
    "donotcallnumber",
}
CONTACTS = {"contact", "contactnumber"}
HISTORY = {"callbackrequest", "callbackattempt", "callbacknumber", "callevent"}
# Who changed what: the configuration's and the contacts' change trail (django-simple-history).
TRAIL = {f"historical{model}" for model in (CONFIGURATION - {"donotcallnumber"}) | CONTACTS}


def manage(models):
    return {
        f"{action}_{model}" for model in models for action in ("add", "change", "delete", "view")
    }


def view(models):
    return {f"view_{model}" for model in models}


EXPECTED = {
    "Support managers": manage(CONFIGURATION)
    | view(CONTACTS | HISTORY | TRAIL)
    | {"override_cooldown"},
    # Staff put a customer who says "never call me" on the do-not-call list; only managers take one
    # off.
    "Staff": manage(CONTACTS)
    | {"place_callback", "add_donotcallnumber"}
    | view(CONFIGURATION | HISTORY | TRAIL),
    "Auditors": view(CONFIGURATION | CONTACTS | HISTORY | TRAIL),
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_role_has_exactly_its_permissions(role):
    permissions = Group.objects.get(name=role).permissions.select_related("content_type")
    assert {p.content_type.app_label for p in permissions} == {"callbacks"}
    assert {p.codename for p in permissions} == EXPECTED[role]


def test_nobody_but_staff_may_place_a_callback():
    holders = Group.objects.filter(permissions__codename="place_callback").values_list(
        "name", flat=True
    )
    assert list(holders) == ["Staff"]


def test_only_support_managers_may_override_the_cooldown():
    holders = Group.objects.filter(permissions__codename="override_cooldown").values_list(
        "name", flat=True
    )
    assert list(holders) == ["Support managers"]


def test_history_can_be_changed_by_no_role():
    writes = Group.objects.filter(
        permissions__codename__in=manage(HISTORY | TRAIL) - view(HISTORY | TRAIL)
    )
    assert not writes.exists()


def test_a_support_manager_cannot_add_contacts(client, manager):
    client.force_login(manager)
    assert client.get("/admin/callbacks/contact/add/").status_code == 403
