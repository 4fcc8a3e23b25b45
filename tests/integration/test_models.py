"""The MakeCallback contract, enforced by the models (full_clean) and by the database (CHECKs)."""

from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Value

from callbacks.models import AgentGroup, Contact, Destination, Lang, TtsPreset
from callbacks.models.audio import (
    TTS_CHARACTERS_PER_SECOND,
    TTS_MAX_SECONDS,
    estimated_speech_seconds,
    max_tts_characters,
    spoken_text,
)

pytestmark = pytest.mark.django_db

# Each range said with its unit, both ways out of it (not Django's "Ensure this value is …").
DURATION = (
    "The maximum call length must be from 300 to 3600 seconds (5 to 60 minutes): "
    "Exolve takes no other."
)
TIMEOUT = "A ring timeout must be from 10 to 600 seconds: Exolve takes no other."
VOLUME = "The volume must be from -149 to 0 (0 is the loudest)."
SPEED = "The speed must be from 0.1 to 3.0, with at most two decimals (1.0 is the usual pace)."
NOT_BOTH = "Choose a media resource or a TTS preset for this side, not both."


def make_group(**fields):
    return AgentGroup(
        **{"name": "Support", "number_code": 74990000000, "callback_resource_id": 7, **fields}
    )


def make_preset(**fields):
    return TtsPreset(**{"name": "Hello", "text": "Здравствуйте", **fields})


@pytest.fixture
def group():
    """A saved agent group without destinations."""
    saved = make_group()
    saved.save()
    return saved


def errors_of(obj):
    with pytest.raises(ValidationError) as exc:
        obj.full_clean()
    return exc.value.message_dict


def assert_refused(obj, field, message):
    errors = errors_of(obj)
    assert errors.get(field) == [message], errors
    return errors


# --- AgentGroup -------------------------------------------------------------------------


def test_valid_group_passes_full_clean():
    make_group().full_clean()


@pytest.mark.parametrize(("duration", "message"), [(299, DURATION), (3601, DURATION)])
def test_group_duration_out_of_range(duration, message):
    assert_refused(make_group(duration=duration), "duration", message)


@pytest.mark.parametrize("duration", [300, 3600])
def test_group_duration_bounds_accepted(duration):
    make_group(duration=duration).full_clean()


@pytest.mark.parametrize("field", ["agent_ring_logic", "contact_ring_logic"])
def test_ring_logic_3_refused(field):
    assert_refused(make_group(**{field: 3}), field, "Value 3 is not a valid choice.")


@pytest.mark.parametrize(("timeout", "message"), [(9, TIMEOUT), (601, TIMEOUT)])
def test_contact_timeout_out_of_range(timeout, message):
    assert_refused(make_group(contact_timeout=timeout), "contact_timeout", message)


@pytest.mark.parametrize("leg", ["agent", "contact"])
def test_one_side_cannot_have_both_audios(leg, media_resource, tts_preset):
    group = make_group(**{f"{leg}_media_resource": media_resource, f"{leg}_tts_preset": tts_preset})
    errors = assert_refused(group, f"{leg}_tts_preset", NOT_BOTH)
    other = "contact" if leg == "agent" else "agent"
    assert f"{other}_tts_preset" not in errors


def test_each_side_may_have_its_own_audio(media_resource, tts_preset):
    make_group(agent_media_resource=media_resource, contact_tts_preset=tts_preset).full_clean()


def test_display_number_is_normalised():
    group = make_group(agent_display_number="8 (495) 999-99-99")
    group.full_clean()
    assert group.agent_display_number == "74959999999"


# --- Destination ------------------------------------------------------------------------


@pytest.mark.parametrize(("timeout", "message"), [(9, TIMEOUT), (601, TIMEOUT)])
def test_destination_timeout_out_of_range(group, timeout, message):
    assert_refused(
        Destination(agent_group=group, number="79123456789", timeout=timeout), "timeout", message
    )


@pytest.mark.parametrize("timeout", [10, 600])
def test_destination_timeout_bounds_accepted(group, timeout):
    Destination(agent_group=group, number="79123456789", timeout=timeout).full_clean()


