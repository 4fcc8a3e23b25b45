"""Phone numbers and SIP-URIs as people type them, turned into what Exolve dials.

Exolve wants a phone number as international digits only (79121234567) or a SIP-URI.
"""

import re
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_REGION = "RU"  # "8 (912) 123-45-67" is how Russian users type a number
SIP_URI = re.compile(r"^sips?:[^@\s:;]+@[A-Za-z0-9.\-\[\]:]+(;[^\s]*)?$", re.IGNORECASE)
# The same rules for the database's CHECK constraints.
PHONE_DIGITS_REGEX = r"^[0-9]{8,15}$"
DIAL_NUMBER_REGEX = r"^([0-9]{8,15}|[sS][iI][pP][sS]?:[^@]+@.+)$"


def is_sip_uri(value: str) -> bool:
    return bool(SIP_URI.match(value))


def _parse_valid(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    """The parsed number if text is a valid phone number (read in region), else None."""
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return parsed if phonenumbers.is_valid_number(parsed) else None


def _invalid_phone_number(text: str) -> ValidationError:
    return ValidationError(
        _(
            "“%(value)s” is not a valid phone number. "
            "Type it as +7 912 123-45-67 or 8 (912) 123-45-67."
        ),
        code="invalid_phone_number",
        params={"value": text},
    )


def normalize_phone_number(value: str | None) -> str:
    """Return the digits-only international form of a phone number, or raise ValidationError."""
    text = (value or "").strip()
    parsed = _parse_valid(text, DEFAULT_REGION)
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) if parsed else ""
    digits = e164.lstrip("+")
    # A few valid numbers are shorter than the 8 digits we store and Exolve dials (+690 7290,
    # Tokelau).
    if not digits or not re.fullmatch(PHONE_DIGITS_REGEX, digits):
        raise _invalid_phone_number(text)
    return digits


def as_stored_number(value: Any) -> Any:
    """ "+digits" when value is already the stored form (the digits of a valid international
    number).

    Stored digits are international, but normalize_phone_number reads digits without "+" the way
    Russian users type them: the stored Berlin number 4930123456 would become +7 493 012-34-56,
    and the stored German mobile 4915123456789 would be refused. Models clean the stored value
    again (the admin's full_clean, the delivery's contract checks), so they read it through this
    first. Anything else, typed text included, is returned unchanged.
    """
    if (
        isinstance(value, str)
        and re.fullmatch(PHONE_DIGITS_REGEX, value)
        and _parse_valid(f"+{value}", None)
    ):
        return f"+{value}"
    return value


def readable_number(stored: str) -> str:
    """A stored number as people read it: +7 916 123-45-67 (a SIP-URI, or anything that is not a
    stored number, as it is)."""
    parsed = (
        _parse_valid(f"+{stored}", None) if re.fullmatch(PHONE_DIGITS_REGEX, stored or "") else None
    )
    if not parsed:
        return stored
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def spaced_number(stored: str) -> str:
    """readable_number without the "+" (7 916 123-45-67), for a CSV cell that must not read as a
    formula."""
    return readable_number(stored).removeprefix("+")


def normalize_typed_or_stored_number(value: str) -> str:
    """normalize_phone_number for a number searched for: typed any way, or pasted as stored."""
    return normalize_phone_number(as_stored_number(value))


