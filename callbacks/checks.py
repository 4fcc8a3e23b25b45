"""System checks: what must hold for callbacks to go out, checked when any process starts."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.db import connection


@register()
def exolve_api_key_is_set(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    if settings.EXOLVE_API_KEY:
        return []
    return [
        Warning(
            "EXOLVE_API_KEY is not set: every callback will fail until it is.",
            hint="Set EXOLVE_API_KEY in the environment or in .env.",
            id="callbacks.W001",
        )
    ]


@register()
def database_returns_ids_of_bulk_inserts(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """A worker writes a batch's attempt rows with one INSERT and records each answer on its
    row."""
    if connection.features.can_return_rows_from_bulk_insert:
        return []
    return [
        Error(
            f"The {connection.vendor} database does not return the ids of rows inserted together.",
            hint="Use PostgreSQL, or SQLite 3.35 or later.",
            id="callbacks.E001",
        )
    ]
