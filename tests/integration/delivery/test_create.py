"""A press of "Call back": the callback saved and queued once committed, the contract checked
first, one callback on its way per contact and group, and the time it is due."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from callbacks.delivery import (
    create,
    sending,
)
from callbacks.models import (
    CallbackRequest,
    CallbackStatus,
    ContactNumber,
    Holiday,
    Refusal,
    WorkingHours,
)
from tests.helpers import ask_for_callback

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def test_a_callback_is_saved_pending_and_queued_with_its_id_only(callback, queued):
    assert callback.status == CallbackStatus.PENDING
    assert queued == [((callback.pk,), None)]
    assert callback.request_description.startswith("callback-")
    assert callback.request_body["request_description"] == callback.request_description
    assert [d["number"] for d in callback.request_body["line_2"]["destinations"]] == [
        "79599999999",
        "79999999999",
    ]


def test_nothing_is_queued_before_commit(
    contact, agent_group, staff_user, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        create.create_callback(contact=contact, agent_group=agent_group, requested_by=staff_user)
        assert queued == []
    assert len(callbacks) == 1


def test_descriptions_are_unique(callback, contact, agent_group, staff_user, sandbox):
    sending.send_callback(callback.pk)
    second = create.create_callback(
        contact=contact, agent_group=agent_group, requested_by=staff_user
    )
    assert second.request_description != callback.request_description


def test_a_second_callback_while_one_is_on_its_way_is_refused(
    callback, contact, agent_group, staff_user, sandbox
):
    with pytest.raises(ValidationError) as error:
        create.create_callback(contact=contact, agent_group=agent_group, requested_by=staff_user)
    assert error.value.messages == [
        "A callback to Иван Петров (Ромашка) through “Sales” is already on its way."
    ]
    assert CallbackRequest.objects.count() == 1
    sending.send_callback(callback.pk)  # placed: the contact may be called back again
    create.create_callback(contact=contact, agent_group=agent_group, requested_by=staff_user)
    assert CallbackRequest.objects.count() == 2


def test_the_database_itself_allows_one_open_callback_per_contact_and_group(callback):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CallbackRequest.objects.create(
            contact=callback.contact,
            agent_group=callback.agent_group,
            requested_by=callback.requested_by,
            request_description="another",
            request_body={},
        )


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda group, contact: group.destinations.all().delete(), "has 0 destinations"),
        (lambda group, contact: contact.numbers.all().delete(), "has 0 phone numbers"),
        (lambda group, contact: setattr(group, "is_active", False), "is not active"),
        (
            lambda group, contact: [
                ContactNumber.objects.create(contact=contact, number=f"7912000000{i}")
                for i in range(9)
            ],
            "has 11 phone numbers",
        ),
    ],
)
def test_a_callback_that_breaks_the_contract_is_refused_and_not_recorded(
    breakage, message, contact, agent_group, staff_user, queued
):
    breakage(agent_group, contact)
    with pytest.raises(ValidationError) as error:
        create.create_callback(contact=contact, agent_group=agent_group, requested_by=staff_user)
    assert any(message in text for text in error.value.messages)
    assert not CallbackRequest.objects.exists()
    assert queued == []


def test_a_tts_text_made_too_long_behind_the_forms_is_sent_as_saved(
    contact, agent_group, staff_user, tts_preset, queued
):
    """Over our estimate is a warning when saved, not a refusal at every press."""
    type(tts_preset).objects.filter(pk=tts_preset.pk).update(text="слово " * 200)
    agent_group.refresh_from_db()
    callback = create.create_callback(
        contact=contact, agent_group=agent_group, requested_by=staff_user
    )
    assert callback.request_body["line_2"]["audio"]["tts"]["text"] == ("слово " * 200).strip()


def test_an_unknown_placeholder_put_behind_the_forms_is_refused(
    contact, agent_group, staff_user, tts_preset
):
    type(tts_preset).objects.filter(pk=tts_preset.pk).update(text="Здравствуйте, {phone}")
    agent_group.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        create.create_callback(contact=contact, agent_group=agent_group, requested_by=staff_user)
    (message,) = error.value.messages
    assert message.startswith("TTS preset “Website”, text: Unknown placeholder {phone}")
    assert not CallbackRequest.objects.exists()


def test_the_tts_text_names_the_contact_in_the_body(
    contact, agent_group, staff_user, tts_preset, queued
):
    tts_preset.text = "{name}, вам звонит {company}"
    tts_preset.save()
    agent_group.refresh_from_db()
    callback = create.create_callback(
        contact=contact, agent_group=agent_group, requested_by=staff_user
    )
    tts = callback.request_body["line_2"]["audio"]["tts"]
    assert tts["text"] == "Иван Петров, вам звонит Ромашка"


def test_a_name_that_takes_the_text_past_24_seconds_refuses_the_press(
    contact, agent_group, staff_user, tts_preset
):
    # 166 characters, about 12 seconds; with a 198-character name, 358: about 26.
    text = "Здравствуйте, {name}! " + "Вам перезванивает служба поддержки. " * 4
    tts_preset.text, tts_preset.speed = text, Decimal("1.0")
    tts_preset.save()
    contact.name = "Очень длинное имя " * 11  # within the field, not the time
    contact.save()
    agent_group.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        create.create_callback(contact=contact, agent_group=agent_group, requested_by=staff_user)
    (message,) = error.value.messages
    assert message.startswith("TTS preset “Website”, said to Очень длинное имя")
    assert "would take about 26 seconds to speak" in message
    assert "Exolve allows 24" in message
    assert not CallbackRequest.objects.exists()


def test_a_text_of_placeholders_the_contact_leaves_empty_refuses_the_press(
    contact, agent_group, staff_user, tts_preset
):
    tts_preset.text = "{company}"
    tts_preset.save()
    contact.company = ""
    contact.save()
    agent_group.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        create.create_callback(contact=contact, agent_group=agent_group, requested_by=staff_user)
    assert error.value.messages == [
        "TTS preset “Website” would say nothing to Иван Петров: it is empty."
    ]


# --- scheduled callbacks and working hours -----------------------------------------------------


def test_a_callback_outside_working_hours_waits_for_the_next_opening(
    contact, agent_group, staff_user, queued, django_capture_on_commit_callbacks, settings
):
    settings.CALLBACK_MAX_COUNTDOWN = 60
    agent_group.time_zone = "Europe/Berlin"
    agent_group.save()
    now = timezone.now().astimezone(BERLIN)
    tomorrow = (now + timedelta(days=1)).date()
    WorkingHours.objects.create(
        agent_group=agent_group, weekday=tomorrow.weekday(), opens=time(9), closes=time(18)
    )
    with django_capture_on_commit_callbacks(execute=True):
        callback = ask_for_callback(contact, agent_group, staff_user)
    assert callback.next_attempt_at == datetime.combine(tomorrow, time(9), BERLIN)
    assert callback.is_scheduled
    assert callback.queued_at is None
    assert queued == []  # too far for a countdown: the sweeper queues it near its time


def test_a_holiday_moves_the_opening_a_week(contact, agent_group, staff_user, queued):
    agent_group.time_zone = "Europe/Berlin"
    agent_group.save()
    tomorrow = (timezone.now().astimezone(BERLIN) + timedelta(days=1)).date()
    WorkingHours.objects.create(
        agent_group=agent_group, weekday=tomorrow.weekday(), opens=time(9), closes=time(18)
    )
    Holiday.objects.create(agent_group=agent_group, date=tomorrow)
    callback = ask_for_callback(contact, agent_group, staff_user)
    assert callback.next_attempt_at == datetime.combine(
        tomorrow + timedelta(days=7), time(9), BERLIN
    )


def test_call_back_at_a_given_time(
    contact, agent_group, staff_user, queued, django_capture_on_commit_callbacks
):
    at = timezone.now() + timedelta(seconds=30)
    with django_capture_on_commit_callbacks(execute=True):
        callback = ask_for_callback(contact, agent_group, staff_user, scheduled_for=at)
    assert (callback.scheduled_for, callback.next_attempt_at) == (at, at)
    ((ids, countdown),) = queued
    assert ids == (callback.pk,)
    assert 25 < countdown <= 30  # near enough for a countdown
    assert sending.send_callback(callback.pk) is None  # delivered early: waits again


def test_a_group_with_no_opening_ahead_refuses(contact, agent_group, staff_user, queued):
    WorkingHours.objects.create(agent_group=agent_group, weekday=0, opens=time(9), closes=time(18))
    today = timezone.localdate()
    Holiday.objects.bulk_create(
        Holiday(agent_group=agent_group, date=today + timedelta(days=d)) for d in range(-1, 402)
    )
    callback = ask_for_callback(contact, agent_group, staff_user)
    assert (callback.status, callback.refusal) == (CallbackStatus.REFUSED, Refusal.NO_OPENING)
