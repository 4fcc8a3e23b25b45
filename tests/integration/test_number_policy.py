"""Customer numbers we must not call are refused, with a clear message on the number field.

A callback rings the customer, so a contact's number must be one a person answers at an
ordinary price (mobile, landline, VoIP) in a country we call (settings.CALLBACK_ALLOWED_COUNTRIES).
The sample numbers come from phonenumbers' own examples, checked here to be of the type they stand
for.
"""

import re

import phonenumbers
import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase
from phonenumbers import PhoneNumberType

from callbacks.models import MAX_NUMBERS_PER_CONTACT, Contact, ContactNumber
from callbacks.numbers import PHONE_DIGITS_REGEX, check_customer_number, normalize_customer_number

# What a person answers, stated here independently of callbacks.numbers.
PERSON_TYPES = {
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
    PhoneNumberType.VOIP,
}
REFUSAL_CODES = {
    "invalid_phone_number",
    "premium_rate",
    "shared_cost",
    "toll_free",
    "uan",
    "personal_number",
    "pager",
    "voicemail",
    "unknown_number_type",
    "country_not_allowed",
}
ALL_TYPES = [value for name, value in vars(PhoneNumberType).items() if name.isupper()]


def digits(number):
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


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


# --- what people type, through the admin ---------------------------------------------------


def add_contact_data(typed):
    return {
        "name": "Hypothesis",
        "company": "",
        "notes": "",
        "numbers-TOTAL_FORMS": "1",
        "numbers-INITIAL_FORMS": "0",
        "numbers-MIN_NUM_FORMS": "1",
        "numbers-MAX_NUM_FORMS": str(MAX_NUMBERS_PER_CONTACT),
        "numbers-0-position": "0",
        "numbers-0-number": typed,
        "numbers-0-label": "",
        "_save": "Save",
    }


def test_the_posted_fields_are_those_of_the_add_page(admin_client):
    page = admin_client.get(reverse("admin:callbacks_contact_add"))
    assert page.status_code == 200
    names = set(re.findall(r'name="([^"]+)"', page.content.decode()))
    assert set(add_contact_data("")) <= names
    formset = page.context["inline_admin_formsets"][0].formset
    assert formset.prefix == "numbers"
    assert formset.min_num == 1
    assert formset.max_num == MAX_NUMBERS_PER_CONTACT


def assert_saved_or_refused(response, typed, allowed_countries):
    """Saved as a valid, callable number that is the one typed; or refused on the number field,
    nothing stored."""
    if response.status_code == 302:
        contact = Contact.objects.get()
        [stored] = contact.numbers.values_list("number", flat=True)
        assert re.fullmatch(PHONE_DIGITS_REGEX, stored), stored
        parsed = phonenumbers.parse(f"+{stored}")
        assert phonenumbers.is_valid_number(parsed)
        assert phonenumbers.number_type(parsed) in PERSON_TYPES
        assert phonenumbers.region_code_for_number(parsed) in allowed_countries
        assert digits(phonenumbers.parse(typed, "RU")) == stored, (
            "stored another number than the one typed"
        )
        return "saved"
    assert response.status_code == 200
    assert Contact.objects.count() == 0
    assert ContactNumber.objects.count() == 0
    formset = response.context["inline_admin_formsets"][0].formset
    [number_form] = formset.forms
    assert not response.context["adminform"].form.errors
    if typed.strip():
        assert not formset.non_form_errors()
    # "This field is required." on the field, and the formset's "Please submit at least 1 form."
    else:
        assert formset.non_form_errors()
    assert set(number_form.errors) == {"number"}, number_form.errors
    errors = number_form.errors.as_data()["number"]
    assert {error.code for error in errors} <= REFUSAL_CODES | {"required"}
    html = response.content.decode()
    for message in number_form.errors["number"]:
        assert message.strip()
        assert escape(message) in html, message
        if errors[0].code == "invalid_phone_number":
            assert f"“{typed.strip()}”" in message
    return errors[0].code


# Every example number phonenumbers has: each region, each type, and the non-geographic ones.
EXAMPLE_NUMBERS = sorted(
    {
        digits(number)
        for number in [
            *(
                phonenumbers.example_number_for_type(region, kind)
                for region in phonenumbers.SUPPORTED_REGIONS
                for kind in ALL_TYPES
            ),
            *map(
                phonenumbers.example_number_for_non_geo_entity,
                phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS,
            ),
        ]
        if number is not None
    }
)
PLUS_SEVEN_EXAMPLES = [number for number in EXAMPLE_NUMBERS if number.startswith("7")]
SEPARATORS = st.sampled_from(["", " ", "-", " - ", ".", "  ", "/"])


