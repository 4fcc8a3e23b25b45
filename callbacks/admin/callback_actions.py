"""What staff do to a callback from its page or its contact's: cancel it, place it again, ask a
support manager about a cooldown refusal; and what the manager does then: place it anyway or
decline it. Each action is a step of the transitions table, which says when it is offered; the
service checks again, atomically, when the person confirms."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.auth.models import AnonymousUser, Permission, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from .. import work_list
from ..delivery import no_action, staff_actions
from ..delivery.transitions import Step, allows
from ..models import CallbackRequest, CallbackStatus, lower_first, person_name
from ..permissions import OVERRIDE_COOLDOWN, PLACE_CALLBACK
from .base import missing_object_redirect


@dataclass(frozen=True)
class CallbackAction:
    name: str  # in the URL and the button's class
    step: Step | None  # None: no change of status (offered while the callback is on the work list)
    label: StrOrPromise  # the button on the contact's page
    title: StrOrPromise
    warning: StrOrPromise
    confirm: StrOrPromise  # the button that does it
    permission: str
    run: Callable[..., None]  # (callback, user), and the note if it takes one
    done: StrOrPromise
    takes_note: bool = False

    @property
    def url_name(self) -> str:
        return f"callbacks_callbackrequest_{self.name.replace('-', '_')}"

    def applies(self, callback: CallbackRequest) -> bool:
        if self.step is None:
            return work_list.need_of(callback, timezone.now()) in work_list.CHECKABLE
        return allows(self.step, callback)


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
            "place-again-not-reached",
            Step.RETRY_NOT_REACHED,
            _("Place again"),
            _("Place the callback again"),
            _(
                "The customer was not reached. It will ring the agents and the customer once "
                "more, and the group's redial policy counts its attempts anew."
            ),
            _("Place it again"),
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
        CallbackAction(
            "ask-manager",
            Step.HAND_OVER,
            _("Ask a manager"),
            _("Ask a support manager to place it anyway"),
            _(
                "The callback will wait in the “Needs a manager” list until a support manager "
                "places it despite the cooldown or declines it. You will see the decision here."
            ),
            _("Ask a manager"),
            PLACE_CALLBACK,
            staff_actions.hand_over,
            _("A support manager will decide: the callback waits in the “Needs a manager” list."),
        ),
        CallbackAction(
            "decline",
            Step.DECLINE,
            _("Decline"),
            _("Keep the callback refused"),
            _(
                "The callback stays refused and leaves the “Needs a manager” list. Staff see that "
                "you declined it."
            ),
            _("Keep it refused"),
            OVERRIDE_COOLDOWN,
            staff_actions.decline_override,
            _("The callback stays refused."),
        ),
        CallbackAction(
            "checked",
            None,
            _("Checked, no action"),
            _("Mark the callback checked, no action"),
            _(
                "It leaves the board's work list. Your name, the time and your note stay on the "
                "callback's page for auditors. If it is placed again and fails, it is listed again."
            ),
            _("Mark checked"),
            PLACE_CALLBACK,
            no_action.mark_checked,
            _("The callback is marked checked; it left the work list."),
            takes_note=True,
        ),
    ]
}


def offered(callback: CallbackRequest, user: User | AnonymousUser) -> list[CallbackAction]:
    """The actions this user may take on this callback now."""
    return [
        action
        for action in CALLBACK_ACTIONS.values()
        if user.has_perm(action.permission) and action.applies(callback)
    ]


def refused_press_message(callback: CallbackRequest, user: User | AnonymousUser) -> SafeString:
    """What staff are told when their press is refused: why and, for the cooldown, who may place
    it anyway, with a button that hands it over to them."""
    refused = format_html(
        "{}", gettext("Refused: %(reason)s") % {"reason": lower_first(callback.error)}
    )
    ask = CALLBACK_ACTIONS["ask-manager"]
    if callback.status != CallbackStatus.REFUSED or ask not in offered(callback, user):
        return refused
    return format_html(
        # Inside the page's error box, whose links are red: the button keeps a button's colours.
        '{} {} <a class="button" id="ask-manager" href="{}" style="{}">{}</a>',
        refused,
        who_may_place_anyway(),
        reverse(f"admin:{ask.url_name}", args=[callback.pk]),
        "color: var(--button-fg); text-decoration: none; font-weight: normal; margin-left: 4px",
        ask.label,
    )


def who_may_place_anyway() -> str:
    """The people given the right to place a callback despite the cooldown, by name."""
    app_label, codename = OVERRIDE_COOLDOWN.split(".")
    right = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    people = (
        User.objects.filter(is_active=True)
        .filter(Q(groups__permissions__in=right) | Q(user_permissions__in=right))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
    names = [person_name(person) for person in people]
    if not names:
        return gettext(
            "Nobody has the right to place it anyway yet: ask an administrator to give a "
            "support manager that right."
        )
    return gettext("Support managers with that right: %(names)s.") % {"names": ", ".join(names)}


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
            note = [request.POST.get("note", "")] if action.takes_note else []
            action.run(callback, request.user, *note)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            model_admin.message_user(request, action.done, messages.SUCCESS)
            return _back(request, callback)
    if error is None and not action.applies(callback):
        error = _("Its status no longer allows it.")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": action.title,
        "action": action,
        "callback": callback,
        "alternatives": [other for other in offered(callback, request.user) if other != action],
        "attempts": callback.attempts.order_by("sequence"),
        "error": error or "",
        "back_url": _back_url(request, callback),
        "note": request.POST.get("note", ""),
    }
    return TemplateResponse(request, "admin/callbacks/callbackrequest/action.html", context)


def _back_url(request: HttpRequest, callback: CallbackRequest) -> str:
    """Where the person came from if it is a page of ours (the board), else the contact's page."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("admin:callbacks_contact_change", args=[callback.contact_id])


def _back(request: HttpRequest, callback: CallbackRequest) -> HttpResponse:
    return redirect(_back_url(request, callback))
