"""The admin's navigation per role: the overview (the board) first for everyone who reads the
call log, then three sections (configuration; contacts and callbacks; records), each role's daily
one first, and only what the role may open."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from callbacks.admin_site import CallbackDeskSite

pytestmark = pytest.mark.django_db


def app_list(user):
    from django.contrib import admin

    request = RequestFactory().get("/admin/")
    request.user = user
    return admin.site.get_app_list(request)


def shown(user):
    """[(section, [entry names])], as the index and the sidebar show them."""
    return [(app["app_label"], [m["object_name"] for m in app["models"]]) for app in app_list(user)]


CONFIGURATION = ("configuration", ["AgentGroup", "MediaResource", "TtsPreset"])
CONTACTS_FOR_STAFF = ("contacts", ["Contact", "CallbackRequest", "DoNotCallNumber"])
RECORDS = ("records", ["CallLog", "CallbackAttempt", "CallEvent", "ChangeTrail"])
OVERVIEW = ("overview", ["Board", "Reports"])


def test_the_site_is_the_callback_desk():
    from django.contrib import admin

    assert isinstance(admin.site._wrapped, CallbackDeskSite)


def test_staff_see_contacts_and_callbacks_first(staff_user):
    assert shown(staff_user) == [OVERVIEW, CONTACTS_FOR_STAFF, CONFIGURATION, RECORDS]


def test_support_managers_see_configuration_first_and_the_needs_a_manager_list(manager):
    contacts = ("contacts", ["Contact", "CallbackRequest", "NeedsManager", "DoNotCallNumber"])
    assert shown(manager) == [OVERVIEW, CONFIGURATION, contacts, RECORDS]
    needs_manager = app_list(manager)[2]["models"][2]
    assert needs_manager["admin_url"] == "/admin/callbacks/callbackrequest/?needs_manager=1"


def test_auditors_see_the_records_first(auditor):
    assert shown(auditor) == [OVERVIEW, RECORDS, CONFIGURATION, CONTACTS_FOR_STAFF]
    call_log = app_list(auditor)[1]["models"][0]
    assert (call_log["name"], call_log["admin_url"]) == ("Call log", reverse("call_log"))


def test_no_per_model_change_trail_entry_is_listed(make_user):
    root = make_user("root", superuser=True)
    names = [m["object_name"] for app in app_list(root) for m in app["models"]]
    assert not [name for name in names if name.startswith("Historical")]
    assert names.count("ChangeTrail") == 1


def test_users_and_groups_are_a_last_section_for_superusers_only(make_user, auditor):
    sections = [app["app_label"] for app in app_list(make_user("root", superuser=True))]
    assert sections[:4] == ["overview", "configuration", "contacts", "records"]
    assert "auth" in sections[4:]
    assert "auth" not in [app["app_label"] for app in app_list(auditor)]


def test_a_role_sees_only_what_it_may_open(as_user, staff_user, manager, auditor):
    for user in (staff_user, manager, auditor):
        client = as_user(user)
        for app in app_list(user):
            for entry in app["models"]:
                # The page itself (the needs_manager filter is another part of the work).
                response = client.get(entry["admin_url"].split("?")[0])
                assert response.status_code == 200, (user.username, entry["admin_url"])


def test_a_user_with_only_the_call_log_sees_only_the_records(make_user):
    from django.contrib.auth.models import Permission

    reader = make_user("reader")
    reader.user_permissions.add(Permission.objects.get(codename="view_callbackrequest"))
    assert [
        (app["app_label"], [m["object_name"] for m in app["models"]]) for app in app_list(reader)
    ] == [OVERVIEW, ("records", ["CallLog"]), ("contacts", ["CallbackRequest"])]


def test_the_index_and_the_sidebar_show_the_sections(as_user, auditor, contact):
    client = as_user(auditor)
    index = client.get("/admin/").content.decode()
    assert index.index("Records") < index.index("Configuration") < index.index("Contacts and")
    assert "Change trail: " not in index
    contact_page = client.get(reverse("admin:callbacks_contact_change", args=[contact.pk]))
    sidebar = contact_page.content.decode()
    assert 'id="nav-sidebar"' in sidebar
    assert f'href="{reverse("call_log")}"' in sidebar
    # The model pages' breadcrumbs still lead to the app's page, which lists no trail either.
    app_page = client.get("/admin/callbacks/")
    assert app_page.status_code == 200
    assert "Change trail: " not in app_page.content.decode()