def test_destination_number_is_stored_normalised(group):
    destination = Destination(agent_group=group, number="8 (812) 999-99-99")
    destination.full_clean()
    destination.save()
    assert Destination.objects.get(pk=destination.pk).number == "78129999999"


def test_destination_sip_uri_is_stored_as_typed(group):
    destination = Destination(agent_group=group, number="sip:100@pbx.example.com")
    destination.full_clean()
    destination.save()
    assert Destination.objects.get(pk=destination.pk).number == "sip:100@pbx.example.com"


def test_destination_bad_number_refused(group):
    assert_refused(
        Destination(agent_group=group, number="hello"),
        "number",
        "“hello” is not a valid phone number. Type it as +7 912 123-45-67 or 8 (912) 123-45-67.",
    )


def test_destination_duplicate_number_in_group_refused(agent_group):
    # The fixture's group already dials 78129999999; the same number typed differently is a
    # duplicate.
    errors = errors_of(Destination(agent_group=agent_group, number="8 (812) 999-99-99", position=5))
    assert errors == {NON_FIELD_ERRORS: ["This number is already in the group."]}


def test_same_number_in_another_group_is_fine(agent_group, group):
    Destination(agent_group=group, number="78129999999").full_clean()


# --- TtsPreset --------------------------------------------------------------------------


def test_valid_preset_passes_full_clean():
    make_preset(voice=5, lang=2, volume=0, speed=Decimal("3.0"), emotion=3).full_clean()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("voice", 6, "Value 6 is not a valid choice."),
        ("lang", 3, "Value 3 is not a valid choice."),
        ("volume", 1, VOLUME),
        ("volume", -150, VOLUME),
        ("speed", Decimal("0.05"), SPEED),
        ("speed", Decimal("3.1"), SPEED),
        ("emotion", 4, "Value 4 is not a valid choice."),
    ],
)
def test_preset_field_out_of_range(field, value, message):
    errors = assert_refused(make_preset(**{field: value}), field, message)
    assert list(errors) == [field]


def test_tts_limit_constants():
    assert (TTS_CHARACTERS_PER_SECOND, TTS_MAX_SECONDS) == ({1: 14, 2: 15}, 24)
    assert max_tts_characters(1.0, Lang.RUSSIAN) == 14 * TTS_MAX_SECONDS == 336
    assert max_tts_characters(1.0, Lang.ENGLISH) == 15 * TTS_MAX_SECONDS == 360


def test_the_estimate_reads_the_text_language_and_speed():
    assert estimated_speech_seconds("а" * 336, Decimal("1.0"), Lang.RUSSIAN) == 24
    assert estimated_speech_seconds("a" * 336, Decimal("1.0"), Lang.ENGLISH) == 22.4
    assert estimated_speech_seconds("а" * 336, Decimal("2.0"), Lang.RUSSIAN) == 12
    assert estimated_speech_seconds("  а  ", Decimal("1.0"), Lang.RUSSIAN) == 1 / 14


def test_a_tts_text_over_the_estimated_limit_is_saved_the_admin_warns():
    """The contract limits the speech to 24 seconds, not the text to a number of characters: our
    estimate is a warning after saving (tests/integration/test_tts_presets.py), not an error."""
    make_preset(text="а" * (max_tts_characters(1.0, Lang.RUSSIAN) + 1)).full_clean()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Здравствуйте, {phone}!", "Unknown placeholder {phone}: the text may use {name} and"),
        ("Здравствуйте, {Name}", "Unknown placeholder {Name}"),
        ("Здравствуйте, {}", "Unknown placeholder {}"),
        ("Здравствуйте, {name.upper}", "Unknown placeholder {name.upper}"),
        ("Здравствуйте, {name!r}", "Unknown placeholder {name!r}"),
        ("Здравствуйте, {name:>30}", "Unknown placeholder {name:>30}"),
        ("Здравствуйте, {name", "A brace has no pair"),
        ("Здравствуйте, name}", "A brace has no pair"),
    ],
)
def test_an_unknown_placeholder_or_a_lone_brace_is_an_error_on_the_text(text, message):
    errors = errors_of(make_preset(text=text))
    assert list(errors) == ["text"]
    assert any(message in error for error in errors["text"]), errors


