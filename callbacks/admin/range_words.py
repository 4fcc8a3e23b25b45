"""A form says a number out of range in the model's words (models/constraints.py), not in
Django's: the admin's number fields check their own bounds (0 and up for a positive field, 2⁶³ − 1
for a big one) and their digits before the model's validators run."""

from typing import Any

from django.contrib import admin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.http import HttpRequest

# Django's decimal checks: a model field that sets these says them on the form too.
DIGIT_CODES = ("max_digits", "max_decimal_places", "max_whole_digits")


def range_words(db_field: models.Field[Any, Any]) -> dict[str, Any]:
    """The field's own messages for the form field's range and digit checks."""
    words = {
        code: db_field.error_messages[code]
        for code in DIGIT_CODES
        if code in db_field.error_messages
    }
    for validator in db_field.validators:
        if isinstance(validator, MinValueValidator | MaxValueValidator):
            if validator.message is not type(validator).message:
                words[validator.code] = validator.message
    return words


class RangeWords(admin.options.BaseModelAdmin[Any]):
    """For a ModelAdmin or an inline: its form fields say the model's range messages."""

    def formfield_for_dbfield(
        self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        words = range_words(db_field)
        if words:
            kwargs["error_messages"] = {**words, **kwargs.get("error_messages", {})}
        return super().formfield_for_dbfield(db_field, request, **kwargs)
