"""Phone numbers and SIP-URIs as people type them, turned into what Exolve dials.

Exolve wants a phone number as international digits only (79121234567) or a SIP-URI.
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_REGION = "RU"  # "8 (912) 123-45-67" is how Russian users type a number
SIP_URI = re.compile(r"^sips?:[^@\s:;]+@[A-Za-z0-9.\-\[\]:]+(;[^\s]*)?$", re.IGNORECASE)
# The same rules for the database's CHECK constraints.
PHONE_DIGITS_REGEX = r"^[0-9]{8,15}$"
DIAL_NUMBER_REGEX = r"^([0-9]{8,15}|[sS][iI][pP][sS]?:[^@]+@.+)$"


def is_sip_uri(value):
    return bool(SIP_URI.match(value))


def normalize_phone_number(value):
    """Return the digits-only international form of a phone number, or raise ValidationError."""
    text = (value or "").strip()
    try:
        parsed = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number. Type it as +7 912 123-45-67 or 8 (912) 123-45-67."),
            code="invalid_phone_number",
            params={"value": text},
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


def normalize_dial_number(value):
    """A destination is a phone number or a SIP-URI (sip:user@host); anything else is refused."""
    text = (value or "").strip()
    if text.lower().startswith(("sip:", "sips:")):
        if not is_sip_uri(text):
            raise ValidationError(
                _("“%(value)s” is not a valid SIP-URI. Use the form sip:user@host."),
                code="invalid_sip_uri",
                params={"value": text},
            )
        return text
    return normalize_phone_number(text)
