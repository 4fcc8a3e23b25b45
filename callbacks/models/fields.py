"""Model fields that store a number the way Exolve dials it, whatever way a person typed it."""

from typing import Any

from django import forms
from django.db import models

from ..numbers import (
    as_stored_number,
    normalize_customer_number,
    normalize_dial_number,
    normalize_phone_number,
    readable_number,
)


class NormalizedCharFormField(forms.CharField):
    """Normalises in the form, so that a formset's duplicate check compares what will be
    stored."""

    def __init__(self, *, normalize: Any, **kwargs: Any) -> None:
        self.normalize = normalize
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return value if value in self.empty_values else self.normalize(value)

    def prepare_value(self, value: Any) -> Any:
        """A stored number shown in the form as people read it; what was typed, as typed."""
        return readable_number(value) if isinstance(value, str) else value


class _NormalizedCharField(models.CharField[str, str]):
    """A CharField whose cleaning turns what a person typed into the form Exolve expects.

    Normalising in clean() rather than to_python() keeps queries untouched: a lookup with
    a malformed value finds nothing instead of raising. A value already in the stored form
    (the form field normalised it, or it came from the database) is read as international
    digits, so cleaning it again keeps the same number and only repeats the checks.
    """

    @staticmethod
    def normalize(value: str | None) -> str:
        raise NotImplementedError

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def clean(self, value: Any, model_instance: models.Model | None) -> Any:
        if value not in self.empty_values:
            value = type(self).normalize(as_stored_number(value))
        return super().clean(value, model_instance)

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        return super().formfield(
            form_class=form_class or NormalizedCharFormField,
            choices_form_class=choices_form_class,
            normalize=type(self).normalize,
            **kwargs,
        )


class PhoneNumberField(_NormalizedCharField):
    """A phone number, stored as international digits (79121234567)."""

    normalize = staticmethod(normalize_phone_number)


class DialNumberField(_NormalizedCharField):
    """What Exolve can dial: a phone number (stored as international digits) or a SIP-URI."""

    normalize = staticmethod(normalize_dial_number)


class CustomerNumberField(PhoneNumberField):
    """A customer's phone number: valid, and one we may call back (type and country, see
    numbers.py)."""

    normalize = staticmethod(normalize_customer_number)
