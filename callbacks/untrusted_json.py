"""JSON from outside, read so that whatever it holds can be stored and shown: plain JSON only (no
NaN, Infinity or numbers that overflow to them), strings PostgreSQL can store (no NUL, no lone
surrogate), and a bounded depth (a deep body exhausts the parser's recursion)."""

import json
import math
from typing import Any

from django.utils.translation import gettext as _

MAX_DEPTH = 32


class NotPlainJson(ValueError):
    """What is wrong with the body, in words for its sender."""


def loads(body: bytes, max_depth: int = MAX_DEPTH) -> Any:
    try:
        text = body.decode("utf-8")
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except NotPlainJson:
        raise
    except RecursionError:
        raise NotPlainJson(_("The body is nested too deep.")) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise NotPlainJson(_("The body is not JSON: %(error)s") % {"error": exc}) from None
    _check(value, max_depth)
    return value


def _refuse_constant(name: str) -> Any:
    raise NotPlainJson(_("%(value)s is not a JSON number.") % {"value": name})


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise NotPlainJson(_("%(value)s is too large a number.") % {"value": text[:20]})
    return number


def _check(value: Any, max_depth: int) -> None:
    """Every string storable, and no deeper than max_depth (iterative: never recursion-bound)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            _check_string(item)
        elif isinstance(item, dict | list):
            if depth > max_depth:
                raise NotPlainJson(
                    _("The body is nested deeper than %(depth)d levels.") % {"depth": max_depth}
                )
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)


def _check_string(text: str) -> None:
    if "\x00" in text:
        raise NotPlainJson(_("A string holds a NUL character (U+0000)."))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NotPlainJson(_("A string holds a lone surrogate (U+D800–U+DFFF).")) from None
