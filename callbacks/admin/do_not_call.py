"""The do-not-call list: staff add a customer who asked never to be called; managers take one
off."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..models import DoNotCallNumber
from ..numbers import readable_number
from .base import PlainUserNames, TypedNumberSearch


@admin.register(DoNotCallNumber)
class DoNotCallNumberAdmin(PlainUserNames[DoNotCallNumber], TypedNumberSearch[DoNotCallNumber]):
    list_display = ["shown_number", "reason", "added_by", "added_at"]
    search_fields = ["number", "reason"]
    number_search_field = "number"
    list_select_related = ["added_by"]
    fields = ["number", "reason", "added_by", "added_at"]
    readonly_fields = ["added_by", "added_at"]
    new_row_fields = ["number", "reason"]  # who added it and when are known once it is saved

    @admin.display(description=_("phone number"), ordering="number")
    def shown_number(self, obj: DoNotCallNumber) -> str:
        return readable_number(obj.number)

    def get_fields(self, request: HttpRequest, obj: DoNotCallNumber | None = None) -> Any:
        return self.new_row_fields if obj is None else super().get_fields(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)
