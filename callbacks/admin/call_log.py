"""The call log in the admin: callbacks and their attempts, read only for everyone, fast at
millions of rows (estimated counts, pages by id, a search by the shape of the term). A callback's
page tells its story (callback_story.py) with the staff actions it offers."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from .. import call_events
from ..models import CallbackAttempt, CallbackRequest
from ..numbers import readable_number
from ..paging import EstimatedCountPaginator
from ..selectors import STATUS_PEOPLE, search_attempts, search_callbacks
from .base import ReadOnlyAdmin, pretty_json
from .call_events import CallEventInline
from .callback_actions import CALLBACK_ACTIONS, action_view, offered
from .callback_story import (
    attempt_story,
    body_story,
    callback_story,
    status_in_words,
)
from .list_filters import (
    AttemptResultFilter,
    DateRangeFilter,
    IndexedValuesFilter,
    NeedsManagerFilter,
    NoOutcomeReceivedFilter,
    RequestedByFilter,
    TestCallFilter,
    attempt_result_words,
)

ERROR_SHOWN_IN_LIST = 60  # characters; the whole error is on the callback's page
ATTEMPT_FIELDS = (
    "callback",
    "sequence",
    "request_description",
    "started_at",
    "finished_at",
    "duration_ms",
    "result_in_words",
    "http_status",
    "call_id",
    "error",
    "legs",
    "body",
    "response_body",
)


def readable_body(body: Any, contact_first: bool) -> SafeString:
    """The MakeCallback body as a table, with the JSON as sent one click away."""
    return render_to_string(
        "admin/callbacks/make_callback_body.html",
        {"body": body_story(body, contact_first), "raw": pretty_json(body)},
    )


@admin.register(CallbackRequest)
class CallbackRequestAdmin(ReadOnlyAdmin[CallbackRequest]):
    # What a person scans, fitting 1366 px beside the filters; the rest is on the callback's page.
    list_display = ["requested_at", "contact_and_numbers", "agent_group", "status_words", "call_id"]
    list_filter = [
        "status",
        "refusal",
        "call_outcome",
        "final_state",
        NoOutcomeReceivedFilter,
        NeedsManagerFilter,
        TestCallFilter,
        "agent_group",
        ("requested_by", RequestedByFilter),
        ("requested_at", DateRangeFilter),
    ]
    # Searched by selectors.search_callbacks (one index per kind of term), not by these fields.
    search_fields = ["call_id"]
    search_help_text = _(
        "A call id, our id of a callback or an attempt (callback-…), a phone number typed any "
        "way, or the start of the contact's name."
    )
    list_select_related = ["contact", "agent_group", "requested_by", *STATUS_PEOPLE]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    # The page is the story (change_form.html), not the fields.
    fields = ("request_description",)
    readonly_fields = fields

    class Media:
        css = {"all": ["callbacks/call_log.css"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[CallbackRequest]:
        return super().get_queryset(request).prefetch_related("numbers")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[CallbackRequest], search_term: str
    ) -> tuple[QuerySet[CallbackRequest], bool]:
        return search_callbacks(queryset, search_term), False

    @admin.display(description=_("contact"), ordering="contact__name")
    def contact_and_numbers(self, obj: CallbackRequest) -> SafeString:
        numbers = ", ".join(readable_number(number.number) for number in obj.numbers.all())
        return format_html('{}<div class="callback-numbers">{}</div>', obj.contact, numbers)

    @admin.display(description=_("status and outcome"), ordering="status")
    def status_words(self, obj: CallbackRequest) -> SafeString:
        if not obj.error:
            return format_html('<span class="callback-status">{}</span>', status_in_words(obj))
        return format_html(
            '<span class="callback-status">{}</span>'
            '<div class="callback-error" title="{}">{}</div>',
            status_in_words(obj),
            obj.error,
            Truncator(obj.error).chars(ERROR_SHOWN_IN_LIST),
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.GET.get(NeedsManagerFilter.parameter_name) == "1":
            extra_context = {
                "title": _("Callbacks waiting for a support manager"),
                **(extra_context or {}),
            }
        return super().changelist_view(request, extra_context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        callback = self.get_object(request, unquote(object_id))
        context = dict(extra_context or {})
        if callback is not None:
            context |= callback_story(callback)
            context["offered_actions"] = offered(callback, request.user)
        return super().change_view(request, object_id, form_url, context)

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
        "result_in_words",
        "http_status",
        "call_id",
        "short_error",
    ]
    list_filter = [AttemptResultFilter, ("http_status", IndexedValuesFilter), "started_at"]
    # Searched by selectors.search_attempts (the call id or our id, exactly), not by these fields.
    search_fields = ["call_id"]
    list_select_related = ["callback"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    fields = ATTEMPT_FIELDS
    readonly_fields = ATTEMPT_FIELDS
    inlines = [CallEventInline]

    class Media:
        css = {"all": ["callbacks/call_log.css"]}

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[CallbackAttempt], search_term: str
    ) -> tuple[QuerySet[CallbackAttempt], bool]:
        return search_attempts(queryset, search_term), False

    @admin.display(description=_("callback"), ordering="callback")
    def callback_link(self, obj: CallbackAttempt) -> SafeString:
        url = reverse("admin:callbacks_callbackrequest_change", args=[obj.callback_id])
        return format_html('<a href="{}">#{}</a>', url, obj.callback_id)

    @admin.display(description=_("result"), ordering="result")
    def result_in_words(self, obj: CallbackAttempt) -> str:
        return attempt_result_words(obj.result)

    @admin.display(description=_("error"))
    def short_error(self, obj: CallbackAttempt) -> str:
        return Truncator(obj.error).chars(ERROR_SHOWN_IN_LIST)

    @admin.display(description=_("legs, from Exolve's call events"))
    def legs(self, obj: CallbackAttempt) -> SafeString | str:
        if not obj.call_id:
            return ""
        contact_first = call_events.contact_is_first(obj.callback)
        story = attempt_story(obj, obj.callback, contact_first)
        return render_to_string("admin/callbacks/attempt_legs.html", {"story": story})

    @admin.display(description=_("request body sent"))
    def body(self, obj: CallbackAttempt) -> SafeString:
        return readable_body(obj.request_body, call_events.contact_is_first(obj.callback))
