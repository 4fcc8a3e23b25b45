"""The admin site: its navigation grouped by what people do (configuration; contacts and callbacks;
records), each role's daily section first, and the change trail across models as one page.

The site is made while the admin modules register on it (`callbacks.admin` is imported then), so
this module imports no admin module at its top: the page's view is imported when the URLs are
built."""

from typing import Any

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .permissions import OVERRIDE_COOLDOWN, PLACE_CALLBACK, VIEW_CALL_LOG
from .sections import CONFIGURATION, CONTACTS, OVERVIEW, RECORDS, SECTIONS


def first_section(request: HttpRequest) -> str:
    """The section a role uses most: managers set groups up, staff call contacts back, and
    auditors (who change nothing) read the records."""
    if request.user.has_perm("callbacks.change_agentgroup"):
        return CONFIGURATION
    if request.user.has_perm(PLACE_CALLBACK):
        return CONTACTS
    return RECORDS


def page_entry(object_name: str, name: Promise, url: str) -> dict[str, Any]:
    """A page of ours in the navigation, shaped like the admin's model entries."""
    perms = {"add": False, "change": False, "delete": False, "view": True}
    return {
        "object_name": object_name,
        "name": name,
        "admin_url": url,
        "add_url": None,
        "perms": perms,
        "view_only": True,
    }


class CallbackDeskSite(admin.AdminSite):
    site_header = _("Callback desk")
    site_title = _("Callback desk")
    index_title = _("Callbacks through MTS Exolve")

    def get_urls(self) -> list[URLResolver | URLPattern]:
        from .admin.board_page import board_view
        from .admin.report_page import report_view
        from .admin.trail_page import change_trail_view

        trail = path("change-trail/", self.admin_view(change_trail_view), name="change_trail")
        board = path("board/", self.admin_view(board_view), name="board")
        reports = path("reports/", self.admin_view(report_view), name="reports")
        return [trail, board, reports, *super().get_urls()]

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """Everyone lands on the board after logging in, unless a page sent them to log in."""
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            board = reverse("admin:board", current_app=self.name)
            extra_context = {REDIRECT_FIELD_NAME: board, **(extra_context or {})}
        return super().login(request, extra_context)

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[Any]:
        apps = self._build_app_dict(request, app_label)
        callbacks = apps.pop("callbacks", None)
        entries = (
            {model["object_name"]: model for model in callbacks["models"]} if callbacks else {}
        )
        others = sorted(apps.values(), key=lambda app: str(app["name"]).lower())
        if app_label is not None:  # the app's own page (its breadcrumbs lead there)
            listed = [entry for name, entry in entries.items() if not name.startswith("Historical")]
            return [{**callbacks, "models": listed}] if callbacks else others
        entries.update(self.page_entries(request))
        first = first_section(request)
        order = [OVERVIEW, first, *(key for key in SECTIONS if key not in (OVERVIEW, first))]
        sections = [self.section(key, entries) for key in order]
        return [section for section in sections if section["models"]] + others

    def page_entries(self, request: HttpRequest) -> dict[str, dict[str, Any]]:
        pages = {}
        callbacks_list = reverse(
            "admin:callbacks_callbackrequest_changelist", current_app=self.name
        )
        if request.user.has_perm(OVERRIDE_COOLDOWN) and request.user.has_perm(VIEW_CALL_LOG):
            needs_manager = page_entry(
                "NeedsManager", _("Needs a manager"), f"{callbacks_list}?needs_manager=1"
            )
            pages["NeedsManager"] = needs_manager
        if request.user.has_perm(VIEW_CALL_LOG):
            pages["CallLog"] = page_entry("CallLog", _("Call log"), reverse("call_log"))
            board = reverse("admin:board", current_app=self.name)
            pages["Board"] = page_entry("Board", _("Board"), board)
            reports = reverse("admin:reports", current_app=self.name)
            pages["Reports"] = page_entry("Reports", _("Reports"), reports)
        from .admin.trail_page import readable_models

        if readable_models(request):
            trail_url = reverse("admin:change_trail", current_app=self.name)
            pages["ChangeTrail"] = page_entry("ChangeTrail", _("Change trail"), trail_url)
        return pages

    def section(self, key: str, entries: dict[str, dict[str, Any]]) -> dict[str, Any]:
        name, object_names = SECTIONS[key]
        return {
            "name": name,
            "app_label": key,
            # Never part of a page's path, so the admin marks no section as the current app.
            "app_url": f"{reverse('admin:index', current_app=self.name)}#section-{key}",
            "has_module_perms": True,
            "models": [entries[name] for name in object_names if name in entries],
        }
