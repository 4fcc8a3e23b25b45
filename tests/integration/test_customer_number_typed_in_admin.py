"""What people type as a new contact's number in the admin: saved as a number we may call (the one
typed), or refused on the number field with nothing stored, property-tested with Hypothesis."""

import re

import phonenumbers
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils.html import escape
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis.extra.django import TestCase as HypothesisTestCase

from callbacks.models import MAX_NUMBERS_PER_CONTACT, Contact, ContactNumber
from callbacks.numbers import PHONE_DIGITS_REGEX
from tests.integration.number_samples import (
    PERSON_TYPES,
    PROPERTY_SETTINGS,
    REFUSAL_CODES,
    digits,
    typed_numbers,
)


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
