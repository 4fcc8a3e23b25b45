"""Reads the views and the dispatch service share."""

from .models import AgentGroup, CallbackRequest

AUDIO_RELATIONS = [
    "agent_media_resource",
    "agent_tts_preset",
    "contact_media_resource",
    "contact_tts_preset",
]


def active_agent_groups():
    return (
        AgentGroup.objects.filter(is_active=True)
        .select_related(*AUDIO_RELATIONS)
        .prefetch_related("destinations", "working_hours", "holidays")
    )


def callback_lines(agent_group, contact):
    """The agent group's destinations and the contact's numbers, each in dialling order."""
    return list(agent_group.destinations.all()), list(contact.numbers.all())


def recent_callbacks(contact, limit=20):
    return (
        CallbackRequest.objects.filter(contact=contact)
        .select_related("agent_group", "requested_by")
        .order_by("-requested_at", "-id")[:limit]
    )


def callback_history():
    """Callback requests for the history lists and the export: newest first, with what each row shows."""
    return (
        CallbackRequest.objects.select_related("contact", "agent_group", "requested_by")
        .prefetch_related("numbers")
        .order_by("-requested_at", "-id")
    )
