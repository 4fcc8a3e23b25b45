"""The admin's sections, grouped by what people do: configuration; contacts and callbacks; records.
The navigation lists them (callbacks/admin_site.py) and the breadcrumbs lead to them."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

OVERVIEW = "overview"
CONFIGURATION = "configuration"
CONTACTS = "contacts"
RECORDS = "records"
# Each section's entries, in the order shown: the admin's models by object name, and our pages.
SECTIONS: dict[str, tuple[Promise, tuple[str, ...]]] = {
    OVERVIEW: (_("Overview"), ("Board", "Reports")),
    CONFIGURATION: (_("Configuration"), ("AgentGroup", "MediaResource", "TtsPreset")),
    CONTACTS: (
        _("Contacts and callbacks"),
        ("Contact", "CallbackRequest", "NeedsManager", "DoNotCallNumber"),
    ),
    RECORDS: (_("Records"), ("CallLog", "CallbackAttempt", "CallEvent", "ChangeTrail")),
}


def section_of(object_name: str) -> str | None:
    """The section a model of ours belongs to (a change trail's model: records)."""
    if object_name.startswith("Historical"):
        return RECORDS
    for key, (_name, object_names) in SECTIONS.items():
        if object_name in object_names:
            return key
    return None
