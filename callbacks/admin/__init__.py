"""The admin, one module per area: configuration, contacts (and the Call back page), the call log
with its staff actions, call events, the do-not-call list, and the change trail. base.py holds
what they share."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import (  # noqa: F401  (importing a module registers its admins)
    call_events,
    call_log,
    change_trail,
    configuration,
    contacts,
    do_not_call,
)

admin.site.site_header = _("Callback desk")
admin.site.site_title = _("Callback desk")
admin.site.index_title = _("Callbacks through MTS Exolve")
