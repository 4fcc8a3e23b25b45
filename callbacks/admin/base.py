"""What the admin's areas share: read-only admins for what only the services write, inlines whose
bounds the server enforces, JSON shown readably, and a search that understands typed numbers."""

import json
from typing import Any, TypeVar

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..numbers import normalize_phone_number
from .wording import WordedAdmin

M = TypeVar("M", bound=models.Model)  # the model an admin shows
Row = TypeVar("Row", bound=models.Model)  # an inline's rows


class PlainUserNames(WordedAdmin[M]):
    """Read-only user fields (who added, requested or decided) as plain names for those who may not
    open users: Django links a read-only foreign key to its admin page, a 403 for them."""

    # Any: the stubs allow only names, and these lists hold functions too (as the admin does).
    def get_fields(self, request: HttpRequest, obj: M | None = None) -> Any:
        fields = super().get_fields(request, obj)
        if can_open_users(request):
            return fields
        read_only = list(super().get_readonly_fields(request, obj))  # by name, not yet replaced
        if not self.has_change_permission(request, obj):
            read_only = [*read_only, *fields]
        return [self.plain_user_name(name) if name in read_only else name for name in fields]

    def get_readonly_fields(self, request: HttpRequest, obj: M | None = None) -> Any:
        fields = super().get_readonly_fields(request, obj)
        if can_open_users(request):
            return fields
        return [self.plain_user_name(name) for name in fields]

    def plain_user_name(self, name: Any) -> Any:
        """For a user field, one function (the same each time: the admin matches fields to read-only
        fields by identity) that shows the user's name; anything else as it is."""
        try:
            field = self.model._meta.get_field(name) if isinstance(name, str) else None
        except FieldDoesNotExist:
            field = None
        if field is None or field.related_model is not get_user_model():
            return name
        shown = self.__dict__.setdefault("_plain_user_names", {})
        if name not in shown:

            @admin.display(description=field.verbose_name)  # type: ignore[union-attr]
            def plain_name(obj: M) -> str:
                return str(getattr(obj, name) or "—")

            shown[name] = plain_name
        return shown[name]


class ReadOnlyAdmin(PlainUserNames[M]):
    """For what the services write (the call log, call events) and the change trail: nobody adds,
    edits or deletes it here, superusers included."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline[Row, M]):
    """An inline of rows the services write: shown, never added, edited or deleted."""

    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class BoundedInline(admin.TabularInline[Row, M]):
    """An inline whose min_num and max_num are enforced by the server, not only by the admin's
    JavaScript."""

    extra = 0
    min_num = 1

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        return super().get_formset(request, obj, validate_min=True, validate_max=True, **kwargs)


def pretty_json(value: Any) -> SafeString:
    return format_html("<pre>{}</pre>", json.dumps(value, ensure_ascii=False, indent=2))


class TypedNumberSearch(WordedAdmin[M]):
    """The admin's search, plus a number typed the way people type it (8 (912) …, +7 912 …),
    looked up in `number_search_field`."""

    number_search_field: str

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[M], search_term: str
    ) -> tuple[QuerySet[M], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            number = normalize_phone_number(search_term)
        except ValidationError:
            return results, may_have_duplicates
        return results | queryset.filter(**{self.number_search_field: number}), True


def missing_object_redirect(
    model_admin: admin.ModelAdmin[Any], request: HttpRequest, object_id: str
) -> HttpResponse:
    """Django's own answer to an id that no longer exists: a message, and the admin's index."""
    response: HttpResponse = model_admin._get_obj_does_not_exist_redirect(  # type: ignore[attr-defined]
        request, model_admin.opts, object_id
    )
    return response


def concrete_relations(model: type[models.Model]) -> list[str]:
    return [field.name for field in model._meta.concrete_fields if field.is_relation]


def can_open_users(request: HttpRequest) -> bool:
    """Whether a user's name may link to their page in Authentication (else it would be a 403)."""
    return request.user.has_perm("auth.view_user") or request.user.has_perm("auth.change_user")
