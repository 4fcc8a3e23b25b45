"""callbacks.numbers: what people type becomes what Exolve dials, or a clear refusal."""

import re

import pytest
from django.core.exceptions import ValidationError

from callbacks.models import Destination
from callbacks.numbers import (
    DIAL_NUMBER_REGEX,
    as_stored_number,
    is_sip_uri,
    normalize_dial_number,
    normalize_phone_number,
    readable_number,
)

MOBILE_SPELLINGS = [
    "8 (912) 345-67-89",
    "+7 912 345-67-89",
    "89123456789",
    "+79123456789",
    " 8-912-345-67-89 ",
]
SIP_URIS = ["sip:100@pbx.example.com", "sips:agent@10.0.0.5:5061"]

PHONE_HINT = "Type it as +7 912 123-45-67 or 8 (912) 123-45-67."
SIP_HINT = "Use the form sip:user@host."
GARBAGE = [
    ("hello", "invalid_phone_number", PHONE_HINT),
    ("123", "invalid_phone_number", PHONE_HINT),
    ("", "invalid_phone_number", PHONE_HINT),
    ("+7 000", "invalid_phone_number", PHONE_HINT),
    ("sip:nohost", "invalid_sip_uri", SIP_HINT),
    ("sip:@host", "invalid_sip_uri", SIP_HINT),
]


def assert_dialable(value):
    assert re.fullmatch(DIAL_NUMBER_REGEX, value), f"{value!r} does not match DIAL_NUMBER_REGEX"


@pytest.mark.parametrize("typed", MOBILE_SPELLINGS)
def test_mobile_spellings_become_international_digits(typed):
    assert normalize_dial_number(typed) == "79123456789"
    assert normalize_phone_number(typed) == "79123456789"
    assert_dialable(normalize_dial_number(typed))


def test_moscow_landline():
    assert normalize_dial_number("+7 495 999-99-99") == "74959999999"
    assert_dialable("74959999999")


@pytest.mark.parametrize("uri", SIP_URIS)
def test_sip_uris_are_kept_as_typed(uri):
    assert is_sip_uri(uri)
    assert normalize_dial_number(uri) == uri
    assert_dialable(normalize_dial_number(uri))


@pytest.mark.parametrize("uri", SIP_URIS)
def test_sip_uri_is_not_a_phone_number(uri):
    with pytest.raises(ValidationError) as exc:
        normalize_phone_number(uri)
    assert exc.value.code == "invalid_phone_number"


@pytest.mark.parametrize(("typed", "code", "hint"), GARBAGE)
def test_garbage_is_refused_with_a_clear_message(typed, code, hint):
    with pytest.raises(ValidationError) as exc:
        normalize_dial_number(typed)
    assert exc.value.code == code
    [message] = exc.value.messages
    assert f"“{typed.strip()}”" in message
    assert hint in message


def test_garbage_message_in_full():
    with pytest.raises(ValidationError) as exc:
        normalize_dial_number("hello")
    assert exc.value.messages == [
        "“hello” is not a valid phone number. Type it as +7 912 123-45-67 or 8 (912) 123-45-67."
    ]


def test_none_is_refused():
    with pytest.raises(ValidationError) as exc:
        normalize_dial_number(None)
    assert exc.value.code == "invalid_phone_number"


def test_a_valid_number_shorter_than_we_store_is_refused():
    """+690 7290 (a Tokelau mobile) is valid but 7 digits: the database and Exolve take 8 to 15."""
    with pytest.raises(ValidationError) as exc:
        normalize_phone_number("+690 7290")
    assert exc.value.code == "invalid_phone_number"


@pytest.mark.parametrize(
    ("stored", "typed"), [("4930123456", "+49 30 123456"), ("4915123456789", "+49 1512 3456789")]
)
def test_the_stored_form_is_read_as_international(stored, typed):
    """Read the Russian way, 4930123456 would be +7 493 012-34-56 and 4915123456789 no number at
    all."""
    assert normalize_phone_number(typed) == stored
    assert as_stored_number(stored) == f"+{stored}"
    assert normalize_dial_number(as_stored_number(stored)) == stored


@pytest.mark.parametrize(
    "typed", ["89123456789", "9123456789", "8 (912) 345-67-89", "sip:100@pbx.example.com", ""]
)
def test_what_is_not_the_stored_form_is_left_as_typed(typed):
    assert as_stored_number(typed) == typed


@pytest.mark.django_db
def test_a_foreign_destination_keeps_its_number_when_cleaned_again(agent_group):
    destination = Destination(agent_group=agent_group, number="4930123456", position=5)
    destination.full_clean(validate_constraints=False)
    assert destination.number == "4930123456"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("79123456789", "+7 912 345-67-89"),
        ("74951234567", "+7 495 123-45-67"),
        ("4930123456", "+49 30 123456"),
        ("sip:100@pbx.example.com", "sip:100@pbx.example.com"),
        ("89123456789", "89123456789"),  # not a stored number: shown as it is
        ("", ""),
    ],
)
def test_a_stored_number_is_shown_as_people_read_it(stored, shown):
    assert readable_number(stored) == shown


def test_a_number_field_shows_the_stored_number_readably_and_what_was_typed_as_typed():
    from django.forms import modelform_factory
    from django.template import Context, Template

    Form = modelform_factory(Destination, fields=["number"])
    stored = Form(instance=Destination(number="79123456789"))
    assert 'value="+7 912 345-67-89"' in str(stored["number"])
    typed = Form(data={"number": "8 912 345"})
    assert 'value="8 912 345"' in str(typed["number"])
    shown = Template("{% load phone_numbers %}{{ n|readable_number }}").render(
        Context({"n": "79123456789"})
    )
    assert shown == "+7 912 345-67-89"
