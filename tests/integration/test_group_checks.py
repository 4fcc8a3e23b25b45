"""The agent group's page checks the group before a customer hears it: the exact MakeCallback
request for a sample contact (the worker's own builder, the key masked), and a support manager's
test call through the same press, recorded as a test."""

import html
import json
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from callbacks import exolve
from callbacks.admin.group_checks import sample_contact
from callbacks.models import (
    CallbackRequest,
    CallbackStatus,
    Contact,
    Destination,
    DoNotCallNumber,
)
from callbacks.selectors import agent_line
from tests.helpers import ask_for_callback

pytestmark = pytest.mark.django_db
TYPED = "+7 916 555-12-34"
STORED = "79165551234"


def group_page(agent_group):
    return reverse("admin:callbacks_agentgroup_change", args=[agent_group.pk])


def trial_url(agent_group):
    return reverse("admin:callbacks_agentgroup_test_call", args=[agent_group.pk])


def preview_of(response):
    """The preview's JSON body as the page shows it, read back."""
    text = response.content.decode()
    block = re.search(r'<div class="preview-body"><pre>(.*?)</pre>', text, re.S).group(1)
    return json.loads(html.unescape(block))


# --- the preview --------------------------------------------------------------------------------


def test_the_group_s_page_shows_the_request_the_worker_would_send_with_the_key_masked(
    as_user, manager, agent_group, tts_preset
):
    tts_preset.text = "{name}, вам звонят из «{company}»"
    tts_preset.save()
    response = as_user(manager).get(group_page(agent_group))
    page = response.content.decode()
    assert response.status_code == 200
    assert settings.EXOLVE_API_KEY not in page
    assert "Bearer ••••••" in page
    assert 'class="preview-method"><code>POST</code><' in page
    assert "<code>Authorization: Bearer ••••••</code>" in page
    assert f"{settings.EXOLVE_API_URL.rstrip('/')}/call/v1/MakeCallback" in page

    shown = preview_of(response)
    contact, numbers = sample_contact()
    built = exolve.build_make_callback_body(
        agent_group=agent_group,
        agent_destinations=agent_line(agent_group),
        contact=contact,
        contact_numbers=numbers,
        request_description=shown["request_description"],
    )
    assert shown == built  # the worker's builder, not a copy
    assert shown["request_description"].startswith("callback-")
    assert shown["line_2"]["destinations"] == [{"number": "79000000000", "timeout": 30}]
    assert shown["line_2"]["audio"]["tts"]["text"] == "Anna Obraztsova, вам звонят из «Example Ltd»"
    assert 'class="preview-spoken">Anna Obraztsova, вам звонят из «Example Ltd»<' in page
    assert not Contact.objects.exists()  # the sample is never saved


def test_the_preview_follows_the_group_as_saved(as_user, manager, agent_group):
    agent_group.contact_first = True
    agent_group.save()
    shown = preview_of(as_user(manager).get(group_page(agent_group)))
    assert shown["line_1"]["destinations"][0]["number"] == "79000000000"
    assert [d["number"] for d in shown["line_2"]["destinations"]] == ["78129999999", "74959999999"]


def test_a_group_that_would_be_refused_shows_why_instead_of_a_request(
    as_user, manager, agent_group
):
    Destination.objects.filter(agent_group=agent_group).delete()
    agent_group.is_active = False
    agent_group.save()
    page = as_user(manager).get(group_page(agent_group)).content.decode()
    assert "would be refused" in page
    assert "has 0 destinations; it needs 1 to 10" in page
    assert "is not active" in page
    assert "Bearer" not in page


def test_the_add_page_has_no_preview_nor_test_call(as_user, manager):
    page = as_user(manager).get(reverse("admin:callbacks_agentgroup_add")).content.decode()
    assert "make-callback-preview" not in page
    assert "test-call-form" not in page


def test_a_missing_key_is_said_never_shown(as_user, manager, agent_group, settings):
    settings.EXOLVE_API_KEY = ""
    page = as_user(manager).get(group_page(agent_group)).content.decode()
    assert "EXOLVE_API_KEY is not set" in page


