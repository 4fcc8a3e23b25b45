"""Customer numbers we must not call are refused, with a clear message: check_customer_number,
the model field's full_clean, and normalize_customer_number on anything typed (Hypothesis).

A callback rings the customer, so a contact's number must be one a person answers at an
ordinary price (mobile, landline, VoIP) in a country we call (settings.CALLBACK_ALLOWED_COUNTRIES).
The sample numbers come from phonenumbers' own examples, checked here to be of the type they stand
for.
"""

import re

import phonenumbers
import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberType

from callbacks.models import Contact, ContactNumber
from callbacks.numbers import PHONE_DIGITS_REGEX, check_customer_number, normalize_customer_number
from tests.integration.number_samples import (
    PERSON_TYPES,
    PROPERTY_SETTINGS,
    REFUSAL_CODES,
    digits,
    typed_numbers,
)


def example(region, number_type):
    """phonenumbers' example number of that type, checked to really be of that type and region."""
    number = phonenumbers.example_number_for_type(region, number_type)
    assert number is not None, f"phonenumbers has no {region} example of type {number_type}"
    assert phonenumbers.number_type(number) == number_type
    assert phonenumbers.region_code_for_number(number) == region
    return digits(number)


def refusal(value, check=check_customer_number):
    with pytest.raises(ValidationError) as exc:
        check(value)
    [message] = exc.value.messages
    return exc.value.code, message


# --- check_customer_number --------------------------------------------------------------

RU_MOBILE = example("RU", PhoneNumberType.MOBILE)  # 79123456789
RU_FIXED_LINE = example("RU", PhoneNumberType.FIXED_LINE)  # 73011234567
RU_PREMIUM = example("RU", PhoneNumberType.PREMIUM_RATE)  # 78091234567: 8-809 is premium in Russia
RU_TOLL_FREE = example("RU", PhoneNumberType.TOLL_FREE)  # 78001234567
RU_PERSONAL = example("RU", PhoneNumberType.PERSONAL_NUMBER)  # 78081234567
KZ_MOBILE = example("KZ", PhoneNumberType.MOBILE)  # 77710009998: +7 too, but Kazakhstan
KZ_FIXED_LINE = example("KZ", PhoneNumberType.FIXED_LINE)  # 77123456789
KZ_VOIP = example("KZ", PhoneNumberType.VOIP)  # 77511234567
DE_MOBILE = example("DE", PhoneNumberType.MOBILE)  # 4915123456789
DE_SHARED_COST = example(
    "DE", PhoneNumberType.SHARED_COST
)  # 4918012345 (Russia has no shared-cost range)
US_NUMBER = example("US", PhoneNumberType.FIXED_LINE_OR_MOBILE)  # 12015550123


@pytest.mark.parametrize(
    "number", [RU_MOBILE, RU_FIXED_LINE, "79121234567", "74959999999", "78129999999"]
)
def test_russian_mobile_and_landline_numbers_are_allowed(number):
    assert check_customer_number(number) is None


@pytest.mark.parametrize("number", ["79599999999", "79999999999"])
def test_the_fixture_contact_numbers_are_russian_mobiles(number):
    parsed = phonenumbers.parse(f"+{number}")
    assert phonenumbers.number_type(parsed) == PhoneNumberType.MOBILE
    assert phonenumbers.region_code_for_number(parsed) == "RU"
    check_customer_number(number)


def test_a_russian_premium_rate_number_is_refused():
    assert RU_PREMIUM == "78091234567"
    assert refusal(RU_PREMIUM) == (
        "premium_rate",
        "+7 809 123-45-67 is a premium-rate number: we do not call such numbers back. "
        "Ask for a mobile or landline number.",
    )


def test_a_premium_rate_number_is_refused_however_it_is_typed():
    for typed in ["8 (809) 123-45-67", "+7 809 123 45 67", "88091234567"]:
        assert refusal(typed, normalize_customer_number)[0] == "premium_rate"


def test_russia_has_no_shared_cost_numbers_so_a_german_one_stands_in(settings):
    assert phonenumbers.example_number_for_type("RU", PhoneNumberType.SHARED_COST) is None
    code, message = refusal(DE_SHARED_COST)
    assert code == "shared_cost"
    assert message.startswith("+49 180 1 2345 is a shared-cost number")
    settings.CALLBACK_ALLOWED_COUNTRIES = ["RU", "DE"]
    assert (
        refusal(DE_SHARED_COST)[0] == "shared_cost"
    )  # allowing the country does not allow the type


@pytest.mark.parametrize(
    ("number", "code"),
    [
        (RU_TOLL_FREE, "toll_free"),
        (RU_PERSONAL, "personal_number"),
        (example("DE", PhoneNumberType.UAN), "uan"),
        (example("DE", PhoneNumberType.PAGER), "pager"),
        (example("DE", PhoneNumberType.VOICEMAIL), "voicemail"),
        (example("DE", PhoneNumberType.PREMIUM_RATE), "premium_rate"),
        ("80012345678", "toll_free"),  # +800, the international freephone: of no country
    ],
)
def test_numbers_nobody_answers_in_person_are_refused_whatever_the_country(settings, number, code):
    settings.CALLBACK_ALLOWED_COUNTRIES = ["RU", "KZ", "DE"]
    assert refusal(number)[0] == code