@st.composite
def spelled(draw, international_digits):
    """International digits typed the way people do: a prefix, then groups, brackets, separators."""
    number = phonenumbers.parse(f"+{draw(international_digits)}")
    country = str(number.country_code)
    national = phonenumbers.national_significant_number(number)
    if draw(st.integers(0, 9)) == 0:  # a typo: a digit lost or doubled
        at = draw(st.integers(0, len(national) - 1))
        national = (
            national[:at] + draw(st.sampled_from(["", national[at] * 2])) + national[at + 1 :]
        )
    international = [f"+{country}", f"+{country} ", f"00{country}", f"8 10 {country} "]
    prefix = draw(st.sampled_from([*international, "8", "8 ", "+7", "+7 ", "7", ""]))
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(national) - 1)), max_size=4)))
    groups = [
        national[start:end]
        for start, end in zip([0, *cuts], [*cuts, len(national)], strict=False)
        if national[start:end]
    ]
    if len(groups) > 1 and draw(st.booleans()):
        groups[0] = f"({groups[0]})"
    text = groups[0] + "".join(draw(SEPARATORS) + group for group in groups[1:])
    return draw(st.sampled_from(["", " "])) + prefix + text + draw(st.sampled_from(["", " "]))


def library_spelled(international_digits):
    """The library's own ways of writing a number, a Russian dialling abroad among them."""
    formats = [
        lambda n: phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        lambda n: phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.NATIONAL),
        lambda n: phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.RFC3966),
        lambda n: phonenumbers.format_out_of_country_calling_number(n, "RU"),
    ]
    return st.builds(
        lambda number, spell: spell(phonenumbers.parse(f"+{number}")),
        international_digits,
        st.sampled_from(formats),
    )


russian_looking_digits = st.builds(
    lambda first, rest: f"7{first}{rest}",
    st.sampled_from("3489"),
    st.text("0123456789", min_size=9, max_size=9),
)
typed_text = st.text(
    alphabet=st.sampled_from([*"0123456789" * 3, *"+ -()", *"aZxпрД"]),
    max_size=24,
)
typed_numbers = st.one_of(
    typed_text,
    spelled(st.sampled_from(EXAMPLE_NUMBERS)),
    spelled(st.sampled_from(PLUS_SEVEN_EXAMPLES)),
    spelled(russian_looking_digits),
    library_spelled(st.sampled_from(EXAMPLE_NUMBERS)),
)
PROPERTY_SETTINGS = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow],
}


class TypedIntoTheAdmin(HypothesisTestCase):
    """Whatever is typed into a new contact's number: saved as a number we may call, or refused on
    the field."""

    @classmethod
    def setUpTestData(cls):
        cls.user = User.objects.create_superuser("root", password="pass-1234")

    def post(self, typed):
        self.client.force_login(self.user)
        return self.client.post(reverse("admin:callbacks_contact_add"), add_contact_data(typed))

    def test_known_cases(self):
        with self.subTest("saved"):
            assert (
                assert_saved_or_refused(self.post("8 (912) 345-67-89"), "8 (912) 345-67-89", ["RU"])
                == "saved"
            )
            assert ContactNumber.objects.get().number == "79123456789"
            Contact.objects.all().delete()
        for typed, code in [
            ("8 (809) 123-45-67", "premium_rate"),
            ("+7 771 000 9998", "country_not_allowed"),
            ("8 800 123-45-67", "toll_free"),
            ("hello", "invalid_phone_number"),
            ("  ", "required"),
        ]:
            with self.subTest(typed):
                assert assert_saved_or_refused(self.post(typed), typed, ["RU"]) == code

    @hypothesis_settings(max_examples=150, **PROPERTY_SETTINGS)
    @given(typed=typed_numbers)
    def test_saved_as_a_number_we_may_call_or_refused_on_the_field(self, typed):
        assert_saved_or_refused(self.post(typed), typed, ["RU"])

    @hypothesis_settings(max_examples=80, **PROPERTY_SETTINGS)
    @given(typed=typed_numbers)
    def test_with_more_countries_allowed(self, typed):
        allowed = ["RU", "KZ", "DE", "GB", "US"]
        with self.settings(CALLBACK_ALLOWED_COUNTRIES=allowed):
            assert_saved_or_refused(self.post(typed), typed, allowed)


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
