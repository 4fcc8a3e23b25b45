"""Strict readers for settings that come from the environment.

django-environ reads the variables (and the optional .env file); these wrappers
refuse malformed values at start-up with a message naming the variable, where
django-environ alone would quietly turn DEBUG=maybe into False or accept a
database URL with an unknown scheme.
"""

import re
from collections.abc import Sequence
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()
Number = TypeVar("Number", int, float)

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}
# Not memory://: web, worker and beat are separate processes, so nothing would ever arrive.
BROKER_SCHEMES = {"filesystem", "redis", "rediss", "amqp", "pyamqp"}


def _fail(name: str, message: str) -> NoReturn:
    raise ImproperlyConfigured(f"Environment variable {name}: {message}")


def _raw(name: str, default: str | None) -> str | None:
    value = env.str(name, default=None)
    return default if value is None else value.strip()


def read_str(name: str, default: str | None = None, required: bool = False) -> str:
    value = _raw(name, default)
    if required and not value:
        _fail(name, "must be set")
    return value or ""


def read_bool(name: str, default: bool) -> bool:
    value = _raw(name, None)
    if value is None:
        return default
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    _fail(name, f"expected true/false, got {value!r}")


def read_number(
    name: str,
    default: Number,
    cast: type[Number] | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
) -> Number:
    """An int, or a float with cast=float; the default's type when no cast is given."""
    value = _raw(name, None)
    if value is None:
        return default
    convert = cast or type(default)
    try:
        number = convert(value)
    except ValueError:
        _fail(name, f"expected a {convert.__name__}, got {value!r}")
    if minimum is not None and number < minimum:
        _fail(name, f"must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        _fail(name, f"must be at most {maximum}, got {number}")
    return number


def read_choice(name: str, default: str, choices: Sequence[str]) -> str:
    value = _raw(name, default) or ""
    if value not in choices:
        _fail(name, f"expected one of {', '.join(choices)}, got {value!r}")
    return value


def read_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name, None)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def read_country_list(name: str, default: list[str]) -> list[str]:
    """ISO 3166 region codes that phonenumbers knows (RU, KZ …)."""
    import phonenumbers

    codes = [code.upper() for code in read_list(name, default)]
    unknown = [code for code in codes if code not in phonenumbers.SUPPORTED_REGIONS]
    if unknown:
        _fail(name, f"unknown region code(s) {', '.join(unknown)}; use ISO 3166 codes like RU, KZ")
    return codes


def read_http_url(name: str, default: str) -> str:
    value = (_raw(name, default) or "").rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        _fail(name, f"expected an http(s) URL like https://api.exolve.ru, got {value!r}")
    return value


def _scheme(name: str, value: str, allowed: set[str]) -> None:
    scheme = urlsplit(value).scheme.split("+")[0]
    if scheme not in allowed:
        _fail(
            name,
            f"unsupported scheme {scheme!r} in {_without_password(value)!r}; "
            f"use one of {sorted(allowed)}",
        )


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


def read_database(name: str, default: str) -> dict[str, Any]:
    value = _raw(name, default) or ""
    _scheme(name, value, DATABASE_SCHEMES)
    config: dict[str, Any] = env.db_url_config(value)
    return config


def read_broker_url(name: str, default: str) -> str:
    value = _raw(name, default) or ""
    _scheme(name, value, BROKER_SCHEMES)
    return value


def read_proxy_ssl_header(name: str) -> tuple[str, str] | None:
    """The header a TLS-terminating proxy sets to "https" (X-Forwarded-Proto), as Django's
    SECURE_PROXY_SSL_HEADER wants it; None (trust no header) when unset."""
    value = _raw(name, None)
    if not value:
        return None
    if not re.fullmatch(r"[A-Za-z0-9-]+", value):
        _fail(name, f"expected a header name like X-Forwarded-Proto, got {value!r}")
    return f"HTTP_{value.upper().replace('-', '_')}", "https"


def read_time_zone(name: str, default: str) -> str:
    value = _raw(name, default) or ""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        _fail(name, f"unknown time zone {value!r}")
    return value


def read_url_safe_secret(name: str) -> str:
    """Empty, or at least 24 letters, digits, '-' or '_': long enough not to be guessed, and fit
    for a URL or a header unescaped."""
    value = read_str(name, default="")
    if value and not re.fullmatch(r"[A-Za-z0-9_-]{24,}", value):
        _fail(name, "must be at least 24 letters, digits, '-' or '_' (a URL or a header holds it)")
    return value
