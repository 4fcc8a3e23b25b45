"""The change trail page's rows as shown: when, who, what (the model and the object, which filters
the page to that object, and a link to its History page or its owner's page), and old → new."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from ..dates import shown_datetime
from .trail_changes import changes_html

# Nouns, where simple-history's "Created" would agree in gender with the model's name in Russian.
KINDS = {
    "+": pgettext_lazy("a change trail row", "added"),
    "~": pgettext_lazy("a change trail row", "changed"),
    "-": pgettext_lazy("a change trail row", "deleted"),
}


@dataclass(frozen=True)
class ShownRow:
    when: str
    who: str
    who_url: str | None
    kind: str
    model: str
    object: str
    filter_query: str  # the page filtered to this object
    # Its History page or, for a row edited inline, its owner's page (none once that is deleted).
    page_url: str | None
    page_label: str
    changes: SafeString | str


def shown_rows(rows: list[Any], link_users: bool) -> list[ShownRow]:
    return [shown_row(row, link_users) for row in rows]


def shown_row(row: Any, link_users: bool) -> ShownRow:
    model = row.instance_type
    name = model._meta.model_name
    parent = owner_field(row)
    user = row.history_user
    return ShownRow(
        when=shown_datetime(row.history_date),
        who=str(user) if user else "—",
        who_url=reverse("admin:auth_user_change", args=[user.pk]) if user and link_users else None,
        kind=str(KINDS.get(row.history_type, row.history_type)),
        model=capfirst(model._meta.verbose_name),
        object=str(row.instance),
        filter_query=urlencode({"model": name, "object": row.id}),
        page_url=object_page(row, name, parent),
        page_label=object_page_label(row, parent),
        changes=changes_html(row, row.previous_record, parent),
    )


def owner_field(row: Any) -> str | None:
    """For a row edited inline (a destination, a contact's number), its owner's field."""
    trail_admin = admin.site.get_model_admin(type(row))
    parent: str | None = getattr(trail_admin, "parent", None)
    return parent


def object_page_label(row: Any, parent: str | None) -> str:
    if parent is None:
        return _("History")
    field = row.instance_type._meta.get_field(parent)
    return f"{capfirst(field.verbose_name)}: {getattr(row, parent, None)}"


def object_page(row: Any, name: str, parent: str | None) -> str | None:
    if parent is None:
        return reverse(f"admin:callbacks_{name}_history", args=[row.id])
    if getattr(row, parent, None) is None:
        return None
    owner = row.instance_type._meta.get_field(parent).related_model._meta.model_name
    return reverse(f"admin:callbacks_{owner}_change", args=[getattr(row, f"{parent}_id")])
