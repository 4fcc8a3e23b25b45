"""Checking an agent group before a customer hears it, on the group's page: the MakeCallback
request it would send for a sample contact (built by the worker's own builder, the key masked),
and a test call that rings the group's agents and the support manager's own number."""

import copy
import uuid
from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import exolve
from ..delivery.contract import validate_callback
from ..delivery.test_call import place_test_call
from ..models import AgentGroup, CallbackRequest, CallbackStatus, Contact, ContactNumber
from ..selectors import agent_line, latest_test_call
from .base import missing_object_redirect, pretty_json
from .callback_story import group_time

SAMPLE_NUMBER = "79000000000"  # +7 900 000-00-00: shown, never dialled


@dataclass(frozen=True)
class RequestPreview:
    """The MakeCallback request as the worker would send it; `problems` instead when a press
    would be refused."""

    method: str = "POST"
    url: str = ""
    authorization: str = exolve.MASKED_AUTHORIZATION
    key_missing: bool = False
    body: SafeString | str = ""
    spoken: list[tuple[str, str]] = field(default_factory=list)  # (line, its TTS text as said)
    sample: Contact | None = None
    problems: list[str] = field(default_factory=list)


def sample_contact() -> tuple[Contact, list[ContactNumber]]:
    """A clearly made-up contact, never saved."""
    contact = Contact(name=_("Anna Obraztsova"), company=_("Example Ltd"))
    return contact, [ContactNumber(position=1, number=SAMPLE_NUMBER)]


def request_preview(agent_group: AgentGroup) -> RequestPreview:
    contact, numbers = sample_contact()
    destinations = agent_line(agent_group)
    try:
        validate_callback(agent_group, destinations, numbers, contact)
    except ValidationError as exc:
        return RequestPreview(problems=exc.messages, sample=contact)
    body = exolve.build_make_callback_body(
        agent_group=agent_group,
        agent_destinations=destinations,
        contact=contact,
        contact_numbers=numbers,
        request_description=f"callback-{uuid.uuid4()}",
    )
    return RequestPreview(
        url=exolve.make_callback_url(settings.EXOLVE_API_URL),
        key_missing=not settings.EXOLVE_API_KEY,
        body=pretty_json(body),
        spoken=[
            (line, body[line]["audio"]["tts"]["text"])
            for line in ("line_1", "line_2")
            if "tts" in body[line].get("audio", {})
        ],
        sample=contact,
    )


class TestCallForm(forms.Form):
    number = cast(
        forms.Field,
        ContactNumber._meta.get_field("number").formfield(
            label=gettext_lazy("Your phone number"),
            help_text=gettext_lazy(
                "Rung as the contact: you hear what a customer hears, and the agents hear a "
                "callback."
            ),
        ),
    )


class GroupChecks(admin.ModelAdmin[AgentGroup]):
    """The group's page with the request preview and the test call (for those who may change the
    group: support managers)."""

    def get_urls(self) -> list[URLPattern]:
        test_call = path(
            "<path:object_id>/test-call/",
            self.admin_site.admin_view(self.test_call_view),
            name="callbacks_agentgroup_test_call",
        )
        return [test_call, *super().get_urls()]

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: AgentGroup | None = None,
    ) -> HttpResponse:
        """A saved group's page, as read, with its checks (not while its own form is posted)."""
        if obj is not None and request.method == "GET":
            checks = self._checks_context(request, obj, context.get("test_call_form"))
            context = {**context, **checks}
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _checks_context(
        self, request: HttpRequest, group: AgentGroup, form: TestCallForm | None
    ) -> dict[str, Any]:
        context: dict[str, Any] = {"request_preview": request_preview(group)}
        if self.has_change_permission(request, group):
            user = cast(User, request.user)
            test_call = latest_test_call(group, user)
            context["test_call_form"] = form or TestCallForm(initial=_typed_before(user))
            context["test_call"] = test_call
            context["test_call_waits_until"] = (
                group_time(test_call) if test_call is not None and test_call.is_scheduled else ""
            )
        return context

    def test_call_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """POST: ring the group's agents and the number typed; GET: back to the group's page."""
        group = self.get_object(request, unquote(object_id))
        if group is None:
            return missing_object_redirect(self, request, object_id)
        if not self.has_change_permission(request, group):
            raise PermissionDenied
        page = reverse("admin:callbacks_agentgroup_change", args=[group.pk])
        if request.method != "POST":
            return redirect(page)
        form = TestCallForm(request.POST)
        if form.is_valid() and _placed(request, group, form):
            return redirect(f"{page}#test-call")
        # The group's page again, as read (its own form untouched), with the test call's errors.
        return self.change_view(_as_read(request), object_id, page, {"test_call_form": form})


def _placed(request: HttpRequest, group: AgentGroup, form: TestCallForm) -> bool:
    """Place the test call; False with the reason on the form when it is refused."""
    try:
        callback = place_test_call(
            agent_group=group,
            manager=cast(User, request.user),  # admin_view lets only staff in
            number=form.cleaned_data["number"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    if callback.status == CallbackStatus.REFUSED:
        form.add_error(None, callback.error)
        return False
    messages.add_message(request, *test_call_message(callback))
    return True


def test_call_message(callback: CallbackRequest) -> tuple[int, str]:
    names = {"group": callback.agent_group}
    if callback.is_scheduled:
        message = _("Test call saved: “%(group)s” is closed now, so it rings at %(time)s.")
        return messages.SUCCESS, message % {**names, "time": group_time(callback)}
    if callback.queued_at is None:
        message = _("Test call saved, but the queue is not answering: it rings once it is back.")
        return messages.WARNING, message
    message = _("Test call queued: Exolve will ring “%(group)s” and your number.")
    return messages.SUCCESS, message % names


def _typed_before(user: User) -> dict[str, str]:
    """The number of the manager's previous test call, if any, to ring again."""
    number = ContactNumber.objects.filter(contact__test_caller=user).values_list(
        "number", flat=True
    )
    return {"number": number[0]} if number else {}


def _as_read(request: HttpRequest) -> HttpRequest:
    """The request as a GET: the change page renders the group as saved, nothing is submitted."""
    read = copy.copy(request)
    read.method = "GET"
    read.POST = QueryDict()
    return read
