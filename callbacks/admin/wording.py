"""Django's admin pages with our models' names declined (callbacks.wording): the list's, add,
change, view and delete pages' titles, and an inline's "add another" button."""

import json
from typing import Any, TypeVar

from django.contrib import admin
from django.contrib.admin.helpers import InlineAdminFormSet
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

from ..wording import Wording, wording_of

M = TypeVar("M", bound=models.Model)


class WordedInlineFormSet(InlineAdminFormSet):
    """An inline whose add button says «Добавить ещё номер оператора», not «Добавить еще один
    Номер оператора»."""

    def inline_formset_data(self) -> str:
        data = json.loads(super().inline_formset_data())
        wording = wording_of(self.formset.model._meta.label_lower)
        if wording:
            data["options"]["addText"] = wording.add_another()
        return json.dumps(data)


class WordedAdmin(admin.ModelAdmin[M]):
    """Titles from the model's wording where Django's would glue its nominative name in."""

    @property
    def wording(self) -> Wording | None:
        return wording_of(self.opts.label_lower)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        wording = self.wording
        if wording and not request.GET.get(admin.options.IS_POPUP_VAR):
            may_change = self.has_change_permission(request)
            title = wording.choose_to_change() if may_change else wording.choose_to_view()
            extra_context = {"title": title, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        wording = self.wording
        if wording:
            context["title"] = self.change_form_title(request, wording, add, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def change_form_title(self, request: HttpRequest, wording: Wording, add: bool, obj: Any) -> str:
        if add:
            return wording.add()
        return wording.change() if self.has_change_permission(request, obj) else wording.view()

    def render_delete_form(self, request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
        wording = self.wording
        if wording:
            context["object_name"] = wording.accusative
            if context.get("perms_lacking") or context.get("protected"):
                context["title"] = gettext("Cannot delete %(object)s") % {
                    "object": wording.accusative
                }
        return super().render_delete_form(request, context)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions: dict[str, Any] = super().get_actions(request)
        wording = self.wording
        described = wording.delete_selected() if wording else None
        if described and "delete_selected" in actions:
            function, name, _django_description = actions["delete_selected"]
            actions["delete_selected"] = (function, name, described)
        return actions

    def get_inline_formsets(
        self, request: HttpRequest, formsets: Any, inline_instances: Any, obj: Any = None
    ) -> list[Any]:
        inline_formsets: list[Any] = super().get_inline_formsets(
            request, formsets, inline_instances, obj
        )
        for inline_formset in inline_formsets:
            inline_formset.__class__ = WordedInlineFormSet
        return inline_formsets
