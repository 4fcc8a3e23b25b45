"""Configuration, which support managers keep: agent groups with their destinations, working hours
and holidays, media resources and TTS presets."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext
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
from ..models.audio import estimated_speech_seconds
from .base import BoundedInline
from .change_trail import ChangeHistoryAdmin


@admin.register(MediaResource)
class MediaResourceAdmin(ChangeHistoryAdmin[MediaResource]):
    list_display = ["name", "media_resource_id"]
    search_fields = ["name", "=media_resource_id"]


@admin.register(TtsPreset)
class TtsPresetAdmin(ChangeHistoryAdmin[TtsPreset]):
    list_display = ["name", "voice", "lang", "speed", "estimated_seconds"]
    list_filter = ["voice", "lang"]
    search_fields = ["name", "text"]

    @admin.display(description=_("estimated speech, s"))
    def estimated_seconds(self, obj: TtsPreset) -> float:
        return round(estimated_speech_seconds(obj.text, obj.speed), 1)


class DestinationInline(BoundedInline[Destination, AgentGroup]):
    model = Destination
    fields = ["position", "number", "timeout"]
    max_num = MAX_DESTINATIONS_PER_LINE


class WorkingHoursInline(admin.TabularInline[WorkingHours, AgentGroup]):
    model = WorkingHours
    fields = ["weekday", "opens", "closes"]
    extra = 0


class HolidayInline(admin.TabularInline[Holiday, AgentGroup]):
    model = Holiday
    fields = ["date", "name"]
    extra = 0


@admin.register(AgentGroup)
class AgentGroupAdmin(ChangeHistoryAdmin[AgentGroup]):
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

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        groups: QuerySet[Any] = super().get_queryset(request)
        counted: QuerySet[Any] = groups.annotate(destination_total=Count("destinations"))
        return counted

    @admin.display(description=_("destinations"), ordering="destination_total")
    def destination_count(self, obj: Any) -> int:
        return int(obj.destination_total)

    def save_related(
        self,
        request: HttpRequest,
        form: ModelForm[AgentGroup],
        formsets: list[BaseInlineFormSet[Any, AgentGroup, Any]],
        change: bool,
    ) -> None:
        """Once the hours are saved: the group's waiting callbacks take the new hours' times."""
        super().save_related(request, form, formsets, change)
        hours_changed = "time_zone" in form.changed_data or any(
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
