"""What staff do to a callback from its page or its contact's: cancel it, place it again, place
it anyway. Each action is a step of the transitions table, which says when it is offered; the
service checks again, atomically, when the person confirms."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrOrPromise

from ..delivery import staff_actions
from ..delivery.transitions import Step, allows
from ..models import CallbackRequest
from ..permissions import OVERRIDE_COOLDOWN, PLACE_CALLBACK
from .base import missing_object_redirect


@dataclass(frozen=True)
class CallbackAction:
    name: str  # in the URL and the button's class
    step: Step
    label: StrOrPromise  # the button on the contact's page
    title: StrOrPromise
    warning: StrOrPromise
    confirm: StrOrPromise  # the button that does it
    permission: str
    run: Callable[[CallbackRequest, Any], None]  # (callback, user)
    done: StrOrPromise

    @property
    def url_name(self) -> str:
        return f"callbacks_callbackrequest_{self.name.replace('-', '_')}"


CALLBACK_ACTIONS = {
    action.name: action
    for action in [
        CallbackAction(
            "cancel",
            Step.CANCEL,
            pgettext_lazy("callback action", "Cancel"),
            _("Cancel the callback"),
            _("The callback will not be placed. Staff can ask for a new one at any time."),
            _("Yes, cancel it"),
            PLACE_CALLBACK,
            staff_actions.cancel_callback,
            _("The callback is cancelled; it will not be placed."),
        ),
        CallbackAction(
            "place-again",
            Step.PLACE_AGAIN,
            _("Place again"),
            _("Place the callback again"),
            _(
                "Its last attempt may have rung the customer already: Exolve got the request but "
                "we do not know what it did. Find the attempt's request description in Exolve's "
                "records, or ask the customer, before you place it again."
            ),
            _("I have checked: place it again"),
            PLACE_CALLBACK,
            staff_actions.place_again,
            _("The callback is queued again."),
        ),
        CallbackAction(
            "place-anyway",
            Step.PLACE_ANYWAY,
            _("Place anyway"),
            _("Place the callback despite the cooldown"),
            _(
                "This number was called back a short while ago. Place it again only if the "
                "customer expects it."
            ),
            _("Place it anyway"),
            OVERRIDE_COOLDOWN,
            staff_actions.place_despite_cooldown,
            _("The callback is queued despite the cooldown."),
        ),
    ]
}


def offered(callback: CallbackRequest, user: User | AnonymousUser) -> list[CallbackAction]:
    """The actions this user may take on this callback now."""
    return [
        action
        for action in CALLBACK_ACTIONS.values()
        if user.has_perm(action.permission) and allows(action.step, callback)
    ]


def action_view(
    model_admin: admin.ModelAdmin[CallbackRequest],
    request: HttpRequest,
    object_id: str,
    action_name: str,
) -> HttpResponse:
    """GET: say what the action means. POST: do it (the service checks the status atomically)."""
    action = CALLBACK_ACTIONS[action_name]
    if not request.user.has_perm(action.permission):
        raise PermissionDenied
    callback = model_admin.get_object(request, object_id)
    if callback is None:
        return missing_object_redirect(model_admin, request, object_id)
    error: StrOrPromise | None = None
    if request.method == "POST":
        try:
            action.run(callback, request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            model_admin.message_user(request, action.done, messages.SUCCESS)
            return redirect("admin:callbacks_contact_change", callback.contact_id)
    if error is None and not allows(action.step, callback):
        error = _("Its status no longer allows it.")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": action.title,
        "action": action,
        "callback": callback,
        "attempts": callback.attempts.order_by("sequence"),
        "error": error or "",
    }
    return TemplateResponse(request, "admin/callbacks/callbackrequest/action.html", context)
