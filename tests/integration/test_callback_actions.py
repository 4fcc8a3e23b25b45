"""What staff, managers and auditors do with callbacks beyond the first press, through the admin
pages: schedule, see refusals, cancel, place again, place despite the cooldown, the do-not-call
list and working hours."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from callbacks.delivery import create, sending, staff_actions
from callbacks.models import CallbackRequest, CallbackStatus, DoNotCallNumber, Refusal, WorkingHours
from tests.admin_pages import GROUP_ADD, call_back_url, contact_url, group_data, inline_data
from tests.callback_stories import receive_call_events

pytestmark = pytest.mark.django_db


def action_url(callback, action):
    return reverse(f"admin:callbacks_callbackrequest_{action}", args=[callback.pk])


def press(client, contact, agent_group, **fields):
    return client.post(
        call_back_url(contact), {"agent_group": agent_group.pk, **fields}, follow=True
    )


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_staff_schedule_a_callback_and_the_contact_page_says_when(
    staff_client, contact, agent_group, queued, django_capture_on_commit_callbacks
):
    at = timezone.localtime() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = press(
            staff_client, contact, agent_group, scheduled_for=at.strftime("%Y-%m-%dT%H:%M")
        )
    callback = CallbackRequest.objects.get()
    page = response.content.decode()
    assert callback.next_attempt_at == at.replace(second=0, microsecond=0)
    assert "Callback scheduled" in page
    assert at.strftime("%H:%M") in page
    assert "will be placed at" in page
    assert queued == []  # two hours is for the sweeper, not for a countdown


def test_a_time_in_the_past_is_refused_on_the_field(staff_client, contact, agent_group, queued):
    past = timezone.localtime() - timedelta(hours=1)
    response = press(
        staff_client, contact, agent_group, scheduled_for=past.strftime("%Y-%m-%dT%H:%M")
    )
    [error] = response.context["form"].errors["scheduled_for"]
    assert error.startswith("This time has passed.")
    assert not CallbackRequest.objects.exists()


def test_a_refusal_is_shown_and_kept_for_the_auditor(
    staff_client, auditor, contact, agent_group, queued
):
    DoNotCallNumber.objects.create(number="79999999999")
    response = press(staff_client, contact, agent_group)
    assert response.status_code == 200
    assert (
        "Refused: on the do-not-call list: +7 999 999-99-99. Nothing was sent."
        in response.content.decode()
    )
    client = Client()
    client.force_login(auditor)
    page = client.get(
        reverse("admin:callbacks_callbackrequest_changelist") + "?refusal__exact=do_not_call"
    )
    assert "On the do-not-call list: +7 999 999-99-99" in page.content.decode()
    assert queued == []


@pytest.mark.django_db(
    transaction=True, serialized_rollback=True
)  # real commits: queueing in the request
def test_a_press_while_the_queue_is_down_says_it_will_go_out_later(
    staff_client, contact, agent_group, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise OSError("Connection refused")

    monkeypatch.setattr("callbacks.delivery.queue.hand_to_broker", broker_down)
    response = press(staff_client, contact, agent_group)
    assert "it will be placed as soon as the queue is back" in response.content.decode()
    assert CallbackRequest.objects.get().status == CallbackStatus.PENDING


def test_staff_cancel_a_pending_callback(staff_client, contact, agent_group, staff_user, queued):
    callback = create.create_callback(
        contact=contact, agent_group=agent_group, requested_by=staff_user
    )
    page = staff_client.get(contact_url(contact)).content.decode()
    assert action_url(callback, "cancel") in page
    assert (
        "The callback will not be placed"
        in staff_client.get(action_url(callback, "cancel")).content.decode()
    )
    response = staff_client.post(action_url(callback, "cancel"), follow=True)
    assert "The callback is cancelled" in response.content.decode()
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.CANCELLED
    again = staff_client.post(action_url(callback, "cancel"))
    assert "no longer waiting" in again.content.decode()


def test_auditors_can_neither_cancel_nor_place_again(
    client, auditor, contact, agent_group, staff_user, queued
):
    callback = create.create_callback(
        contact=contact, agent_group=agent_group, requested_by=staff_user
    )
    client.force_login(auditor)
    assert action_url(callback, "cancel") not in client.get(contact_url(contact)).content.decode()
    for action in ["cancel", "place_again", "place_anyway"]:
        assert client.post(action_url(callback, action)).status_code == 403
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.PENDING


def test_an_unknown_outcome_is_shown_and_placed_again_only_after_confirmation(
    staff_client, auditor, contact, agent_group, staff_user, sandbox, queued
):
    callback = create.create_callback(
        contact=contact, agent_group=agent_group, requested_by=staff_user
    )
    sandbox.script({"status": 500, "body": {"message": "internal"}})
    sending.send_callback(callback.pk)
    auditor_client = Client()
    auditor_client.force_login(auditor)
    assert "Result unknown" in auditor_client.get(contact_url(contact)).content.decode()

    page = staff_client.get(contact_url(contact)).content.decode()
    assert action_url(callback, "place_again") in page
    confirm = staff_client.get(action_url(callback, "place_again")).content.decode()
    assert "may have rung the customer already" in confirm
    assert f"{callback.request_description}-1" in confirm  # the id to look for in Exolve's records
    assert (
        CallbackRequest.objects.get(pk=callback.pk).status == CallbackStatus.UNKNOWN
    )  # a GET changes nothing
    staff_client.post(action_url(callback, "place_again"))
    assert CallbackRequest.objects.get(pk=callback.pk).status == CallbackStatus.PENDING


def test_a_callback_not_reached_is_offered_place_again_and_placed_again_after_confirmation(
    staff_client, contact, agent_group, staff_user, sandbox, queued
):
    callback = create.create_callback(
        contact=contact, agent_group=agent_group, requested_by=staff_user
    )
    sending.send_callback(callback.pk)
    callback.refresh_from_db()
    receive_call_events(callback)  # the contact does not answer; the group does not redial
    callback.refresh_from_db()
    assert callback.final_state == "not_reached"
    page = staff_client.get(
        reverse("admin:callbacks_callbackrequest_change", args=[callback.pk])
    ).content.decode()
    assert "Placed · contact did not answer · not reached after 1 connection attempt" in page
    assert "Not placed again: the group does not redial after this outcome." in page
    url = action_url(callback, "place_again_not_reached")
    assert url in page
    assert "The customer was not reached." in staff_client.get(url).content.decode()
    staff_client.post(url)
    callback.refresh_from_db()
    assert (callback.status, callback.final_state, callback.placement_count) == (
        CallbackStatus.PENDING,
        "",
        0,
    )


def test_a_manager_places_a_cooldown_refusal_anyway(
    staff_client, manager, contact, agent_group, staff_user, settings, queued
):
    settings.CALLBACK_NUMBER_COOLDOWN_MINUTES = 10
    first = create.create_callback(
        contact=contact, agent_group=agent_group, requested_by=staff_user
    )
    staff_actions.cancel_callback(first, staff_user)
    CallbackRequest.objects.filter(pk=first.pk).update(status=CallbackStatus.PLACED)
    refused = create.create_callback(
        contact=contact, agent_group=agent_group, requested_by=staff_user
    )
    assert refused.refusal == Refusal.COOLDOWN
    assert staff_client.post(action_url(refused, "place_anyway")).status_code == 403

    client = Client()
    client.force_login(manager)
    assert action_url(refused, "place_anyway") in client.get(contact_url(contact)).content.decode()
    response = client.post(action_url(refused, "place_anyway"), follow=True)
    assert "queued despite the cooldown" in response.content.decode()
    refused.refresh_from_db()
    assert (refused.status, refused.limits_overridden) == (CallbackStatus.PENDING, True)


def test_staff_add_a_number_to_the_do_not_call_list_as_typed(staff_client, staff_user):
    response = staff_client.post(
        reverse("admin:callbacks_donotcallnumber_add"),
        {"number": "8 (912) 345-67-89", "reason": "asked"},
    )
    assert response.status_code == 302
    entry = DoNotCallNumber.objects.get()
    assert (entry.number, entry.added_by) == ("79123456789", staff_user)
    found = staff_client.get(
        reverse("admin:callbacks_donotcallnumber_changelist") + "?q=+7 912 345 67 89"
    )
    assert "+7 912 345-67-89" in found.content.decode()  # found as typed, shown as read
    bad = staff_client.post(
        reverse("admin:callbacks_donotcallnumber_add"), {"number": "12", "reason": ""}
    )
    assert "is not a valid phone number" in bad.content.decode()


def test_a_manager_sets_working_hours_and_a_holiday(client, manager):
    client.force_login(manager)
    data = group_data(time_zone="Asia/Yekaterinburg")
    data.update(
        inline_data("working_hours", [{"weekday": "0", "opens": "09:00", "closes": "18:00"}])
    )
    data.update(inline_data("holidays", [{"date": "2027-01-01", "name": "New Year"}]))
    response = client.post(GROUP_ADD, data)
    assert response.status_code == 302
    (hours,) = WorkingHours.objects.all()
    assert (hours.agent_group.time_zone, str(hours)) == ("Asia/Yekaterinburg", "Monday 09:00–18:00")
    assert hours.agent_group.holidays.get().name == "New Year"


def test_an_unknown_time_zone_is_refused_on_the_field(client, manager):
    client.force_login(manager)
    response = client.post(GROUP_ADD, group_data(time_zone="Mars/Olympus"))
    assert response.context["adminform"].form.errors["time_zone"] == [
        "“Mars/Olympus” is not a known time zone."
    ]


def cooldown_refusal(staff_client, contact, agent_group, staff_user, settings):
    """A press refused for the cooldown, through the Call back page: the page's answer."""
    settings.CALLBACK_NUMBER_COOLDOWN_MINUTES = 10
    first = create.create_callback(
        contact=contact, agent_group=agent_group, requested_by=staff_user
    )
    CallbackRequest.objects.filter(pk=first.pk).update(
        status=CallbackStatus.PLACED, finished_at=timezone.now()
    )
    return press(staff_client, contact, agent_group).content.decode()