def test_known_placeholders_and_doubled_braces_are_accepted_and_said():
    preset = make_preset(text="{name} из «{company}» {{код}}")
    preset.full_clean()
    contact = Contact(name="Иван Петров", company="Ромашка")
    assert spoken_text(preset.text, contact) == "Иван Петров из «Ромашка» {код}"


def test_tts_whitespace_only_text_refused():
    assert_refused(make_preset(text="   \n\t "), "text", "Enter a text to be read aloud.")


def test_tts_text_is_stripped():
    preset = make_preset(text="  Привет  ")
    preset.full_clean()
    assert preset.text == "Привет"


# --- database constraints, forms bypassed -----------------------------------------------


def assert_db_refuses(action):
    with pytest.raises(IntegrityError), transaction.atomic():
        action()


def test_db_refuses_duration_out_of_range(group):
    assert_db_refuses(
        lambda: AgentGroup.objects.create(
            name="Short", number_code=1, callback_resource_id=1, duration=100
        )
    )
    assert_db_refuses(lambda: AgentGroup.objects.filter(pk=group.pk).update(duration=100))
    group.refresh_from_db()
    assert group.duration == 1800


def test_db_refuses_both_audios_on_one_side(group, media_resource, tts_preset):
    assert_db_refuses(
        lambda: AgentGroup.objects.create(
            name="Both",
            number_code=1,
            callback_resource_id=1,
            agent_media_resource=media_resource,
            agent_tts_preset=tts_preset,
        )
    )
    assert_db_refuses(
        lambda: AgentGroup.objects.filter(pk=group.pk).update(
            contact_media_resource=media_resource, contact_tts_preset=tts_preset
        )
    )


def test_db_refuses_destination_timeout(group):
    assert_db_refuses(
        lambda: Destination.objects.create(agent_group=group, number="79123456789", timeout=5)
    )
    destination = Destination.objects.create(agent_group=group, number="79123456789")
    assert_db_refuses(lambda: Destination.objects.filter(pk=destination.pk).update(timeout=5))


def test_db_refuses_voice_9(tts_preset):
    assert_db_refuses(lambda: TtsPreset.objects.create(name="Nine", text="Привет", voice=9))
    assert_db_refuses(lambda: TtsPreset.objects.filter(pk=tts_preset.pk).update(voice=9))


def test_db_refuses_bad_destination_number(group):
    destination = Destination.objects.create(agent_group=group, number="79123456789")
    # Value() and raw SQL go around Django entirely: the CHECK alone refuses "hello".
    assert_db_refuses(
        lambda: Destination.objects.filter(pk=destination.pk).update(number=Value("hello"))
    )
    assert_db_refuses(lambda: Destination.objects.create(agent_group=group, number=""))
    with connection.cursor() as cursor:
        table = Destination._meta.db_table
        sql = (
            f"INSERT INTO {table} (agent_group_id, position, number, timeout) VALUES (%s, 0, "
            f"%s, 30)"
        )
        assert_db_refuses(lambda: cursor.execute(sql, [group.pk, "hello"]))
    assert list(group.destinations.values_list("number", flat=True)) == ["79123456789"]


def test_orm_create_with_bad_number_is_refused_by_the_db(group):
    # Normalising happens when the row is cleaned, not in queries: behind the forms, the CHECK
    # holds.
    assert_db_refuses(lambda: Destination.objects.create(agent_group=group, number="hello"))
    assert not group.destinations.exists()


def test_a_lookup_with_a_malformed_number_finds_nothing(group):
    assert not Destination.objects.filter(number="hello").exists()


def test_db_stays_usable_after_refusals(group):
    assert_db_refuses(lambda: Destination.objects.create(agent_group=group, number=""))
    Destination.objects.create(agent_group=group, number="sip:100@pbx.example.com")
    assert list(group.destinations.values_list("number", flat=True)) == ["sip:100@pbx.example.com"]
