"""Who changed what (README, "Who changed what"): each object's History page, and the change trail
across objects, one list per model.

django-simple-history keeps a row per save and delete of the models below, with its values and
the user (its middleware records the admin user, inline rows too). Everything here only reads
those rows: there is no revert, and nobody may change or delete them."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from simple_history.admin import SimpleHistoryAdmin

from ..dates import shown_datetime
from ..models import (
    AgentGroup,
    Contact,
    ContactNumber,
    Destination,
    Holiday,
    MediaResource,
    TtsPreset,
    WorkingHours,
)
from .base import M, ReadOnlyAdmin, can_open_users, concrete_relations
from .list_filters import titled
from .trail_changes import ReadableChanges, changes_html
from .trail_rows import TRACKED_MODELS
from .wording import WordedAdmin

# simple-history's own pages say these. Its Russian catalog lacks them, or says "Изменено" for
# both "Changed" and "Changed by", so ours (which comes first) translates them.
SIMPLE_HISTORY_MESSAGES = [
    gettext_noop("Changed by"),
    gettext_noop("Changes"),
    gettext_noop("View history: %s"),
    gettext_noop("View %(verbose_name)s"),
]


class ChangeHistoryAdmin(SimpleHistoryAdmin, WordedAdmin[M]):
    """An object's History page: each change with who, when and its fields' old → new values.

    Read only for everyone: the page needs the trail's view permission (view_historical…), nobody
    has its change permission, a past version is shown without a Revert button, and posting it
    (simple-history would save the posted form: a revert) is refused.
    """

    enforce_history_permissions = True

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # simple-history links each user's name to their auth page; a role that may not open it
        # would get 403 there, so it reads the plain name (an empty view name links nothing).
        if not can_open_users(request):
            extra_context = {**(extra_context or {}), "admin_user_view": ""}
        response: HttpResponse = super().history_view(request, object_id, extra_context)
        return response

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def get_historical_record_context_helper(
        self, request: HttpRequest, historical_record: Any
    ) -> ReadableChanges:
        return ReadableChanges(self.model, historical_record)

    def set_history_delta_changes(
        self, request: HttpRequest, historical_records: Any, foreign_keys_are_objs: bool = True
    ) -> None:
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        for record in historical_records:  # the History page would print a missing reason "None"
            record.history_change_reason = record.history_change_reason or ""

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method != "GET":
            raise PermissionDenied
        response: HttpResponse = super().history_form_view(
            request, object_id, version_id, extra_context
        )
        return response

    def get_readonly_fields(
        self, request: HttpRequest, obj: Any = None
    ) -> list[str] | tuple[str, ...]:
        fields: list[str] | tuple[str, ...] = super().get_readonly_fields(request, obj)
        if hasattr(obj, "_history"):  # a past version (simple-history marks it so): all read only
            editable = [
                field.name
                for field in obj._meta.concrete_fields
                if field.editable and not field.primary_key
            ]
            return [*editable, *(name for name in fields if name not in editable)]
        return fields


class ChangeTrailList(ChangeList):
    """The page's rows, each given the row before it of the same object (one query for the page)."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        earlier = [row.previous_history_id for row in self.result_list if row.previous_history_id]
        previous = self.model._default_manager.in_bulk(earlier)
        for row in self.result_list:
            row.previous_record = previous.get(row.previous_history_id)


class ChangeTrailAdmin(ReadOnlyAdmin[Any]):  # historical models are made at run time
    """Every change to one model's rows, newest first, across all its objects. `parent`: for a
    row edited inline on its owner's page, the owner's field, shown and filtered by."""

    parent: str | None = None
    list_display = ["when", "who", "kind", "changed_object", "changes"]
    list_display_links = ["when"]
    list_filter = [
        ("history_type", titled(admin.ChoicesFieldListFilter, _("type"))),
        ("history_user", titled(admin.RelatedOnlyFieldListFilter, _("who"))),
        ("history_date", titled(admin.DateFieldListFilter, _("when"))),
    ]
    show_full_result_count = False
    actions = None

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        if not self.parent:
            return list(self.list_display)
        return [*self.list_display[:3], self.parent, *self.list_display[3:]]

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        if not self.parent:
            return list(self.list_filter)
        return [*self.list_filter, (self.parent, admin.RelatedOnlyFieldListFilter)]

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return ChangeTrailList

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        """A row's page shows its list's columns, not simple-history's own fields (whose names
        are English only)."""
        return self.get_list_display(request)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return self.get_list_display(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        earlier = (
            self.model._default_manager.filter(
                id=OuterRef("id"), history_id__lt=OuterRef("history_id")
            )
            .order_by("-history_id")
            .values("history_id")[:1]
        )
        # The trail's rows with their user and the objects they point to, in the page's query.
        relations = concrete_relations(self.model.instance_type)
        trail: QuerySet[Any] = (
            super()
            .get_queryset(request)
            .select_related("history_user", *relations)
            .annotate(previous_history_id=Subquery(earlier))
        )
        return trail

    @admin.display(description=_("when"), ordering="history_date")
    def when(self, row: Any) -> str:
        return shown_datetime(row.history_date)

    @admin.display(description=_("who"))
    def who(self, row: Any) -> Any:
        return row.history_user or "—"

    @admin.display(description=_("type"))
    def kind(self, row: Any) -> str:
        return f"{row.history_type} {row.get_history_type_display()}"

    @admin.display(description=_("object"))
    def changed_object(self, row: Any) -> SafeString:
        """The object as it was, linking to all its changes."""
        return format_html('<a href="?id={}">{}</a>', row.id, row.instance)

    @admin.display(description=_("changes: old → new"))
    def changes(self, row: Any) -> SafeString | str:
        return changes_html(row, getattr(row, "previous_record", None), self.parent)


def trail_row_text(row: Any) -> str:
    """A trail row named as people read it (simple-history's reads "… as of 2026-12-07 …")."""
    return _("%(object)s, %(when)s") % {
        "object": row.instance,
        "when": shown_datetime(row.history_date),
    }


# One trail per model with a History page, and per row edited inline on such a page.


@admin.register(AgentGroup.history.model)
class AgentGroupChangeTrailAdmin(ChangeTrailAdmin):
    pass


@admin.register(Destination.history.model)
class DestinationChangeTrailAdmin(ChangeTrailAdmin):
    parent = "agent_group"


@admin.register(WorkingHours.history.model)
class WorkingHoursChangeTrailAdmin(ChangeTrailAdmin):
    parent = "agent_group"


@admin.register(Holiday.history.model)
class HolidayChangeTrailAdmin(ChangeTrailAdmin):
    parent = "agent_group"


@admin.register(MediaResource.history.model)
class MediaResourceChangeTrailAdmin(ChangeTrailAdmin):
    pass


@admin.register(TtsPreset.history.model)
class TtsPresetChangeTrailAdmin(ChangeTrailAdmin):
    pass


@admin.register(Contact.history.model)
class ContactChangeTrailAdmin(ChangeTrailAdmin):
    pass


@admin.register(ContactNumber.history.model)
class ContactNumberChangeTrailAdmin(ChangeTrailAdmin):
    parent = "contact"


for trailed in TRACKED_MODELS:
    trailed.history.model.__str__ = trail_row_text  # type: ignore[attr-defined]
