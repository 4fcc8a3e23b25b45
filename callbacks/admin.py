import json
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from . import call_events, dispatch
from .forms import CallbackForm
from .history_lists import DateRangeFilter, EstimatedCountPaginator, search_history
from .models import (
    MAX_DESTINATIONS_PER_LINE,
    MAX_NUMBERS_PER_CONTACT,
    AgentGroup,
    CallbackAttempt,
    CallbackRequest,
    CallbackStatus,
    CallEvent,
    Contact,
    ContactNumber,
    Destination,
    DoNotCallNumber,
    Holiday,
    MediaResource,
    Refusal,
    TtsPreset,
    WorkingHours,
)
from .models.configuration import estimated_speech_seconds
from .numbers import normalize_phone_number
from .selectors import recent_callbacks

admin.site.site_header = _("Callback desk")
admin.site.site_title = _("Callback desk")
admin.site.index_title = _("Callbacks through MTS Exolve")

PLACE_CALLBACK_PERMISSION = "callbacks.place_callback"


class ReadOnlyMixin:
    """History is written by the dispatch service only: nobody adds, edits or deletes it here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def pretty_json(value):
    return format_html("<pre>{}</pre>", json.dumps(value, ensure_ascii=False, indent=2))


def search_by_typed_number(admin_super, request, queryset, search_term, number_field):
    """The admin's search, plus a number typed the way people type it (8 (912) …, +7 912 …)."""
    results, may_have_duplicates = admin_super.get_search_results(request, queryset, search_term)
    try:
        number = normalize_phone_number(search_term)
    except ValidationError:
        return results, may_have_duplicates
    return results | queryset.filter(**{number_field: number}), True


# --- who changed what: the History page of configuration and contacts, and the change trail ---
# (README "Who changed what"). django-simple-history keeps a row per save and delete of each model
# below, with its values and the user (its middleware records the admin user, inline rows too).
# Everything here only reads those rows: there is no revert, and nobody may change or delete them.


def readable_value(field, value):
    """A value as people read it: a choice by its label, yes/no, a dash for nothing."""
    if isinstance(value, DeletedObject):
        return "—" if value.pk is None else _("deleted (id %(id)s)") % {"id": value.pk}
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


