"""Exolve's call events, as received: read only, linked to the attempt whose call id they carry."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from ..models import CallbackAttempt, CallEvent
from ..models.events import EVENT_TYPES
from ..paging import EstimatedCountPaginator
from .base import ReadOnlyAdmin, ReadOnlyInline, pretty_json
from .list_filters import EventTypeFilter

INLINE_FIELDS = ("occurred_at", "event_side", "kind", "received_at", "payload")
PAGE_FIELDS = (
    "call_sid",
    "event_side",
    "kind",
    "date_time",
    "occurred_at",
    "received_at",
    "attempt",
    "event",
)


@admin.display(description=_("type"), ordering="type")
def kind(obj: CallEvent) -> str:
    """The event's type in words («ответ», «отбой»); one Exolve adds later, as sent."""
    return str(EVENT_TYPES.get(obj.type, obj.type))


class CallEventInline(ReadOnlyInline[CallEvent, CallbackAttempt]):
    model = CallEvent
    fields = INLINE_FIELDS
    readonly_fields = INLINE_FIELDS
    kind = staticmethod(kind)


@admin.register(CallEvent)
class CallEventAdmin(ReadOnlyAdmin[CallEvent]):
    list_display = ["received_at", "call_sid", "event_side", "kind", "occurred_at", "attempt_link"]
    list_filter = [EventTypeFilter, "event_side", "received_at"]
    search_fields = ["=call_sid"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    ordering = ["-received_at", "-id"]
    fields = PAGE_FIELDS
    readonly_fields = PAGE_FIELDS
    kind = staticmethod(kind)

    @admin.display(description=_("callback attempt"))
    def attempt_link(self, obj: CallEvent) -> SafeString | str:
        if not obj.attempt_id:
            return str(_("not linked yet"))
        url = reverse("admin:callbacks_callbackattempt_change", args=[obj.attempt_id])
        return format_html('<a href="{}">#{}</a>', url, obj.attempt_id)

    @admin.display(description=_("event as received"))
    def event(self, obj: CallEvent) -> SafeString:
        return pretty_json(obj.payload)
