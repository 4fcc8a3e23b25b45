"""A change trail row as people read it: its fields' old → new values, or, for a row added, deleted
or first recorded, the values it had. Shared by the per-model trails and the one change trail
page."""

from collections.abc import Iterator
from typing import Any

from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from ..models.fields import DialNumberField, PhoneNumberField
from ..numbers import readable_number


def readable_value(field: models.Field[Any, Any], value: Any) -> Any:
    """A value as people read it: a choice by its label, yes/no, a dash for nothing."""
    if isinstance(value, DeletedObject):
        return "—" if value.pk is None else _("deleted (id %(id)s)") % {"id": value.pk}
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(field, PhoneNumberField | DialNumberField):
        return readable_number(value)
    return value


class ReadableChanges(HistoricalRecordContextHelper):
    """simple-history's old → new values, readable (see readable_value)."""

    def prepare_delta_change_value(self, change: Any, value: Any) -> Any:
        value = super().prepare_delta_change_value(change, value)
        return readable_value(self.model._meta.get_field(change.field), value)


def changes_html(row: Any, previous: Any, parent: str | None = None) -> SafeString | str:
    """A list of the row's changes against the object's previous row (`previous`, None for its
    first). `parent`: the owner's field of a row edited inline, left out of the values."""
    if row.history_type == "~" and previous is not None:
        helper = ReadableChanges(row.instance_type, row)
        delta = row.diff_against(previous, foreign_keys_are_objs=True)
        items = [
            (change["field"], change["old"], change["new"])
            for change in helper.context_for_delta_changes(delta)
        ]
        lines = format_html_join("", "<li><strong>{}:</strong> {} → {}</li>", items)
    else:  # added, deleted, or first recorded: the values it had
        lines = format_html_join("", "<li><strong>{}:</strong> {}</li>", values(row, parent))
    if row.history_change_reason:  # what the change did beyond its fields
        lines = format_html("{}<li>{}</li>", lines, row.history_change_reason)
    return format_html('<ul class="trail-changes">{}</ul>', lines) if lines else "—"


def values(row: Any, parent: str | None) -> Iterator[tuple[str, Any]]:
    for field in row.instance_type._meta.concrete_fields:
        if field.primary_key or not field.editable or field.name == parent:
            continue
        if field.is_relation:
            value = getattr(row, field.name, None)
            if value is None and getattr(row, field.attname) is not None:
                value = DeletedObject(field.related_model, getattr(row, field.attname))
        else:
            value = getattr(row, field.attname)
        yield capfirst(field.verbose_name), readable_value(field, value)
