"""The call log in the admin: callbacks and their attempts, read only for everyone, fast at
millions of rows (estimated counts, pages by id, a search by the shape of the term)."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .. import call_events
from ..dates import shown_datetime
from ..models import CallbackAttempt, CallbackRequest
from ..paging import EstimatedCountPaginator
from ..selectors import search_callbacks
from .base import ReadOnlyAdmin, ReadOnlyInline, pretty_json
from .call_events import CallEventInline
from .callback_actions import CALLBACK_ACTIONS, action_view
from .list_filters import DateRangeFilter, NeedsManagerFilter, NoOutcomeReceivedFilter

LEG_ROW = "<tr>" + "<td>{}</td>" * 7 + "</tr>"
LEG_COLUMNS = [
    _("leg"),
    _("answered"),
    _("answered at"),
    _("talk, s"),
    _("hang-up cause"),
    _("cause"),
    _("cause in words"),
]


def legs_table(callback: CallbackRequest) -> SafeString:
    """Leg A and leg B of the callback's current call, from its call events."""
    contact_first = call_events.contact_is_first(callback)
    who = {
        "A": _("contact") if contact_first else _("agents"),
        "B": _("agents") if contact_first else _("contact"),
    }
    rows = format_html_join(
        "",
        LEG_ROW,
        (
            (
                f"{leg.side} ({who[leg.side]})",
                _("yes") if leg.answered else (_("no") if leg.final else "…"),
                shown_datetime(leg.answered_at) if leg.answered_at else "",
                leg.talk_seconds if leg.talk_seconds is not None else "",
                leg.hangup_cause,
                leg.cause,
                leg.cause_text,
            )
            for leg in call_events.legs_of(callback)
        ),
    )
    header = format_html_join("", "<th>{}</th>", ((title,) for title in LEG_COLUMNS))
    return format_html('<table class="call-legs"><tr>{}</tr>{}</table>', header, rows)


ATTEMPT_ROW_FIELDS = (
    "sequence",
    "request_description",
    "started_at",
    "duration_ms",
    "result",
    "http_status",
    "call_id",
    "error",
)
CALLBACK_FIELDS = (
    "contact",
    "agent_group",
    "requested_by",
    "requested_at",
    "scheduled_for",
    "status",
    "refusal",
    "limits_overridden",
    "attempt_count",
    "next_attempt_at",
    "queued_at",
    "finished_at",
    "decided_by",
    "call_id",
    "error",
    "outcome",
    "legs",
    "final_event_at",
    "outcome_expected_by",
    "request_description",
    "body",
)
ATTEMPT_FIELDS = (
    "callback",
    "sequence",
    "request_description",
    "started_at",
    "finished_at",
    "duration_ms",
    "result",
    "http_status",
    "call_id",
    "error",
    "body",
    "response_body",
)


class CallbackAttemptInline(ReadOnlyInline[CallbackAttempt, CallbackRequest]):
    model = CallbackAttempt
    fields = ATTEMPT_ROW_FIELDS
    readonly_fields = ATTEMPT_ROW_FIELDS
    ordering = ["sequence"]
    show_change_link = True


@admin.register(CallbackRequest)
class CallbackRequestAdmin(ReadOnlyAdmin[CallbackRequest]):
    list_display = [
        "requested_at",
        "contact",
        "dialled",
        "agent_group",
        "requested_by",
        "status",
        "refusal",
        "outcome",
        "next_attempt_at",
        "attempt_count",
        "call_id",
        "error",
    ]
    list_filter = [
        "status",
        "refusal",
        "call_outcome",
        NoOutcomeReceivedFilter,
        NeedsManagerFilter,
        "agent_group",
        "requested_by",
        ("requested_at", DateRangeFilter),
    ]
    # Searched by selectors.search_callbacks (one index per kind of term), not by these fields.
    search_fields = ["call_id"]
    search_help_text = _(
        "A call id, a request or attempt id, a phone number, or the start of the contact's name."
    )
    list_select_related = ["contact", "agent_group", "requested_by"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    inlines = [CallbackAttemptInline]
    fields = CALLBACK_FIELDS
    readonly_fields = CALLBACK_FIELDS

    def get_queryset(self, request: HttpRequest) -> QuerySet[CallbackRequest]:
        return super().get_queryset(request).prefetch_related("numbers")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[CallbackRequest], search_term: str
    ) -> tuple[QuerySet[CallbackRequest], bool]:
        return search_callbacks(queryset, search_term), False

    @admin.display(description=_("numbers"))
    def dialled(self, obj: CallbackRequest) -> str:
        return ", ".join(number.number for number in obj.numbers.all())

    @admin.display(description=_("call outcome"), ordering="call_outcome")
    def outcome(self, obj: CallbackRequest) -> str:
        return str(obj.outcome_text)

    @admin.display(description=_("legs, from Exolve's call events"))
    def legs(self, obj: CallbackRequest) -> SafeString | str:
        return legs_table(obj) if obj.call_id else ""

    @admin.display(description=_("request body"))
    def body(self, obj: CallbackRequest) -> SafeString:
        return pretty_json(obj.request_body)

    def get_urls(self) -> list[URLPattern]:
        actions = [
            path(
                f"<path:object_id>/{action.name}/",
                self.admin_site.admin_view(self.action_view),
                {"action_name": action.name},
                name=action.url_name,
            )
            for action in CALLBACK_ACTIONS.values()
        ]
        return [*actions, *super().get_urls()]

    def action_view(self, request: HttpRequest, object_id: str, action_name: str) -> HttpResponse:
        return action_view(self, request, object_id, action_name)


@admin.register(CallbackAttempt)
class CallbackAttemptAdmin(ReadOnlyAdmin[CallbackAttempt]):
    list_display = [
        "started_at",
        "callback_link",
        "sequence",
        "result",
        "http_status",
        "call_id",
        "error",
        "duration_ms",
    ]
    list_filter = ["result", "http_status", "started_at"]
    search_fields = ["=call_id", "=request_description"]
    list_select_related = ["callback"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    fields = ATTEMPT_FIELDS
    readonly_fields = ATTEMPT_FIELDS
    inlines = [CallEventInline]

    @admin.display(description=_("callback"), ordering="callback")
    def callback_link(self, obj: CallbackAttempt) -> SafeString:
        url = reverse("admin:callbacks_callbackrequest_change", args=[obj.callback_id])
        return format_html('<a href="{}">#{}</a>', url, obj.callback_id)

    @admin.display(description=_("request body sent"))
    def body(self, obj: CallbackAttempt) -> SafeString:
        return pretty_json(obj.request_body)