# --- numbers we may call back ----------------------------------------------------------
#
# A callback rings the customer, so it goes only to numbers a person answers at an ordinary
# price: mobile and fixed lines (FIXED_LINE_OR_MOBILE where the plan cannot tell them apart,
# as in the US and Canada) and VoIP subscriber numbers (ordinary lines on softphones and
# office PBXs). Every other type is refused: premium-rate and shared-cost numbers cost us
# money (and are how toll fraud earns it); toll-free numbers, UANs and personal (follow-me)
# numbers are company hotlines or forwarding services, not a person, and are charged or
# routed specially; pagers take no voice; voicemail is a machine; UNKNOWN cannot be judged.
# It is an allow-list, so a type phonenumbers adds later is refused until someone decides.
CALLABLE_NUMBER_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        phonenumbers.PhoneNumberType.VOIP,
    }
)
_REFUSED_NUMBER_TYPES = {
    phonenumbers.PhoneNumberType.PREMIUM_RATE: (
        "premium_rate",
        _(
            "%(number)s is a premium-rate number: we do not call such numbers back. "
            "Ask for a mobile or landline number."
        ),
    ),
    phonenumbers.PhoneNumberType.SHARED_COST: (
        "shared_cost",
        _(
            "%(number)s is a shared-cost number: we do not call such numbers back. "
            "Ask for a mobile or landline number."
        ),
    ),
    phonenumbers.PhoneNumberType.TOLL_FREE: (
        "toll_free",
        _(
            "%(number)s is a toll-free number, a company's hotline rather than a person. "
            "Ask for a mobile or landline number."
        ),
    ),
    phonenumbers.PhoneNumberType.UAN: (
        "uan",
        _(
            "%(number)s is a company's universal access number, not a person's. "
            "Ask for a mobile or landline number."
        ),
    ),
    phonenumbers.PhoneNumberType.PERSONAL_NUMBER: (
        "personal_number",
        _(
            "%(number)s is a personal (call-forwarding) number: we do not call such numbers back. "
            "Ask for a mobile or landline number."
        ),
    ),
    phonenumbers.PhoneNumberType.PAGER: (
        "pager",
        _(
            "%(number)s is a pager number and cannot take a call. "
            "Ask for a mobile or landline number."
        ),
    ),
    phonenumbers.PhoneNumberType.VOICEMAIL: (
        "voicemail",
        _(
            "%(number)s is a voicemail access number, not a person. "
            "Ask for a mobile or landline number."
        ),
    ),
}
_UNKNOWN_NUMBER_TYPE = (
    "unknown_number_type",
    _("%(number)s is not a mobile or landline number. Ask for a mobile or landline number."),
)
_COUNTRY_NOT_ALLOWED = _(
    "%(number)s is a number in %(country)s. Callbacks go only to numbers in %(allowed)s."
)
_NO_COUNTRY = _(
    "%(number)s is an international service number of no country. "
    "Callbacks go only to numbers in %(allowed)s."
)


def allowed_countries() -> list[str]:
    """The regions we call back (settings.CALLBACK_ALLOWED_COUNTRIES), read now: settings may
    change."""
    return [
        code.upper() for code in getattr(settings, "CALLBACK_ALLOWED_COUNTRIES", [DEFAULT_REGION])
    ]


def check_customer_number(digits: str | None) -> None:
    """Raise ValidationError unless the stored number (79121234567) is one we may call back.

    The type is checked before the country: "premium-rate" stays true whatever countries are
    allowed. +7 is shared by Russia and Kazakhstan; region_code_for_number tells them apart.
    """
    text = str(digits if digits is not None else "").strip()
    parsed = _parse_valid(f"+{text}", None) if re.fullmatch(PHONE_DIGITS_REGEX, text) else None
    if parsed is None:
        raise _invalid_phone_number(text)
    number = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    number_type = phonenumbers.number_type(parsed)
    if number_type not in CALLABLE_NUMBER_TYPES:
        code, message = _REFUSED_NUMBER_TYPES.get(number_type, _UNKNOWN_NUMBER_TYPE)
        raise ValidationError(message, code=code, params={"number": number})
    region = phonenumbers.region_code_for_number(parsed)
    allowed = allowed_countries()
    if region not in allowed:
        params = {"number": number, "country": region, "allowed": ", ".join(allowed) or "—"}
        geographic = region not in (
            None,
            phonenumbers.UNKNOWN_REGION,
            phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY,
        )
        message = _COUNTRY_NOT_ALLOWED if geographic else _NO_COUNTRY
        raise ValidationError(message, code="country_not_allowed", params=params)


def normalize_customer_number(value: str | None) -> str:
    """A customer's number as typed → its stored digits, if it is valid and one we may call
    back."""
    digits = normalize_phone_number(value)
    check_customer_number(digits)
    return digits


def normalize_dial_number(value: str | None) -> str:
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
