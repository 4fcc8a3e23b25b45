from django.db import models

from ..numbers import normalize_dial_number, normalize_phone_number


class _NormalizedCharField(models.CharField):
    """A CharField whose cleaning turns what a person typed into the form Exolve expects."""

    normalize = None

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return type(self).normalize(value)


class PhoneNumberField(_NormalizedCharField):
    """A phone number, stored as international digits (79121234567)."""

    normalize = staticmethod(normalize_phone_number)


class DialNumberField(_NormalizedCharField):
    """What Exolve can dial: a phone number (stored as international digits) or a SIP-URI."""

    normalize = staticmethod(normalize_dial_number)