# --- who may make a test call ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["auditor", "staff_user"])
def test_an_auditor_or_staff_sees_no_test_call_form_and_may_not_post_one(
    request, role, as_user, agent_group, queued
):
    client = as_user(request.getfixturevalue(role))
    page = client.get(group_page(agent_group)).content.decode()
    assert "make-callback-preview" in page  # they may read the group, and what it sends
    assert "test-call-form" not in page
    assert client.post(trial_url(agent_group), {"number": TYPED}).status_code == 403
    assert not CallbackRequest.objects.exists()
    assert queued == []


def test_a_manager_may_not_place_a_customer_callback_but_may_test(manager):
    assert not manager.has_perm("callbacks.place_callback")
    assert manager.has_perm("callbacks.change_agentgroup")


# --- the test call --------------------------------------------------------------------------


def test_a_manager_s_test_call_rings_the_group_and_their_number_through_the_same_press(
    as_user, manager, agent_group, queued, django_capture_on_commit_callbacks
):
    client = as_user(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(trial_url(agent_group), {"number": TYPED})
    assert response.status_code == 302
    assert response.url == f"{group_page(agent_group)}#test-call"
    callback = CallbackRequest.objects.get()
    assert callback.is_test
    assert callback.status == CallbackStatus.PENDING
    assert callback.requested_by == manager
    assert callback.contact.test_caller == manager
    assert callback.contact.name == "Test call: manager"
    assert list(callback.numbers.values_list("number", flat=True)) == [STORED]
    assert callback.request_body["line_2"]["destinations"] == [{"number": STORED, "timeout": 30}]
    assert [ids for ids, _countdown in queued] == [(callback.pk,)]  # a customer's queue

    page = client.get(response.url).content.decode()
    assert "Test call queued" in page
    assert 'data-live="test-call"' in page
    assert "callbacks/live.js" in page
    assert reverse("admin:callbacks_callbackrequest_change", args=[callback.pk]) in page
    assert 'value="+7 916 555-12-34"' in page  # ready to ring again


def test_the_page_shows_the_test_call_s_outcome_and_stops_refreshing(
    as_user, manager, agent_group, queued
):
    as_user(manager).post(trial_url(agent_group), {"number": TYPED})
    CallbackRequest.objects.update(
        status=CallbackStatus.PLACED,
        call_id="cal-test",
        call_outcome="connected",
        final_event_at=timezone.now(),
    )
    page = as_user(manager).get(group_page(agent_group)).content.decode()
    assert re.search(r'data-live="test-call" data-live-done', page)
    assert "Connected" in page


def test_a_second_test_call_a_minute_later_is_not_stopped_by_the_cooldown(
    as_user, manager, agent_group, queued
):
    client = as_user(manager)
    client.post(trial_url(agent_group), {"number": TYPED})
    CallbackRequest.objects.update(status=CallbackStatus.PLACED, call_id="cal-1")
    response = client.post(trial_url(agent_group), {"number": TYPED})
    assert response.status_code == 302
    statuses = list(CallbackRequest.objects.order_by("id").values_list("status", flat=True))
    assert statuses == [CallbackStatus.PLACED, CallbackStatus.PENDING]
    assert Contact.objects.count() == 1  # the manager's one test contact


def test_the_test_contact_takes_the_number_typed_each_time(as_user, manager, agent_group, queued):
    client = as_user(manager)
    client.post(trial_url(agent_group), {"number": TYPED})
    CallbackRequest.objects.update(status=CallbackStatus.PLACED)
    client.post(trial_url(agent_group), {"number": "8 (916) 555-00-01"})
    contact = Contact.objects.get()
    assert list(contact.numbers.values_list("number", flat=True)) == ["79165550001"]
    first, second = CallbackRequest.objects.order_by("id")
    assert list(first.numbers.values_list("number", flat=True)) == [STORED]  # fixed at the press
    assert list(second.numbers.values_list("number", flat=True)) == ["79165550001"]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "This field is required."),
        ("12", "is not a valid phone number"),
        ("+7 800 555-35-35", ""),  # a number type we do not call back
    ],
)
def test_a_bad_number_is_said_on_the_field_and_nothing_is_rung(
    as_user, manager, agent_group, queued, typed, message
):
    response = as_user(manager).post(trial_url(agent_group), {"number": typed})
    assert response.status_code == 200
    errors = response.context["test_call_form"].errors
    assert list(errors) == ["number"]
    assert message in " ".join(errors["number"])
    page = response.content.decode()
    assert 'class="form-row errors"' in page
    assert f'action="{group_page(agent_group)}"' in page  # the group's own form posts to itself
    assert not CallbackRequest.objects.exists()
    assert queued == []