NEEDS_MANAGER = reverse("admin:callbacks_callbackrequest_changelist") + "?needs_manager=1"


def test_a_refused_press_names_the_managers_and_hands_it_over(
    staff_client, manager, contact, agent_group, staff_user, settings, queued
):
    manager.first_name, manager.last_name = "Ольга", "Иванова"
    manager.save()
    page = cooldown_refusal(staff_client, contact, agent_group, staff_user, settings)
    refused = CallbackRequest.objects.get(status=CallbackStatus.REFUSED)
    assert "Support managers with that right: Ольга Иванова." in page
    assert f'id="ask-manager" href="{action_url(refused, "ask_manager")}"' in page
    row = staff_client.get(contact_url(contact)).content.decode()
    assert action_url(refused, "ask_manager") in row

    response = staff_client.post(action_url(refused, "ask_manager"), follow=True)
    assert "the callback waits in the “Needs a manager” list" in response.content.decode()
    assert action_url(refused, "ask_manager") not in response.content.decode()  # asked once

    client = Client()
    client.force_login(manager)
    waiting = client.get(NEEDS_MANAGER).content.decode()
    assert reverse("admin:callbacks_callbackrequest_change", args=[refused.pk]) in waiting
    confirm = client.get(action_url(refused, "decline")).content.decode()
    assert "A support manager was asked at" in confirm
    assert action_url(refused, "place_anyway") in confirm  # the other answer, one click away
    client.post(action_url(refused, "decline"))
    refused.refresh_from_db()
    assert (refused.status, refused.reviewed_by) == (CallbackStatus.REFUSED, manager)
    gone = client.get(NEEDS_MANAGER).content.decode()
    assert reverse("admin:callbacks_callbackrequest_change", args=[refused.pk]) not in gone


def test_staff_may_not_decline_and_a_refusal_for_another_reason_has_no_button(
    staff_client, contact, agent_group, staff_user, queued
):
    DoNotCallNumber.objects.create(number="79999999999")
    page = press(staff_client, contact, agent_group).content.decode()
    refused = CallbackRequest.objects.get()
    assert "ask-manager" not in page
    refused_again = staff_client.post(action_url(refused, "ask_manager")).content.decode()
    assert "Only a callback refused for the cooldown" in refused_again
    assert CallbackRequest.objects.get().manager_review == ""
    assert staff_client.post(action_url(refused, "decline")).status_code == 403


def test_a_refused_press_says_so_when_nobody_may_place_it_anyway(
    staff_client, contact, agent_group, staff_user, settings, queued
):
    page = cooldown_refusal(staff_client, contact, agent_group, staff_user, settings)
    assert "Nobody has the right to place it anyway yet" in page
    assert 'id="ask-manager"' in page  # handed over, it waits until someone is given the right
