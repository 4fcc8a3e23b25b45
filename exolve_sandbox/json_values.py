"""Checks and text for parsed JSON values, shared by the MakeCallback rules, the control API and
the HTTP replies."""

import json
from typing import Any, TypeGuard


def is_int(value: object) -> TypeGuard[int]:
    """A JSON integer (a bool is an int to Python, never to JSON)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> TypeGuard[int | float]:
    return is_int(value) or isinstance(value, float)


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
