"""How the sandbox parses and validates a MakeCallback body, and the messages it refuses it with.

The provider parses the body as protobuf JSON (unknown fields and wrong types are refused with
a "proto: ..." message) and then runs protoc-gen-validate rules, whose messages name the field
by its Go name and wrap nested failures as "embedded message failed validation | caused by".
"""

import json
import re
from collections.abc import Callable
from typing import Any, NamedTuple, NoReturn

from exolve_sandbox.json_values import is_int, is_number, json_text

EMBEDDED_FAILED = "embedded message failed validation"

# A validation rule: why the value is refused, or None if it passes.
Rule = Callable[[Any], str | None]

# What protobuf JSON parsing accepts for each scalar kind.
ACCEPTS: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "uint64": lambda v: is_int(v) and 0 <= v < 2**64,
    "uint32": lambda v: is_int(v) and 0 <= v < 2**32,
    "int32": lambda v: is_int(v) and -(2**31) <= v < 2**31,
    "enum": lambda v: is_int(v) and -(2**31) <= v < 2**31,
    "double": is_number,
    # The page types Tts.provider as a string, but its own example sends the number 1.
    "provider": lambda v: isinstance(v, str) or is_int(v),
}

DIAL_NUMBER = re.compile(r"^([0-9]{8,15}|sips?:[^@\s]+@[^@\s]+)$", re.IGNORECASE)


def between(low: float, high: float) -> Rule:
    def rule(value: Any) -> str | None:
        if not low <= value <= high:
            return f"value must be inside range [{low}, {high}]"
        return None

    return rule


def one_of(*allowed: int) -> Rule:
    def rule(value: Any) -> str | None:
        if value not in allowed:
            return "value must be one of the defined enum values"
        return None

    return rule


def positive(value: Any) -> str | None:
    if value <= 0:
        return "value must be greater than 0"
    return None


def non_empty(value: Any) -> str | None:
    if not value:
        return "value length must be at least 1 runes"
    return None


def dial_number(value: Any) -> str | None:
    return non_empty(value) or (
        None
        if DIAL_NUMBER.match(value)
        else "value must be international digits (8 to 15 of them) or a SIP-URI like sip:user@host"
    )


def tts_provider(value: Any) -> str | None:
    if str(value) != "1":
        return "value must be in list [1]"
    return None


class Field(NamedTuple):
    name: str
    kind: str  # a key of ACCEPTS, or of MESSAGES for an embedded message
    required: bool = False
    rule: Rule | None = None
    items: tuple[int, int] | None = None  # for a list: (fewest, most) items allowed


class Message(NamedTuple):
    fields: tuple[Field, ...]
    oneof: tuple[str, ...] = ()  # field names of which exactly one must be set


MESSAGES: dict[str, Message] = {
    "MakeCallbackRequest": Message(
        (
            Field("request_description", "string"),
            Field("number_code", "uint64", required=True, rule=positive),
            Field("callback_resource_id", "uint64", required=True, rule=positive),
            Field("duration", "uint32", rule=between(300, 3600)),
            Field("line_1", "Line", required=True),
            Field("line_2", "Line", required=True),
        )
    ),
    "Line": Message(
        (
            Field("destinations", "Destination", items=(1, 10)),
            Field("ring_logic", "enum", rule=one_of(1, 2)),
            Field("display_number", "string"),
            Field("audio", "Audio"),
        )
    ),
    "Destination": Message(
        (
            Field("number", "string", required=True, rule=dial_number),
            Field("timeout", "uint32", rule=between(10, 600)),
        )
    ),
    "Audio": Message(
        (Field("media_resource_id", "uint64", rule=positive), Field("tts", "Tts")),
        oneof=("media_resource_id", "tts"),
    ),
    "Tts": Message(
        (
            Field("text", "string", required=True, rule=non_empty),
            Field("voice", "enum", rule=one_of(1, 2, 3, 4, 5)),
            Field("lang", "enum", rule=one_of(1, 2)),
            Field("volume", "int32", rule=between(-149, 0)),
            Field("speed", "double", rule=between(0.1, 3.0)),
            Field("emotion", "enum", rule=one_of(1, 2, 3)),
            Field("provider", "provider", rule=tts_provider),
        )
    ),
}


