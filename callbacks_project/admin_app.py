"""The admin app, on the callback desk's own site (callbacks/admin_site.py: navigation per role,
the change trail page)."""

from django.contrib.admin.apps import AdminConfig


class CallbackDeskAdminConfig(AdminConfig):
    default_site = "callbacks.admin_site.CallbackDeskSite"
