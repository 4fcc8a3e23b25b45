"""Pressing "Call back" in the admin, and who may see or change what, through the real admin
pages."""

import pytest
from django.urls import reverse

from callbacks.delivery import create, sending
from callbacks.models import CallbackAttempt, CallbackRequest, CallbackStatus
from tests.admin_pages import call_back_url, change_url, contact_url, shown_change_form

pytestmark = pytest.mark.django_db


def test_staff_sees_the_button_and_what_will_be_dialled(client, staff_user, contact, agent_group):
    client.force_login(staff_user)
    page = client.get(contact_url(contact)).content.decode()
    assert call_back_url(contact) in page
    confirm = client.get(call_back_url(contact))
    assert confirm.status_code == 200
    text = confirm.content.decode()
    for number in ["+7 959 999-99-99", "+7 999 999-99-99", "+7 812 999-99-99", "+7 495 999-99-99"]:
        assert number in text
    assert agent_group.name in text


def test_staff_confirms_and_the_callback_is_queued_after_commit(
    client, staff_user, contact, agent_group, queued, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(call_back_url(contact), {"agent_group": agent_group.pk}, follow=True)
    callback = CallbackRequest.objects.get()
    assert response.redirect_chain[-1][0] == contact_url(contact)
    assert "Callback queued" in response.content.decode()
    assert (callback.contact, callback.agent_group, callback.requested_by) == (
        contact,
        agent_group,
        staff_user,
    )
    assert queued == [((callback.pk,), None)]
    assert "Pending" in response.content.decode()  # the contact page lists it


def test_a_double_click_places_one_callback(
    client, staff_user, contact, agent_group, queued, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(call_back_url(contact), {"agent_group": agent_group.pk})
        second = client.post(call_back_url(contact), {"agent_group": agent_group.pk})
    assert second.status_code == 200
    assert "is already on its way" in second.content.decode()
    assert CallbackRequest.objects.count() == 1
    assert len(queued) == 1


def test_inactive_group_cannot_be_chosen(client, staff_user, contact, agent_group, queued):
    agent_group.is_active = False
    agent_group.save()
    client.force_login(staff_user)
    response = client.post(call_back_url(contact), {"agent_group": agent_group.pk})
    assert response.status_code == 200
    assert "Choose an active agent group." in response.content.decode()
    assert not CallbackRequest.objects.exists()


def test_a_contract_error_is_shown_on_the_form(client, staff_user, contact, agent_group, queued):
    contact.numbers.all().delete()
    client.force_login(staff_user)
    response = client.post(call_back_url(contact), {"agent_group": agent_group.pk})
    assert response.status_code == 200
    assert "The contact has 0 phone numbers" in response.content.decode()
    assert not CallbackRequest.objects.exists()
    assert queued == []


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_auditor_cannot_place_a_callback(client, auditor, contact, agent_group, queued, method):
    client.force_login(auditor)
    response = getattr(client, method)(call_back_url(contact), {"agent_group": agent_group.pk})
    assert response.status_code == 403
    assert not CallbackRequest.objects.exists()
    assert queued == []


def test_the_auditor_sees_no_button(client, auditor, contact):
    client.force_login(auditor)
    response = client.get(contact_url(contact))
    assert response.status_code == 200
    assert call_back_url(contact) not in response.content.decode()


def test_the_contact_page_shows_callbacks_only_to_those_who_may_read_the_call_log(
    client, make_user, placed_callback, contact
):
    from django.contrib.auth.models import Permission

    clerk = make_user("clerk")  # may edit contacts, may not read the history
    clerk.user_permissions.set(
        Permission.objects.filter(codename__in=["view_contact", "change_contact"])
    )
    client.force_login(clerk)
    page = client.get(contact_url(contact)).content.decode()
    assert contact.name in page
    assert placed_callback.call_id not in page
    assert 'id="contact-callbacks"' not in page


def test_the_confirm_page_costs_the_same_queries_for_one_group_or_many(
    client, staff_user, contact, agent_group, django_assert_max_num_queries
):
    from callbacks.models import AgentGroup, Destination

    client.force_login(staff_user)
    with django_assert_max_num_queries(12) as one_group:
        client.get(call_back_url(contact))
    for index in range(5):
        group = AgentGroup.objects.create(
            name=f"Group {index}", number_code=74990000000, callback_resource_id=1
        )
        Destination.objects.create(agent_group=group, number=f"7912000000{index}")
    with django_assert_max_num_queries(len(one_group.captured_queries)):
        page = client.get(call_back_url(contact))
    assert "Group 4" in page.content.decode()


def test_anonymous_is_sent_to_the_login_page(client, contact, agent_group, queued):
    response = client.post(call_back_url(contact), {"agent_group": agent_group.pk})
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    assert not CallbackRequest.objects.exists()


def test_a_support_manager_cannot_place_a_callback(client, manager, contact, agent_group, queued):
    client.force_login(manager)
    assert client.post(call_back_url(contact), {"agent_group": agent_group.pk}).status_code == 403
    assert not CallbackRequest.objects.exists()


@pytest.fixture
def placed_callback(contact, agent_group, staff_user, sandbox, queued):
    callback = create.create_callback(
        contact=contact, agent_group=agent_group, requested_by=staff_user
    )
    sending.send_callback(callback.pk)
    callback.refresh_from_db()
    return callback


@pytest.mark.parametrize("role", ["auditor", "staff_user", "manager"])
def test_every_role_reads_the_call_log(request, client, placed_callback, role):
    client.force_login(request.getfixturevalue(role))
    listing = client.get(reverse("admin:callbacks_callbackrequest_changelist"))
    assert listing.status_code == 200
    assert placed_callback.call_id in listing.content.decode()
    attempt = placed_callback.attempts.get()
    detail = client.get(reverse("admin:callbacks_callbackattempt_change", args=[attempt.pk]))
    assert detail.status_code == 200
    assert placed_callback.call_id in detail.content.decode()


@pytest.mark.parametrize("role", ["auditor", "superuser"])
def test_the_call_log_cannot_be_changed_or_deleted_even_by_a_superuser(
    request, client, make_user, placed_callback, role
):
    user = (
        make_user("root", superuser=True) if role == "superuser" else request.getfixturevalue(role)
    )
    client.force_login(user)
    change_url = reverse("admin:callbacks_callbackrequest_change", args=[placed_callback.pk])
    page = client.get(change_url).content.decode()
    assert 'name="_save"' not in page
    assert client.post(change_url, {"status": "failed"}).status_code == 403
    delete_url = reverse("admin:callbacks_callbackrequest_delete", args=[placed_callback.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    attempt = placed_callback.attempts.get()
    attempt_delete = reverse("admin:callbacks_callbackattempt_delete", args=[attempt.pk])
    assert client.post(attempt_delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:callbacks_callbackrequest_add")).status_code == 403
    placed_callback.refresh_from_db()
    assert placed_callback.status == CallbackStatus.PLACED
    assert CallbackAttempt.objects.count() == 1


@pytest.mark.parametrize(
    ("what", "editor"), [("contact", "staff_user"), ("agent_group", "manager")]
)
def test_the_auditor_cannot_change_contacts_or_configuration(
    request, client, auditor, what, editor
):
    """A full, valid edit as the page would post it (the inline rows included): refused to the
    auditor and nothing changes; the same post by the role that keeps it saves."""
    obj = request.getfixturevalue(what)
    name = obj.name
    client.force_login(request.getfixturevalue(editor))
    data = {**shown_change_form(client, obj), "name": "Changed"}
    inline_rows = [key for key in data if key.endswith("-0-number")]
    assert inline_rows, "the post carries the inline rows"
    client.force_login(auditor)
    assert client.post(change_url(obj), data).status_code == 403
    obj.refresh_from_db()
    assert obj.name == name
    client.force_login(request.getfixturevalue(editor))
    assert client.post(change_url(obj), data).status_code == 302  # the edit was valid
    obj.refresh_from_db()
    assert obj.name == "Changed"


def test_the_call_log_list_searches_by_call_id(client, auditor, placed_callback):
    client.force_login(auditor)
    response = client.get(
        reverse("admin:callbacks_callbackrequest_changelist"), {"q": placed_callback.call_id}
    )
    assert response.context["cl"].result_count == 1
