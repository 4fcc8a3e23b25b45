"""Helpers that turn the API's ranges into both form validators and database CHECKs."""

from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


def range_validators(low: Any, high: Any, message: Any = None) -> list[Any]:
    """message: a gettext_lazy with {low} and {high}, said when the value is outside the range
    (instead of Django's "Ensure this value is greater than or equal to …")."""
    said = format_lazy(message, low=low, high=high) if message is not None else None
    return [MinValueValidator(low, message=said), MaxValueValidator(high, message=said)]


def range_check(model_name: str, field: str, low: Any, high: Any) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__gte": low, f"{field}__lte": high}),
        name=f"{model_name}_{field}_range",
        violation_error_message=format_lazy(
            _("{field} must be between {low} and {high}."), field=field, low=low, high=high
        ),
    )


def dial_number_check(model_name: str, pattern: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(number__regex=pattern),
        name=f"{model_name}_number_format",
        violation_error_message=_("The number must be international digits or a SIP-URI."),
    )
