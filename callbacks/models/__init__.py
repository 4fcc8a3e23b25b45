from .configuration import (
    MAX_DESTINATIONS_PER_LINE,
    SIDES,
    AgentGroup,
    Destination,
    Emotion,
    Lang,
    MediaResource,
    RingLogic,
    TtsPreset,
    TtsProvider,
    Voice,
)
from .contacts import MAX_NUMBERS_PER_CONTACT, Contact, ContactNumber
from .history import OPEN_STATUSES, AttemptOutcome, CallbackAttempt, CallbackRequest, CallbackStatus

__all__ = [
    "MAX_DESTINATIONS_PER_LINE",
    "MAX_NUMBERS_PER_CONTACT",
    "OPEN_STATUSES",
    "SIDES",
    "AgentGroup",
    "AttemptOutcome",
    "CallbackAttempt",
    "CallbackRequest",
    "CallbackStatus",
    "Contact",
    "ContactNumber",
    "Destination",
    "Emotion",
    "Lang",
    "MediaResource",
    "RingLogic",
    "TtsPreset",
    "TtsProvider",
    "Voice",
]