def test_a_kazakh_number_is_refused_by_default():
    assert refusal(KZ_MOBILE) == (
        "country_not_allowed",
        "+7 771 000 9998 is a number in KZ. Callbacks go only to numbers in RU.",
    )
    assert refusal("8 (771) 000-99-98", normalize_customer_number)[0] == "country_not_allowed"


def test_a_kazakh_number_is_allowed_when_kazakhstan_is(settings):
    settings.CALLBACK_ALLOWED_COUNTRIES = ["RU", "KZ"]
    for number in [KZ_MOBILE, KZ_FIXED_LINE, KZ_VOIP]:
        check_customer_number(number)
    assert normalize_customer_number("8 (771) 000-99-98") == KZ_MOBILE
    assert refusal(RU_PREMIUM)[0] == "premium_rate"


def test_the_allowed_countries_are_named_in_the_message(settings):
    settings.CALLBACK_ALLOWED_COUNTRIES = ["RU", "KZ"]
    assert refusal(DE_MOBILE) == (
        "country_not_allowed",
        "+49 1512 3456789 is a number in DE. Callbacks go only to numbers in RU, KZ.",
    )


def test_a_german_number_is_refused():
    assert refusal(DE_MOBILE)[0] == "country_not_allowed"
    assert refusal("+49 1512 3456789", normalize_customer_number)[0] == "country_not_allowed"


def test_a_satellite_number_belongs_to_no_country():
    inmarsat = digits(phonenumbers.example_number_for_non_geo_entity(870))
    assert phonenumbers.region_code_for_number(phonenumbers.parse(f"+{inmarsat}")) == "001"
    code, message = refusal(inmarsat)
    assert code == "country_not_allowed"
    assert "international service number of no country" in message


def test_us_numbers_that_may_be_mobile_or_landline_are_allowed_where_the_us_is(settings):
    settings.CALLBACK_ALLOWED_COUNTRIES = ["US"]
    check_customer_number(US_NUMBER)
    assert refusal(RU_MOBILE)[0] == "country_not_allowed"


@pytest.mark.parametrize("value", ["", "123", "hello", "+79123456789", "70000000000", None])
def test_what_is_not_a_stored_valid_number_is_refused(value):
    assert refusal(value)[0] == "invalid_phone_number"


# --- the model field ----------------------------------------------------------------------


def test_a_contact_number_is_checked_by_full_clean(db):
    contact = Contact.objects.create(name="Пётр")
    number = ContactNumber(contact=contact, number="8 (912) 345-67-89")
    number.full_clean()
    assert number.number == "79123456789"
    for refused in ["8 809 123-45-67", "sip:100@pbx.example.com", "+49 1512 3456789"]:
        with pytest.raises(ValidationError) as exc:
            ContactNumber(contact=contact, number=refused).full_clean()
        assert list(exc.value.message_dict) == ["number"]


def test_a_stored_foreign_number_is_kept_when_cleaned_again(db, settings):
    """4930123456 read the Russian way is +7 493 012-34-56: cleaning the stored form must not do
    that."""
    settings.CALLBACK_ALLOWED_COUNTRIES = ["RU", "DE"]
    contact = Contact.objects.create(name="Hans")
    for stored in ["4930123456", DE_MOBILE]:
        number = ContactNumber(contact=contact, number=stored)
        number.full_clean()
        assert number.number == stored


# --- the pure function --------------------------------------------------------------------


@hypothesis_settings(max_examples=600, **PROPERTY_SETTINGS)
@given(text=st.one_of(st.text(), typed_numbers))
def test_normalize_customer_number_returns_callable_digits_or_a_clear_refusal(text):
    try:
        number = normalize_customer_number(text)
    except ValidationError as exc:
        refusal = exc
    else:
        refusal = None
    if refusal is not None:
        assert refusal.code in REFUSAL_CODES
        assert refusal.messages
        assert all(message.strip() for message in refusal.messages)
        return
    assert re.fullmatch(PHONE_DIGITS_REGEX, number)
    parsed = phonenumbers.parse(f"+{number}")
    assert phonenumbers.is_valid_number(parsed)
    assert phonenumbers.number_type(parsed) in PERSON_TYPES
    assert phonenumbers.region_code_for_number(parsed) in django_settings.CALLBACK_ALLOWED_COUNTRIES
    assert check_customer_number(number) is None
    # The stored form, cleaned again (the admin's full_clean, the contract checks), stays the same
    # number.
    assert ContactNumber._meta.get_field("number").clean(number, None) == number