def test_the_do_not_call_list_still_stops_a_test_call(as_user, manager, agent_group, queued):
    DoNotCallNumber.objects.create(number=STORED)
    response = as_user(manager).post(trial_url(agent_group), {"number": TYPED})
    assert response.status_code == 200
    assert "On the do-not-call list" in response.content.decode()
    callback = CallbackRequest.objects.get()
    assert (callback.is_test, callback.status) == (True, CallbackStatus.REFUSED)
    assert queued == []


def test_a_group_the_contract_refuses_says_why_on_the_form(as_user, manager, agent_group, queued):
    Destination.objects.filter(agent_group=agent_group).delete()
    response = as_user(manager).post(trial_url(agent_group), {"number": TYPED})
    assert response.status_code == 200
    assert "has 0 destinations" in " ".join(response.context["test_call_form"].non_field_errors())
    assert not CallbackRequest.objects.exists()


def test_a_get_of_the_test_call_address_goes_back_to_the_group(as_user, manager, agent_group):
    response = as_user(manager).get(trial_url(agent_group))
    assert (response.status_code, response.url) == (302, group_page(agent_group))


# --- a test contact is nobody staff call back --------------------------------------------------


@pytest.fixture
def test_contact(as_user, manager, agent_group, queued):
    as_user(manager).post(trial_url(agent_group), {"number": TYPED})
    return Contact.objects.get(test_caller=manager)


def test_the_test_contact_is_not_in_the_contacts_list_search_or_call_back(
    client, staff_user, contact, test_contact
):
    client.force_login(staff_user)
    listing = client.get(reverse("admin:callbacks_contact_changelist")).content.decode()
    assert contact.name in listing
    assert test_contact.name not in listing
    found = client.get(reverse("admin:callbacks_contact_changelist"), {"q": "916 555"})
    assert found.context["cl"].result_count == 0
    for name in ("admin:callbacks_contact_change", "admin:callbacks_contact_callback"):
        response = client.get(reverse(name, args=[test_contact.pk]))
        assert response.status_code == 302  # "does not exist", as for a deleted contact
    response = client.post(
        reverse("admin:callbacks_contact_callback", args=[test_contact.pk]), {"when": "now"}
    )
    assert response.status_code == 302
    assert CallbackRequest.objects.count() == 1  # the test call only


def test_the_test_call_s_page_names_its_contact_without_a_dead_link(client, auditor, test_contact):
    callback = CallbackRequest.objects.get()
    client.force_login(auditor)
    page = client.get(
        reverse("admin:callbacks_callbackrequest_change", args=[callback.pk])
    ).content.decode()
    assert "Test call: manager" in page
    assert reverse("admin:callbacks_contact_change", args=[test_contact.pk]) not in page


# --- test calls in the call log ---------------------------------------------------------------


@pytest.fixture
def both_kinds(contact, agent_group, staff_user, test_contact):
    customer = ask_for_callback(contact, agent_group, staff_user)
    return customer, CallbackRequest.objects.get(is_test=True)


def test_the_callback_list_filters_by_kind(client, auditor, both_kinds):
    customer, test = both_kinds
    client.force_login(auditor)
    changelist = reverse("admin:callbacks_callbackrequest_changelist")
    for kind, expected in (("", {customer, test}), ("customer", {customer}), ("test", {test})):
        response = client.get(changelist, {"kind": kind} if kind else {})
        assert set(response.context["cl"].result_list) == expected, kind


def test_the_call_log_page_counts_customers_calls_unless_asked_for_tests(
    client, auditor, both_kinds
):
    customer, test = both_kinds
    client.force_login(auditor)
    for kind, expected in (("", [customer]), ("test", [test]), ("all", [customer, test])):
        response = client.get(reverse("call_log"), {"kind": kind} if kind else {})
        assert response.context["rows"] == expected, kind


def test_the_csv_says_which_calls_are_tests(client, auditor, both_kinds):
    client.force_login(auditor)
    response = client.get(reverse("call_log_csv"), {"kind": "all"})
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    column = header.index("Test call")
    assert sorted(line.split(";")[column] for line in lines[1:]) == ["No", "Yes"]
    default = client.get(reverse("call_log_csv"))
    assert len(b"".join(default.streaming_content).decode("utf-8-sig").splitlines()) == 2
