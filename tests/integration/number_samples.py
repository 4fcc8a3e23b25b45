"""Numbers to try as customer numbers: what a person answers, the refusal codes, and every
example number phonenumbers has, typed the ways people type them (Hypothesis strategies)."""

import phonenumbers
from hypothesis import HealthCheck
from hypothesis import strategies as st
from phonenumbers import PhoneNumberType

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