class _ParseError(Exception):
    """The body is not a well-formed MakeCallbackRequest (reported as is, never wrapped)."""


class _Invalid(Exception):
    """A validation rule failed (wrapped by each enclosing message)."""


def _go_name(name: str) -> str:
    # protoc-gen-go: number_code -> NumberCode, line_1 -> Line_1
    first, *rest = name.split("_")
    return first.capitalize() + "".join(
        ("_" + p) if p[:1].isdigit() else p.capitalize() for p in rest
    )


def _check_message(message_name: str, obj: dict[str, Any]) -> None:
    message = MESSAGES[message_name]
    known = {field.name for field in message.fields}
    for key in obj:
        if key not in known:
            raise _ParseError(f'proto: unknown field "{key}"')
    chosen = [name for name in message.oneof if obj.get(name) is not None]
    if len(chosen) > 1:
        raise _ParseError(
            f'proto: error parsing "{chosen[1]}", oneof {message_name}.source is already set'
        )
    for field in message.fields:
        _check_field(message_name, field, obj.get(field.name))
    if message.oneof and not chosen:
        raise _Invalid(f"invalid {message_name}.Source: value is required")


def _check_field(message_name: str, field: Field, value: Any) -> None:
    label = f"{message_name}.{_go_name(field.name)}"
    if field.items:
        _check_list(label, field, field.items, [] if value is None else value)
        return
    if value is None:  # JSON null means "not set", as in protobuf JSON
        if not field.required:
            return
        if field.kind in MESSAGES:
            raise _Invalid(f"invalid {label}: value is required")
        value = "" if field.kind == "string" else 0  # proto3 default, which then fails its rule
    _check_value(label, field, value)


def _check_list(label: str, field: Field, bounds: tuple[int, int], items: Any) -> None:
    if not isinstance(items, list):
        raise _bad_value(field, items)
    fewest, most = bounds
    if not fewest <= len(items) <= most:
        raise _Invalid(f"invalid {label}: value must contain between {fewest} and {most} items")
    for index, item in enumerate(items):
        _check_value(f"{label}[{index}]", field, item)


def _check_value(label: str, field: Field, value: Any) -> None:
    if field.kind in MESSAGES:
        if not isinstance(value, dict):
            raise _bad_value(field, value)
        try:
            _check_message(field.kind, value)
        except _Invalid as error:
            raise _Invalid(f"invalid {label}: {EMBEDDED_FAILED} | caused by: {error}") from None
        return
    if not ACCEPTS[field.kind](value):
        raise _bad_value(field, value)
    problem = field.rule(value) if field.rule else None
    if problem:
        raise _Invalid(f"invalid {label}: {problem}")


def _bad_value(field: Field, value: Any) -> _ParseError:
    return _ParseError(
        f"proto: invalid value for {field.kind} field {field.name}: {json_text(value)}"
    )


def validate_make_callback(body: Any) -> str | None:
    """Return why Exolve would refuse this parsed MakeCallback body, or None if it is valid."""
    if not isinstance(body, dict):
        return f"proto: syntax error: expected a JSON object, got {json_text(body)}"
    try:
        _check_message("MakeCallbackRequest", body)
    except (_ParseError, _Invalid) as error:
        return str(error)
    return None


def parse_json(raw: bytes) -> tuple[Any, str | None]:
    """Return (parsed body or raw text, syntax error message or None)."""
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text, parse_constant=_refuse_constant), None
    except ValueError as error:
        return text, f"proto: syntax error: {error}"


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"invalid value {name}")  # NaN and Infinity are not JSON
