"""The admin, one module per area: configuration, contacts (and the Call back page), the call log
with its staff actions, call events, the do-not-call list, and the change trail (per model, and
as one page: trail_page.py). base.py holds what they share; the site itself, with its
navigation, is callbacks/admin_site.py."""

from . import (  # noqa: F401  (importing a module registers its admins)
    call_events,
    call_log,
    change_trail,
    configuration,
    contacts,
    do_not_call,
)
