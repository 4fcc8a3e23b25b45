"""Configuration, which support managers keep: agent groups with their destinations, working hours
and holidays, media resources and TTS presets."""

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.utils import update_change_reason

from ..delivery.replan import replan_waiting
from ..models import (
    MAX_DESTINATIONS_PER_LINE,
    AgentGroup,
    Destination,
    Holiday,
    MediaResource,
    TtsPreset,
    WorkingHours,
)
from ..models.audio import TTS_CHARACTERS_PER_SECOND, TTS_MAX_SECONDS, max_tts_characters
from ..numbers import readable_number
from ..reports import rollup
from .change_trail import ChangeHistoryAdmin
from .group_checks import GroupChecks
from .ordered_rows import OrderedInline, WordedFormSet
from .range_words import RangeWords


@admin.register(MediaResource)
class MediaResourceAdmin(RangeWords, ChangeHistoryAdmin[MediaResource]):
    list_display = ["name", "media_resource_id"]
    search_fields = ["name", "=media_resource_id"]


class TtsPresetForm(ModelForm[TtsPreset]):
    class Meta:
        help_texts = {  # the admin shows help texts as HTML
            "text": _(
                "Read aloud to the party; Exolve allows 24 seconds of speech. <code>{name}</code> "
                "and <code>{company}</code> say the contact's name and company."
            )
        }


@admin.register(TtsPreset)
class TtsPresetAdmin(RangeWords, ChangeHistoryAdmin[TtsPreset]):
    form = TtsPresetForm
    list_display = ["name", "voice", "lang", "speed", "estimated_seconds"]
    list_filter = ["voice", "lang"]
    search_fields = ["name", "text"]
    fields = [
        "name",
        "text",
        "spoken_length",
        "voice",
        "lang",
        "volume",
        "speed",
        "emotion",
        "provider",
    ]
    readonly_fields = ["spoken_length"]

    class Media:
        css = {"all": ["callbacks/form_rows.css"]}
        js = ["callbacks/tts_estimate.js"]

    @admin.display(description=_("estimated speech, s"))
    def estimated_seconds(self, obj: TtsPreset) -> float:
        return round(obj.estimated_seconds, 1)

    @admin.display(description=_("spoken length"))
    def spoken_length(self, obj: TtsPreset | None) -> SafeString:
        """Our estimate against Exolve's limit; tts_estimate.js keeps it current while typing."""
        words = {
            "data-within": gettext("about %(seconds)s s of the %(limit)s s Exolve allows"),
            "data-over": gettext("about %(seconds)s s: over the %(limit)s s Exolve allows"),
        }
        return format_html(
            '<span id="tts-estimate" data-rates="{}" data-limit="{}" {}>{}</span>',
            json.dumps(TTS_CHARACTERS_PER_SECOND),
            TTS_MAX_SECONDS,
            format_html_join(" ", '{}="{}"', words.items()),
            spoken_length_words(obj.estimated_seconds) if obj else "—",
        )

    def save_model(
        self, request: HttpRequest, obj: TtsPreset, form: ModelForm[TtsPreset], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if obj.estimated_seconds > TTS_MAX_SECONDS:
            self.message_user(request, over_limit_warning(obj), messages.WARNING)


def spoken_length_words(seconds: float) -> str:
    template = (
        gettext("about %(seconds)s s: over the %(limit)s s Exolve allows")
        if seconds > TTS_MAX_SECONDS
        else gettext("about %(seconds)s s of the %(limit)s s Exolve allows")
    )
    return template % {"seconds": seconds_words(seconds), "limit": TTS_MAX_SECONDS}


def seconds_words(seconds: float) -> str:
    """To a tenth, rounded as tts_estimate.js rounds (Django's number_format cuts a float)."""
    return number_format(round(seconds, 1), 1)


def over_limit_warning(preset: TtsPreset) -> str:
    return gettext(
        "“%(preset)s” would take about %(seconds)s seconds to speak at speed %(speed)s; Exolve "
        "allows %(limit)s, and may cut it short or refuse the call. Shorten it to "
        "%(characters)s characters or raise the speed, and try it with a test call."
    ) % {
        "preset": preset,
        "seconds": seconds_words(preset.estimated_seconds),
        "speed": number_format(preset.speed),
        "limit": TTS_MAX_SECONDS,
        "characters": max_tts_characters(preset.speed, preset.lang),
    }


class DestinationInline(RangeWords, OrderedInline[Destination, AgentGroup]):
    model = Destination
    fields = ["position", "number", "timeout"]
    max_num = MAX_DESTINATIONS_PER_LINE
    too_few_message = _("Add at least one agent's number: Exolve needs someone to ring.")
    too_many_message = ngettext_lazy(
        "Exolve rings at most %(num)d agent's number: remove the extra ones.",
        "Exolve rings at most %(num)d agents' numbers: remove the extra ones.",
        "num",
    )
    limit_note = ngettext_lazy(
        "At most %(num)d agent's number: that is Exolve's limit.",
        "At most %(num)d agents' numbers: that is Exolve's limit.",
        "num",
    )
    duplicate_message = _("An agent's number is entered twice: keep it in one row.")
    duplicate_row_message = _("This number is already in a row above.")


# The hours and holidays are in the group's own time zone: Django's clock and calendar shortcuts
# ("Now", "Today") and their warning that the browser's clock is behind the server's would read the
# browser's zone, which is not the group's. Plain inputs: the time as 09:00, the date as the
# language writes it (31.12.2026).
GROUP_TIME_INPUTS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.TimeField: {"widget": forms.TimeInput(format="%H:%M")},
    models.DateField: {"widget": forms.DateInput()},
}


