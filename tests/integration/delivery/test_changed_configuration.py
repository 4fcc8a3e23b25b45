"""Configuration that changed after the press: a deactivated group stops dialling, and placing a
callback once more (again, or anyway) checks what a new press would."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from callbacks.delivery import create, sending
from callbacks.delivery.replan import replan_waiting
from callbacks.models import (
    AgentGroup,
    CallbackRequest,
    CallbackStatus,
    DoNotCallNumber,
    Holiday,
    Refusal,
    WorkingHours,
)
from callbacks.numbers import readable_number
from tests.admin_pages import change_url, inline_data, shown_change_form
from tests.helpers import pending_callbacks, working_every_day

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
    assert f"On the do-not-call list: {readable_number(number)}." in page
    assert unknown.status == CallbackStatus.UNKNOWN


def test_placing_again_does_not_count_the_callback_itself_against_the_hourly_limit(
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
    assert "You have asked for 1 callback in the last hour" in page
    refused.refresh_from_db()
    assert refused.status == CallbackStatus.REFUSED
    settings.CALLBACK_USER_HOURLY_LIMIT = 2
    client.post(action_url(refused, "place_anyway"))
    refused.refresh_from_db()
    assert refused.status == CallbackStatus.PENDING  # the cooldown is what a manager overrides


def test_new_working_hours_re_plan_the_waiting_callbacks_and_the_trail_says_so(
    client, manager, auditor, callback, agent_group, queued
):
    zone = ZoneInfo(agent_group.time_zone)
    tomorrow = timezone.localtime(timezone=zone).date() + timedelta(days=1)
    client.force_login(manager)
    data = shown_change_form(client, agent_group)
    data.update(
        inline_data(
            "working_hours",
            [{"weekday": str(tomorrow.weekday()), "opens": "09:00", "closes": "18:00"}],
        )
    )
    page = client.post(change_url(agent_group), data, follow=True).content.decode()
    assert "Waiting callbacks re-planned for the new hours: 1." in page
    callback.refresh_from_db()
    assert callback.next_attempt_at == datetime.combine(tomorrow, time(9), tzinfo=zone)
    assert callback.status == CallbackStatus.PENDING
    client.force_login(auditor)
    trail = client.get(reverse("admin:callbacks_historicalagentgroup_changelist")).content.decode()
    assert "Waiting callbacks re-planned for the new hours: 1." in trail


def test_a_change_that_leaves_the_hours_alone_re_plans_nothing(
    client, manager, callback, agent_group, queued
):
    client.force_login(manager)
    data = shown_change_form(client, agent_group) | {"name": "Support, renamed"}
    page = client.post(change_url(agent_group), data, follow=True).content.decode()
    assert "re-planned" not in page
    before = callback.next_attempt_at
    callback.refresh_from_db()
    assert callback.next_attempt_at == before


def test_hours_that_never_open_again_refuse_the_waiting_callbacks(callback, agent_group, queued):
    today = timezone.localdate()
    WorkingHours.objects.create(
        agent_group=agent_group, weekday=today.weekday(), opens=time(0, 0), closes=time(0, 1)
    )
    for day in range(400):
        Holiday.objects.create(
            agent_group=agent_group, date=today + timedelta(days=day), name="Off"
        )
    assert replan_waiting(agent_group) == 1
    callback.refresh_from_db()
    assert (callback.status, callback.refusal) == (CallbackStatus.REFUSED, Refusal.NO_OPENING)


def test_a_retry_waiting_out_its_backoff_is_never_pulled_forward_by_new_hours(
    callback, agent_group, queued
):
    """Its wait honours Exolve's Retry-After: new hours may only move it later."""
    wait_until = timezone.now() + timedelta(seconds=300)
    CallbackRequest.objects.filter(pk=callback.pk).update(
        attempt_count=1, round_first_attempt=1, next_attempt_at=wait_until
    )
    Holiday.objects.create(
        agent_group=agent_group, date=timezone.localdate() + timedelta(days=30), name="Later"
    )
    assert replan_waiting(agent_group) == 0
    callback.refresh_from_db()
    assert callback.next_attempt_at == wait_until


def test_re_planning_reads_the_hours_once_whatever_the_number_of_callbacks(
    agent_group, staff_user, queued, django_assert_max_num_queries
):
    pending_callbacks(20, agent_group, staff_user)
    WorkingHours.objects.create(
        agent_group=agent_group,
        weekday=(timezone.localdate() + timedelta(days=1)).weekday(),
        opens=time(9),
        closes=time(18),
    )
    with django_assert_max_num_queries(10 + 20 * 2):  # a lock-and-update per callback at most
        assert replan_waiting(agent_group) == 20


def test_new_hours_never_bring_a_redial_forward_past_its_delay(callback, agent_group):
    due = timezone.now() + timedelta(minutes=15)
    CallbackRequest.objects.filter(pk=callback.pk).update(
        placement_count=1, attempt_count=1, round_first_attempt=2, next_attempt_at=due
    )
    working_every_day(agent_group, "Europe/Moscow", time(0), time(0))  # open all day
    replan_waiting(agent_group)
    callback.refresh_from_db()
    assert callback.next_attempt_at == due


def test_new_quiet_hours_move_a_waiting_callback_past_them(callback, agent_group, contact):
    zone = ZoneInfo("Asia/Vladivostok")
    contact.time_zone = zone.key
    contact.save()
    now = timezone.now()
    local = now.astimezone(zone)
    # Calls only from two hours from now, for one hour, in the contact's time.
    opens = (local + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    agent_group.contact_calls_from = opens.time()
    agent_group.contact_calls_until = (opens + timedelta(hours=1)).time()
    agent_group.save()
    CallbackRequest.objects.filter(pk=callback.pk).update(next_attempt_at=now)
    assert replan_waiting(agent_group) == 1
    callback.refresh_from_db()
    assert callback.next_attempt_at == opens
