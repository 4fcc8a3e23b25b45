"""The contact's page: "Call back" as its primary button, and its callbacks block, which keeps
itself current (data-live) and says when a waiting callback will be placed in its group's zone."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from callbacks.dates import shown_datetime
from callbacks.delivery import sending
from callbacks.models import DoNotCallNumber
from tests.admin_pages import contact_url
from tests.helpers import ask_for_callback

pytestmark = pytest.mark.django_db


def callbacks_block(client, contact):
    page = client.get(contact_url(contact)).content.decode()
    match = re.search(r'<div class="module" id="contact-callbacks".*?</table>', page, re.S)
    assert match, "the contact's page lists its callbacks"
    return page, match.group(0)


def test_the_block_keeps_itself_current_and_call_back_is_the_primary_button(
    client, staff_user, contact, callback
):
    client.force_login(staff_user)
    page, block = callbacks_block(client, contact)
    assert 'data-live="contact-callbacks"' in block
    assert "callbacks/live.js" in page
    assert "callbacks/call_back.css" in page  # styles a.callback-link as the default button
    assert 'class="callback-link"' in page


def test_a_waiting_callback_says_when_in_its_groups_zone(
    client, staff_user, contact, agent_group, queued
):
    agent_group.time_zone = "Asia/Yekaterinburg"
    agent_group.save()
    at = timezone.now() + timedelta(days=1)
    callback = ask_for_callback(contact, agent_group, staff_user, scheduled_for=at)
    client.force_login(staff_user)
    _, block = callbacks_block(client, contact)
    there = shown_datetime(callback.next_attempt_at, ZoneInfo("Asia/Yekaterinburg"))
    assert f"will be placed at {there} (group time, Asia/Yekaterinburg)" in block


def test_a_placed_callback_shows_its_call_id_and_no_wait_nor_error(
    client, staff_user, contact, callback, sandbox
):
    sending.send_callback(callback.pk)
    callback.refresh_from_db()
    client.force_login(staff_user)
    _, block = callbacks_block(client, contact)
    assert callback.call_id in block
    assert "will be placed at" not in block
    assert "next attempt at" not in block
    assert "callback-error" not in block
    assert "<th>Error</th>" not in block


def test_an_error_is_shown_in_the_status_cell(client, staff_user, contact, agent_group, queued):
    DoNotCallNumber.objects.create(number="79999999999")
    ask_for_callback(contact, agent_group, staff_user)
    client.force_login(staff_user)
    _, block = callbacks_block(client, contact)
    status = re.search(r'<td class="callback-status">.*?</td>', block, re.S)
    assert status
    assert "Refused" in status.group(0)
    assert "On the do-not-call list: +7 999 999-99-99" in status.group(0)
