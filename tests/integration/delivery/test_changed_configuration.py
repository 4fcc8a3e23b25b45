"""Configuration that changed after the press: a deactivated group stops dialling, and placing a
callback once more (again, or anyway) checks what a new press would."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from callbacks.delivery import create, sending
from callbacks.models import AgentGroup, CallbackRequest, CallbackStatus, DoNotCallNumber, Refusal

pytestmark = pytest.mark.django_db


def action_url(callback, action):
    return reverse(f"admin:callbacks_callbackrequest_{action}", args=[callback.pk])


def deactivate(agent_group):
    AgentGroup.objects.filter(pk=agent_group.pk).update(is_active=False)


@pytest.mark.parametrize("due_in", [timedelta(0), timedelta(hours=3)])
def test_a_waiting_callback_of_a_deactivated_group_is_refused_and_never_sent(
    callback, agent_group, sandbox, due_in
):
    CallbackRequest.objects.filter(pk=callback.pk).update(next_attempt_at=timezone.now() + due_in)
    deactivate(agent_group)
    CallbackRequest.objects.filter(pk=callback.pk).update(next_attempt_at=timezone.now())  # due
    assert sending.send_callback(callback.pk) is None
    callback.refresh_from_db()
    assert (callback.status, callback.refusal) == (CallbackStatus.REFUSED, Refusal.GROUP_INACTIVE)
    assert callback.error == f"Agent group “{agent_group.name}” is not active. Nothing was sent."
    assert sandbox.received() == []


@pytest.fixture
def unknown(callback, sandbox):
    sandbox.script({"status": 500})
    sending.send_callback(callback.pk)
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.UNKNOWN
    return callback


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def place_again(client, callback):
    response = client.post(action_url(callback, "place_again"), follow=True)
    callback.refresh_from_db()
    return response.content.decode()


def test_placing_again_for_a_deactivated_group_is_refused_with_the_reason(
    staff_client, unknown, agent_group, queued
):
    deactivate(agent_group)
    page = place_again(staff_client, unknown)
    assert f"Agent group “{agent_group.name}” is not active." in page
    assert unknown.status == CallbackStatus.UNKNOWN


def test_placing_again_a_number_now_on_the_do_not_call_list_is_refused(
    staff_client, unknown, queued
):
    number = unknown.numbers.values_list("number", flat=True)[0]
    DoNotCallNumber.objects.create(number=number)
    page = place_again(staff_client, unknown)
    assert f"On the do-not-call list: {number}." in page
    assert unknown.status == CallbackStatus.UNKNOWN


def test_placing_again_counts_against_the_hourly_limit_of_whoever_places_it(
    staff_client, unknown, agent_group, staff_user, settings, queued
):
    settings.CALLBACK_USER_HOURLY_LIMIT = 1  # the unknown callback itself is not counted
    assert "The callback is queued again." in place_again(staff_client, unknown)
    assert unknown.status == CallbackStatus.PENDING


def test_placing_anyway_still_checks_the_hourly_limit_but_not_the_cooldown(
    manager, contact, agent_group, staff_user, settings, queued
):
    settings.CALLBACK_NUMBER_COOLDOWN_MINUTES = 10
    first = create.create_callback(contact=contact, agent_group=agent_group, requested_by=manager)
    CallbackRequest.objects.filter(pk=first.pk).update(
        status=CallbackStatus.PLACED, finished_at=timezone.now()
    )
    refused = create.create_callback(
        contact=contact, agent_group=agent_group, requested_by=staff_user
    )
    assert refused.refusal == Refusal.COOLDOWN
    client = Client()
    client.force_login(manager)
    settings.CALLBACK_USER_HOURLY_LIMIT = 1  # the manager's own press of `first`
    page = client.post(action_url(refused, "place_anyway"), follow=True).content.decode()
    assert "You have asked for 1 callbacks in the last hour" in page
    refused.refresh_from_db()
    assert refused.status == CallbackStatus.REFUSED
    settings.CALLBACK_USER_HOURLY_LIMIT = 2
    client.post(action_url(refused, "place_anyway"))
    refused.refresh_from_db()
    assert refused.status == CallbackStatus.PENDING  # the cooldown is what a manager overrides
