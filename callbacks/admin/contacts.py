"""Contacts, which staff keep, and the Call back page: confirm what will be dialled, then create
the callback."""

from dataclasses import dataclass
from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _

from ..delivery.create import create_callback
from ..delivery.replan import replan_contact
from ..forms import CallbackForm
from ..local_time import ContactZones, contact_zones
from ..local_time_words import contact_now
from ..models import (
    MAX_NUMBERS_PER_CONTACT,
    CallbackRequest,
    CallbackStatus,
    Contact,
    ContactNumber,
)
from ..permissions import PLACE_CALLBACK, VIEW_CALL_LOG
from ..selectors import recent_callbacks
from .base import TypedNumberSearch, missing_object_redirect
from .callback_actions import CallbackAction, offered, refused_press_message
from .callback_story import both_times, site_time
from .change_trail import ChangeHistoryAdmin
from .ordered_rows import OrderedContactNumbers


@dataclass(frozen=True)
class CallbackRow:
    """A callback as the contact's page lists it."""

    callback: CallbackRequest
    actions: list[CallbackAction]
    waits_until: str  # while it waits: when it will be placed, in its group's and contact's time
    requested_at: str  # in the site's time zone, saying which


def callback_row(
    callback: CallbackRequest, user: User | AnonymousUser, zones: ContactZones | None = None
) -> CallbackRow:
    waits_until = both_times(callback, zones) if callback.is_scheduled else ""
    return CallbackRow(
        callback, offered(callback, user), waits_until, site_time(callback.requested_at)
    )


class ContactNumberInline(OrderedContactNumbers[ContactNumber, Contact]):
    model = ContactNumber
    fields = ["position", "number", "label"]
    max_num = MAX_NUMBERS_PER_CONTACT


@admin.register(Contact)
class ContactAdmin(TypedNumberSearch[Contact], ChangeHistoryAdmin[Contact]):
    list_display = ["name", "company", "updated_at"]
    fields = ["name", "company", "time_zone", "notes"]
    search_fields = ["name", "company", "numbers__number"]
    number_search_field = "numbers__number"
    inlines = [ContactNumberInline]

    def save_related(
        self,
        request: HttpRequest,
        form: ModelForm[Contact],
        formsets: list[BaseInlineFormSet[Any, Contact, Any]],
        change: bool,
    ) -> None:
        """Once the numbers are saved: a new time zone (or numbers, which guess it) moves the
        contact's waiting callbacks past its quiet hours."""
        super().save_related(request, form, formsets, change)
        zone_changed = "time_zone" in form.changed_data or any(
            formset.has_changed() for formset in formsets
        )
        if change and zone_changed and replan_contact(form.instance):
            self.message_user(
                request,
                _("The contact's waiting callbacks were re-planned for its time."),
                messages.INFO,
            )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Contact]:
        """Customers only: a support manager's test contact (delivery/test_call.py) is nobody
        staff call back."""
        return super().get_queryset(request).filter(test_caller__isnull=True)

    def get_urls(self) -> list[URLPattern]:
        callback = path(
            "<path:object_id>/callback/",
            self.admin_site.admin_view(self.callback_view),
            name="callbacks_contact_callback",
        )
        return [callback, *super().get_urls()]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        contact = self.get_object(request, object_id)
        may_read_call_log = request.user.has_perm(VIEW_CALL_LOG)
        callbacks = recent_callbacks(contact) if contact and may_read_call_log else []
        zones = contact_zones(contact) if contact else None
        rows = [callback_row(callback, request.user, zones) for callback in callbacks]
        extra_context = {
            **(extra_context or {}),
            "can_place_callback": request.user.has_perm(PLACE_CALLBACK),
            "show_callbacks": may_read_call_log,
            "callback_rows": rows,
            "offers_actions": any(row.actions for row in rows),
            "callbacks_changing": any(row.callback.still_changing for row in rows),
            "contact_time": contact_now(zones, timezone.now()) if zones else "",
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def callback_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """GET: confirm what will be dialled. POST: create the callback and queue it."""
        if not request.user.has_perm(PLACE_CALLBACK):
            raise PermissionDenied
        contact = self.get_object(request, object_id)
        if contact is None:
            return missing_object_redirect(self, request, object_id)
        form = CallbackForm(request.POST or None, contact=contact)
        if request.method == "POST" and form.is_valid():
            try:
                callback = create_callback(
                    contact=contact,
                    requested_by=cast(User, request.user),  # admin_view lets only staff in
                    agent_group=form.cleaned_data["agent_group"],
                    scheduled_for=form.cleaned_data["scheduled_for"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if callback.status == CallbackStatus.REFUSED:
                    form.add_error(None, refused_press_message(callback, request.user))
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
            "group_times": form.group_times(),
            "contact_time": contact_now(form.contact_zones, timezone.now()),
        }
        return TemplateResponse(request, "admin/callbacks/contact/callback.html", context)


def callback_queued_message(callback: CallbackRequest) -> tuple[str, int]:
    """What staff are told once the callback is saved: when it goes out, or that it waits."""
    names = {"group": callback.agent_group, "contact": callback.contact}
    if callback.is_scheduled:
        message = _("Callback scheduled: Exolve will ring “%(group)s” and %(contact)s at %(time)s.")
        return message % {**names, "time": both_times(callback)}, messages.SUCCESS
    if callback.queued_at is None:
        message = _(
            "Callback saved, but the queue is not answering: it will be placed as soon as the "
            "queue is back."
        )
        return message, messages.WARNING
    message = _("Callback queued: Exolve will ring “%(group)s” and %(contact)s.")
    return message % names, messages.SUCCESS