class ReadableChanges(HistoricalRecordContextHelper):
    """simple-history's old → new values, readable (see readable_value)."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        return readable_value(self.model._meta.get_field(change.field), value)


class ChangeHistoryAdmin(SimpleHistoryAdmin):
    """An object's History page: each change with who, when and its fields' old → new values.

    Read only for everyone: the page needs the trail's view permission (view_historical…), nobody
    has its change permission, a past version is shown without a Revert button, and posting it
    (simple-history would save the posted form: a revert) is refused.
    """

    enforce_history_permissions = True

    def revert_disabled(self, request, obj=None):
        return True

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChanges(self.model, historical_record)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_readonly_fields(self, request, obj=None):
        if hasattr(
            obj, "_history"
        ):  # a past version (simple-history marks it so): every field read only
            return [
                field.name
                for field in obj._meta.concrete_fields
                if field.editable and not field.primary_key
            ]
        return super().get_readonly_fields(request, obj)


# simple-history's own pages say these. Its Russian catalog lacks them, or says "Изменено" for both
# "Changed" and "Changed by", so ours (which comes first) translates them.
SIMPLE_HISTORY_MESSAGES = [
    gettext_noop("Changed by"),
    gettext_noop("Changes"),
    gettext_noop("View history: %s"),
    gettext_noop("View %(verbose_name)s"),
]


def titled(list_filter, title):
    """A field's list filter under our own title (the history fields have English names only)."""

    class Titled(list_filter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return Titled


class ChangeTrailList(ChangeList):
    """The page's rows, each given the row before it of the same object (one query for the page)."""

    def get_results(self, request):
        super().get_results(request)
        earlier = [row.previous_history_id for row in self.result_list if row.previous_history_id]
        previous = self.model._default_manager.in_bulk(earlier)
        for row in self.result_list:
            row.previous_record = previous.get(row.previous_history_id)


class ChangeTrailAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Every change to one model's rows, newest first, across all its objects."""

    parent = None  # the field of an inline-edited row's owner (agent group, contact), or None
    list_display = ["when", "who", "kind", "changed_object", "changes"]
    list_display_links = ["when"]
    list_filter = [
        ("history_type", titled(admin.ChoicesFieldListFilter, _("type"))),
        ("history_user", titled(admin.RelatedOnlyFieldListFilter, _("who"))),
        ("history_date", titled(admin.DateFieldListFilter, _("when"))),
    ]
    show_full_result_count = False
    actions = None

    def get_changelist(self, request, **kwargs):
        return ChangeTrailList

    def get_queryset(self, request):
        earlier = (
            self.model._default_manager.filter(
                id=OuterRef("id"), history_id__lt=OuterRef("history_id")
            )
            .order_by("-history_id")
            .values("history_id")[:1]
        )
        return super().get_queryset(request).annotate(previous_history_id=Subquery(earlier))

    @admin.display(description=_("when"), ordering="history_date")
    def when(self, row):
        return timezone.localtime(row.history_date).strftime("%Y-%m-%d %H:%M:%S")

    @admin.display(description=_("who"))
    def who(self, row):
        return row.history_user or "—"

    @admin.display(description=_("type"))
    def kind(self, row):
        return f"{row.history_type} {row.get_history_type_display()}"

    @admin.display(description=_("object"))
    def changed_object(self, row):
        """The object as it was, linking to all its changes."""
        return format_html('<a href="?id={}">{}</a>', row.id, row.instance)

    @admin.display(description=_("changes: old → new"))
    def changes(self, row):
        previous = getattr(row, "previous_record", None)
        if row.history_type == "~" and previous is not None:
            helper = ReadableChanges(row.instance_type, row)
            delta = row.diff_against(previous, foreign_keys_are_objs=True)
            items = [
                (c["field"], c["old"], c["new"]) for c in helper.context_for_delta_changes(delta)
            ]
            lines = format_html_join("", "<li><strong>{}:</strong> {} → {}</li>", items)
        else:  # added, deleted, or first recorded: the values it had
            lines = format_html_join("", "<li><strong>{}:</strong> {}</li>", self.values(row))
        return format_html('<ul class="trail-changes">{}</ul>', lines) if lines else "—"

    def values(self, row):
        for field in row.instance_type._meta.concrete_fields:
            if field.primary_key or not field.editable or field.name == self.parent:
                continue
            value = (
                getattr(row, field.name, None) if field.is_relation else getattr(row, field.attname)
            )
            if field.is_relation and value is None and getattr(row, field.attname) is not None:
                value = DeletedObject(field.related_model, getattr(row, field.attname))
            yield capfirst(field.verbose_name), readable_value(field, value)


def register_change_trail(model, parent=None):
    """The trail of `model`'s changes in the admin. `parent`: its owner's field, shown and filtered by."""
    history = model.history.model
    relations = [field.name for field in model._meta.concrete_fields if field.is_relation]
    attrs = {"parent": parent, "list_select_related": ["history_user", *relations]}
    if parent:
        attrs["list_display"] = [
            *ChangeTrailAdmin.list_display[:3],
            parent,
            *ChangeTrailAdmin.list_display[3:],
        ]
        attrs["list_filter"] = [
            *ChangeTrailAdmin.list_filter,
            (parent, admin.RelatedOnlyFieldListFilter),
        ]
    admin.site.register(history, type(f"{history.__name__}Admin", (ChangeTrailAdmin,), attrs))


for trail_model, trail_parent in [
    (AgentGroup, None),
    (Destination, "agent_group"),
    (WorkingHours, "agent_group"),
    (Holiday, "agent_group"),
    (MediaResource, None),
    (TtsPreset, None),
    (Contact, None),
    (ContactNumber, "contact"),
]:
    register_change_trail(trail_model, trail_parent)

# --- end of who changed what ---------------------------------------------------------------


# --- configuration ----------------------------------------------------------------------


@admin.register(MediaResource)
class MediaResourceAdmin(ChangeHistoryAdmin):
    list_display = ["name", "media_resource_id"]
    search_fields = ["name", "=media_resource_id"]


@admin.register(TtsPreset)
class TtsPresetAdmin(ChangeHistoryAdmin):
    list_display = ["name", "voice", "lang", "speed", "estimated_seconds"]
    list_filter = ["voice", "lang"]
    search_fields = ["name", "text"]

    @admin.display(description=_("estimated speech, s"))
    def estimated_seconds(self, obj):
        return round(estimated_speech_seconds(obj.text, obj.speed), 1)


class BoundedInline(admin.TabularInline):
    """An inline whose min_num and max_num are enforced by the server, not only by the admin's JavaScript."""

    extra = 0
    min_num = 1

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, validate_min=True, validate_max=True, **kwargs)