class WorkingHoursInline(admin.TabularInline[WorkingHours, AgentGroup]):
    model = WorkingHours
    fields = ["weekday", "opens", "closes"]
    extra = 0
    formfield_overrides = GROUP_TIME_INPUTS


class HolidayFormSet(WordedFormSet):
    duplicate_message = _("A day is entered twice: keep it in one row.")
    duplicate_row_message = _("This day is already a holiday in a row above.")


class HolidayInline(admin.TabularInline[Holiday, AgentGroup]):
    model = Holiday
    formset = HolidayFormSet
    fields = ["date", "name"]
    extra = 0
    formfield_overrides = GROUP_TIME_INPUTS


# The group's fields that change when its waiting callbacks may go (with its hours and holidays).
REPLANNING_FIELDS = {"time_zone", "contact_calls_from", "contact_calls_until"}


@admin.register(AgentGroup)
class AgentGroupAdmin(GroupChecks, RangeWords, ChangeHistoryAdmin[AgentGroup]):
    # What a manager scans, inside 1366 px; the Exolve number and resource are on the group's page.
    list_display = [
        "name",
        "is_active",
        "destination_order",
        "agents_rung",
        "contact_rung_first",
    ]
    list_filter = ["is_active", "contact_first"]
    search_fields = ["name", "=number_code", "destinations__number"]
    inlines = [DestinationInline, WorkingHoursInline, HolidayInline]
    formfield_overrides = GROUP_TIME_INPUTS  # the contact's quiet hours: the contact's time

    class Media:
        # The list's ordered destinations; the form's inputs beside long labels.
        css = {"all": ["callbacks/ordered_rows.css", "callbacks/form_rows.css"]}

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
        (
            _("Redialling"),
            {
                "description": _(
                    "When a placed call does not connect, the callback may be placed again by "
                    "itself after a delay, up to the most connection attempts and before the "
                    "expiry. Test calls are never redialled."
                ),
                "fields": [
                    ("redial_contact_no_answer", "redial_contact_no_answer_delay"),
                    ("redial_agents_no_answer", "redial_agents_no_answer_delay"),
                    ("redial_failed", "redial_failed_delay"),
                    "max_attempts",
                    "expiry_hours",
                    "when_closed",
                ],
            },
        ),
        (
            _("The contact's quiet hours"),
            {
                "description": _(
                    "No call, redial or scheduled callback rings the contact outside these hours "
                    "of the contact's own time."
                ),
                "fields": [("contact_calls_from", "contact_calls_until")],
            },
        ),
        (
            _("Service level"),
            {
                "description": _(
                    "What the board measures the group by: the share of callbacks connected soon "
                    "after the press, against a target, and scheduled callbacks placed on time."
                ),
                "fields": [
                    ("service_level_minutes", "service_level_target"),
                    "punctuality_minutes",
                ],
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        groups: QuerySet[Any] = super().get_queryset(request)
        counted: QuerySet[Any] = groups.annotate(destination_total=Count("destinations"))
        return counted.prefetch_related("destinations")

    @admin.display(description=_("agents' numbers"), ordering="destination_total")
    def destination_order(self, obj: AgentGroup) -> SafeString:
        numbers = ((readable_number(d.number),) for d in obj.destinations.all())
        return format_html(
            '<ol class="destination-order">{}</ol>', format_html_join("", "<li>{}</li>", numbers)
        )

    @admin.display(description=_("agents are rung"), ordering="agent_ring_logic")
    def agents_rung(self, obj: AgentGroup) -> str:
        return obj.get_agent_ring_logic_display()

    @admin.display(description=_("contact first"), boolean=True, ordering="contact_first")
    def contact_rung_first(self, obj: AgentGroup) -> bool:
        return obj.contact_first

    def save_related(
        self,
        request: HttpRequest,
        form: ModelForm[AgentGroup],
        formsets: list[BaseInlineFormSet[Any, AgentGroup, Any]],
        change: bool,
    ) -> None:
        """Once the hours are saved: the group's waiting callbacks take the new hours' times.
        A new service level threshold: the reports count the group's callbacks against it."""
        super().save_related(request, form, formsets, change)
        if change and "service_level_minutes" in form.changed_data:
            rollup.recount_group(form.instance)
        hours_changed = bool(REPLANNING_FIELDS & set(form.changed_data)) or any(
            formset.model in (WorkingHours, Holiday) and formset.has_changed()
            for formset in formsets
        )
        if not (change and hours_changed):
            return
        replanned = replan_waiting(form.instance)
        if replanned:
            reason = gettext("Waiting callbacks re-planned for the new hours: %(count)d.") % {
                "count": replanned
            }
            update_change_reason(form.instance, reason)  # the group's change in the trail says so
            self.message_user(request, reason, messages.INFO)
