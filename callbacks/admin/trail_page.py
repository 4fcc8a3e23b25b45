"""The change trail as one page: every change to the configuration and the contacts, newest first,
filtered by model, object, user and period. Read only; it shows only the models the user may
read (the trail's view permission and the model's own)."""

import operator
from datetime import date, datetime, time, timedelta
from functools import reduce
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..dates import plausible
from .base import can_open_users
from .trail_rows import TRACKED_MODELS, TrailPage, TrailQuery, trail_page
from .trail_view_rows import shown_rows

PAGE_SIZE = 50
# Deeper pages would merge ever longer runs of every table: past this, a filter finds it faster.
MAX_PAGE = 200


def readable_models(request: HttpRequest) -> list[type[models.Model]]:
    user = request.user

    def may_read(model: type[models.Model]) -> bool:
        name = model._meta.model_name
        return user.has_perm(f"callbacks.view_historical{name}") and (
            user.has_perm(f"callbacks.view_{name}") or user.has_perm(f"callbacks.change_{name}")
        )

    return [model for model in TRACKED_MODELS if may_read(model)]


def users_who_changed(tracked: list[type[models.Model]]) -> Any:
    """Only the people who changed something the user may read, not every account: an EXISTS
    per account and table, each a probe of the trail's index on its user, so the list does not
    read the history tables, which grow with every edit."""
    changed = [
        Exists(
            model.history.model._default_manager.filter(history_user=OuterRef("pk"))  # type: ignore[attr-defined]
        )
        for model in tracked
    ]
    return (
        get_user_model()._default_manager.filter(reduce(operator.or_, changed)).order_by("username")
    )


class DayInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class TrailFilterForm(forms.Form):
    model = forms.ChoiceField(label=_("Object type"), required=False)
    object = forms.IntegerField(label=_("Object id"), required=False, min_value=1)
    user: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label=_("Who"), required=False, queryset=None, empty_label=_("Anyone")
    )
    since = forms.DateField(label=_("From"), required=False, widget=DayInput())
    until = forms.DateField(label=_("To"), required=False, widget=DayInput())
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE,
        error_messages={
            "max_value": _(
                "Only the first %(limit_value)s pages are shown: narrow the period or the filters "
                "to reach older changes."
            )
        },
    )

    def __init__(self, data: Any, tracked: list[type[models.Model]]) -> None:
        super().__init__(data)
        self.tracked = {model._meta.model_name: model for model in tracked}
        model_field: Any = self.fields["model"]
        model_field.choices = [("", _("All types"))] + [
            (name, capfirst(model._meta.verbose_name_plural))
            for name, model in self.tracked.items()
        ]
        user_field: Any = self.fields["user"]
        user_field.queryset = users_who_changed(tracked)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("object") and not cleaned.get("model"):
            self.add_error("model", _("Choose the type of the object with this id."))
        since, until = cleaned.get("since"), cleaned.get("until")
        for name, day in (("since", since), ("until", until)):
            if day and not plausible(day):
                self.add_error(name, _("Choose a date between the years 2000 and 2999."))
                return cleaned
        if since and until and since > until:
            self.add_error("until", _("The end of the period is before its start."))
        return cleaned

    def query(self) -> TrailQuery:
        data = self.cleaned_data
        chosen = self.tracked.get(data["model"])
        user = data["user"]
        return TrailQuery(
            tracked=[chosen] if chosen else list(self.tracked.values()),
            object_id=data["object"],
            user_id=user.pk if user else None,
            since=start_of(data["since"]),
            until=start_of(data["until"] and data["until"] + timedelta(days=1)),
        )


def start_of(day: date | None) -> datetime | None:
    """The day's first moment in the user's time zone."""
    return None if day is None else timezone.make_aware(datetime.combine(day, time.min))


def change_trail_view(request: HttpRequest) -> HttpResponse:
    tracked = readable_models(request)
    if not tracked:
        raise PermissionDenied
    form = TrailFilterForm(request.GET, tracked)
    page_number, page = 1, TrailPage(rows=[], has_next=False)
    if form.is_valid():
        page_number = form.cleaned_data["page"] or 1
        page = trail_page(form.query(), (page_number - 1) * PAGE_SIZE, PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    chosen = form.cleaned_data.get("model") if form.is_valid() else None
    context = {
        **admin.site.each_context(request),
        "title": _("Change trail"),
        "form": form,
        "rows": shown_rows(page.rows, link_users=can_open_users(request)),
        "page": page_number,
        "has_next": page.has_next,
        "query": query.urlencode(),
        # The chosen type's own list, which filters further (by type of change, group or contact).
        "model_list_url": reverse(f"admin:callbacks_historical{chosen}_changelist")
        if chosen
        else None,
    }
    status = 200 if form.is_valid() else 400
    return render(request, "admin/callbacks/change_trail.html", context, status=status)