class DestinationInline(BoundedInline):
    model = Destination
    fields = ["position", "number", "timeout"]
    max_num = MAX_DESTINATIONS_PER_LINE


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    fields = ["weekday", "opens", "closes"]
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    fields = ["date", "name"]
    extra = 0


@admin.register(AgentGroup)
class AgentGroupAdmin(ChangeHistoryAdmin):
    list_display = [
        "name",
        "is_active",
        "number_code",
        "callback_resource_id",
        "destination_count",
        "contact_first",
    ]
    list_filter = ["is_active", "contact_first"]
    search_fields = ["name", "=number_code", "destinations__number"]
    inlines = [DestinationInline, WorkingHoursInline, HolidayInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "is_active",
                    "number_code",
                    "callback_resource_id",
                    "duration",
                    "contact_first",
                    "time_zone",
                ]
            },
        ),
        (
            _("Agents' side"),
            {
                "fields": [
                    "agent_ring_logic",
                    "agent_display_number",
                    "agent_media_resource",
                    "agent_tts_preset",
                ]
            },
        ),
        (
            _("Contact's side"),
            {
                "fields": [
                    "contact_ring_logic",
                    "contact_timeout",
                    "contact_display_number",
                    "contact_media_resource",
                    "contact_tts_preset",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(destination_total=Count("destinations"))

    @admin.display(description=_("destinations"), ordering="destination_total")
    def destination_count(self, obj):
        return obj.destination_total


# --- contacts ---------------------------------------------------------------------------


class ContactNumberInline(BoundedInline):
    model = ContactNumber
    fields = ["position", "number", "label"]
    max_num = MAX_NUMBERS_PER_CONTACT


@admin.register(Contact)
class ContactAdmin(ChangeHistoryAdmin):
    list_display = ["name", "company", "updated_at"]
    search_fields = ["name", "company", "numbers__number"]
    inlines = [ContactNumberInline]

    def get_search_results(self, request, queryset, search_term):
        return search_by_typed_number(super(), request, queryset, search_term, "numbers__number")

    def get_urls(self):
        callback = path(
            "<path:object_id>/callback/",
            self.admin_site.admin_view(self.callback_view),
            name="callbacks_contact_callback",
        )
        return [callback, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        contact = self.get_object(request, object_id)
        may_read_history = request.user.has_perm("callbacks.view_callbackrequest")
        extra_context = {
            **(extra_context or {}),
            "can_place_callback": request.user.has_perm(PLACE_CALLBACK_PERMISSION),
            "can_override_cooldown": request.user.has_perm(dispatch.OVERRIDE_COOLDOWN_PERMISSION),
            "show_callbacks": may_read_history,
            "callbacks": recent_callbacks(contact) if contact and may_read_history else [],
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def callback_view(self, request, object_id):
        """GET: confirm what will be dialled. POST: record the request and queue it."""
        if not request.user.has_perm(PLACE_CALLBACK_PERMISSION):
            raise PermissionDenied
        contact = self.get_object(request, object_id)
        if contact is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        form = CallbackForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                callback = dispatch.request_callback(
                    contact=contact,
                    requested_by=request.user,
                    agent_group=form.cleaned_data["agent_group"],
                    scheduled_for=form.cleaned_data["scheduled_for"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if callback.status == CallbackStatus.REFUSED:
                    form.add_error(None, _("Refused: %(reason)s") % {"reason": callback.error})
                else:
                    self.message_user(request, *callback_queued_message(callback))
                    return redirect("admin:callbacks_contact_change", contact.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Call back %(contact)s") % {"contact": contact},
            "contact": contact,
            "form": form,
            "numbers": contact.numbers.all(),
            "groups": form.fields["agent_group"].queryset,  # with their destinations prefetched
        }
        return TemplateResponse(request, "admin/callbacks/contact/callback.html", context)


def callback_queued_message(callback):
    names = {"group": callback.agent_group, "contact": callback.contact}
    if callback.is_scheduled:
        when = timezone.localtime(callback.next_attempt_at).strftime("%Y-%m-%d %H:%M %Z")
        return _(
            "Callback scheduled: Exolve will ring “%(group)s” and %(contact)s at %(time)s."
        ) % {
            **names,
            "time": when,
        }, messages.SUCCESS
    if callback.queued_at is None:
        return _(
            "Callback saved, but the queue is not answering: it will be placed as soon as the queue is back."
        ), messages.WARNING
    return _(
        "Callback queued: Exolve will ring “%(group)s” and %(contact)s."
    ) % names, messages.SUCCESS


# --- history ----------------------------------------------------------------------------


class CallbackAttemptInline(ReadOnlyMixin, admin.TabularInline):
    model = CallbackAttempt
    fields = [
        "number",
        "request_description",
        "started_at",
        "duration_ms",
        "outcome",
        "http_status",
        "call_id",
        "error",
    ]
    readonly_fields = fields
    ordering = ["number"]
    extra = 0
    show_change_link = True


class NoOutcomeReceivedFilter(admin.SimpleListFilter):
    """Placed callbacks whose final call event has not come long after the call must have ended."""

    title = _("call events")
    parameter_name = "no_outcome"

    def lookups(self, request, model_admin):
        return [("1", _("No outcome received"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset & call_events.no_outcome_received()
        return queryset


LEG_ROWS = "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"


def legs_table(callback):
    contact_first = call_events.contact_is_first(callback)
    who = {
        "A": _("contact") if contact_first else _("agents"),
        "B": _("agents") if contact_first else _("contact"),
    }
    rows = format_html_join(
        "",
        LEG_ROWS,
        (
            (
                f"{leg.side} ({who[leg.side]})",
                _("yes") if leg.answered else (_("no") if leg.final else "…"),
                timezone.localtime(leg.answered_at).strftime("%Y-%m-%d %H:%M:%S")
                if leg.answered_at
                else "",
                leg.talk_seconds if leg.talk_seconds is not None else "",
                leg.hangup_cause,
                leg.cause,
                leg.cause_text,
            )
            for leg in call_events.legs_of(callback)
        ),
    )
    header = format_html_join(
        "",
        "<th>{}</th>",
        (
            (title,)
            for title in [
                _("leg"),
                _("answered"),
                _("answered at"),
                _("talk, s"),
                _("hang-up cause"),
                _("cause"),
                _("cause in words"),
            ]
        ),
    )
    return format_html('<table class="call-legs"><tr>{}</tr>{}</table>', header, rows)


@dataclass(frozen=True)
class CallbackAction:
    """Something staff do to a request from its page: cancel it, or place it again."""

    name: str
    title: str
    warning: str
    button: str
    permission: str
    allowed_for: Callable  # callback -> bool, for the page; the service checks again atomically
    run: Callable  # a dispatch function (callback, user)
    done: str


CALLBACK_ACTIONS = {
    "cancel": CallbackAction(
        "cancel",
        _("Cancel the callback"),
        _("The callback will not be placed. Staff can ask for a new one at any time."),
        _("Yes, cancel it"),
        PLACE_CALLBACK_PERMISSION,
        lambda callback: callback.status == CallbackStatus.PENDING,
        dispatch.cancel_callback,
        _("The callback is cancelled; it will not be placed."),
    ),
    "place-again": CallbackAction(
        "place-again",
        _("Place the callback again"),
        _(
            "Its last attempt may have rung the customer already: Exolve got the request but we do not know "
            "what it did. Find the attempt's request description in Exolve's records, or ask the customer, "
            "before you place it again."
        ),
        _("I have checked: place it again"),
        PLACE_CALLBACK_PERMISSION,
        lambda callback: callback.status == CallbackStatus.UNKNOWN,
        dispatch.place_again,
        _("The callback is queued again."),
    ),
    "place-anyway": CallbackAction(
        "place-anyway",
        _("Place the callback despite the cooldown"),
        _(
            "This number was called back a short while ago. Place it again only if the customer expects it."
        ),
        _("Place it anyway"),
        dispatch.OVERRIDE_COOLDOWN_PERMISSION,
        lambda callback: (
            callback.status == CallbackStatus.REFUSED and callback.refusal == Refusal.COOLDOWN
        ),
        dispatch.place_despite_cooldown,
        _("The callback is queued despite the cooldown."),
    ),
}


@admin.register(CallbackRequest)
class CallbackRequestAdmin(ReadOnlyMixin, admin.ModelAdmin):
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
        "agent_group",
        "requested_by",
        ("requested_at", DateRangeFilter),
    ]
    # Searched by history_lists.search_history (one index per kind of term), not by these fields.
    search_fields = ["call_id"]
    search_help_text = _(
        "A call id, a request or attempt id, a phone number, or the start of the contact's name."
    )
    list_select_related = ["contact", "agent_group", "requested_by"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    inlines = [CallbackAttemptInline]
    fields = [
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
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("numbers")

    def get_search_results(self, request, queryset, search_term):
        return search_history(queryset, search_term), False

    @admin.display(description=_("numbers"))
    def dialled(self, obj):
        return ", ".join(number.number for number in obj.numbers.all())

    @admin.display(description=_("call outcome"), ordering="call_outcome")
    def outcome(self, obj):
        return obj.outcome_text

    @admin.display(description=_("legs, from Exolve's call events"))
    def legs(self, obj):
        return legs_table(obj) if obj.call_id else ""

    @admin.display(description=_("request body"))
    def body(self, obj):
        return pretty_json(obj.request_body)

    def get_urls(self):
        actions = [
            path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(self.action_view),
                {"action": name},
                name=f"callbacks_callbackrequest_{name.replace('-', '_')}",
            )
            for name in CALLBACK_ACTIONS
        ]
        return [*actions, *super().get_urls()]

    def action_view(self, request, object_id, action):
        """GET: say what the action means. POST: do it (dispatch checks the status atomically)."""
        action = CALLBACK_ACTIONS[action]
        if not request.user.has_perm(action.permission):
            raise PermissionDenied
        callback = self.get_object(request, object_id)
        if callback is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        error = None
        if request.method == "POST":
            try:
                action.run(callback, request.user)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                self.message_user(request, action.done, messages.SUCCESS)
                return redirect("admin:callbacks_contact_change", callback.contact_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": action.title,
            "action": action,
            "callback": callback,
            "attempts": callback.attempts.order_by("number"),
            "error": error
            or ("" if action.allowed_for(callback) else _("Its status no longer allows it.")),
        }
        return TemplateResponse(request, "admin/callbacks/callbackrequest/action.html", context)


class CallEventInline(ReadOnlyMixin, admin.TabularInline):
    model = CallEvent
    fields = ["occurred_at", "event_side", "type", "received_at", "payload"]
    readonly_fields = fields
    extra = 0


@admin.register(CallEvent)
class CallEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["received_at", "call_sid", "event_side", "type", "occurred_at", "attempt_link"]
    list_filter = ["type", "event_side", "received_at"]
    search_fields = ["=call_sid"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    ordering = ["-received_at", "-id"]
    fields = [
        "call_sid",
        "event_side",
        "type",
        "date_time",
        "occurred_at",
        "received_at",
        "attempt",
        "event",
    ]
    readonly_fields = fields

    @admin.display(description=_("callback attempt"))
    def attempt_link(self, obj):
        if not obj.attempt_id:
            return _("not linked yet")
        url = reverse("admin:callbacks_callbackattempt_change", args=[obj.attempt_id])
        return format_html('<a href="{}">#{}</a>', url, obj.attempt_id)

    @admin.display(description=_("event as received"))
    def event(self, obj):
        return pretty_json(obj.payload)


@admin.register(CallbackAttempt)
class CallbackAttemptAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "started_at",
        "request_link",
        "number",
        "outcome",
        "http_status",
        "call_id",
        "error",
        "duration_ms",
    ]
    list_filter = ["outcome", "http_status", "started_at"]
    search_fields = ["=call_id", "=request_description"]
    list_select_related = ["request"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    fields = [
        "request",
        "number",
        "request_description",
        "started_at",
        "finished_at",
        "duration_ms",
        "outcome",
        "http_status",
        "call_id",
        "error",
        "body",
        "response_body",
    ]
    readonly_fields = fields
    inlines = [CallEventInline]

    @admin.display(description=_("callback request"), ordering="request")
    def request_link(self, obj):
        url = reverse("admin:callbacks_callbackrequest_change", args=[obj.request_id])
        return format_html('<a href="{}">#{}</a>', url, obj.request_id)

    @admin.display(description=_("request body sent"))
    def body(self, obj):
        return pretty_json(obj.request_body)


@admin.register(DoNotCallNumber)
class DoNotCallNumberAdmin(admin.ModelAdmin):
    list_display = ["number", "reason", "added_by", "added_at"]
    search_fields = ["number", "reason"]
    list_select_related = ["added_by"]
    fields = ["number", "reason", "added_by", "added_at"]
    readonly_fields = ["added_by", "added_at"]

    def get_search_results(self, request, queryset, search_term):
        return search_by_typed_number(super(), request, queryset, search_term, "number")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)
