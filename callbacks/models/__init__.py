from .audio import Emotion, Lang, MediaResource, TtsPreset, TtsProvider, Voice
from .call_log import (
    CALL_ID_MAX_LENGTH,
    OPEN_STATUSES,
    RINGING_STATUSES,
    AttemptResult,
    CallbackAttempt,
    CallbackNumber,
    CallbackRequest,
    CallbackStatus,
    CallOutcome,
    Refusal,
)
from .configuration import (
    MAX_DESTINATIONS_PER_LINE,
    SIDES,
    AgentGroup,
    Destination,
    Holiday,
    RingLogic,
    Weekday,
    WorkingHours,
)
from .contacts import MAX_NUMBERS_PER_CONTACT, Contact, ContactNumber
from .do_not_call import DoNotCallNumber
from .events import CallEvent, CallLeg
from .heartbeat import SweeperHeartbeat

__all__ = [
    "CALL_ID_MAX_LENGTH",
    "MAX_DESTINATIONS_PER_LINE",
    "MAX_NUMBERS_PER_CONTACT",
    "OPEN_STATUSES",
    "RINGING_STATUSES",
    "SIDES",
    "AgentGroup",
    "AttemptResult",
    "CallEvent",
    "CallLeg",
    "CallOutcome",
    "CallbackAttempt",
    "CallbackNumber",
    "CallbackRequest",
    "CallbackStatus",
    "Contact",
    "ContactNumber",
    "Destination",
    "DoNotCallNumber",
    "Emotion",
    "Holiday",
    "Lang",
    "MediaResource",
    "Refusal",
    "RingLogic",
    "SweeperHeartbeat",
    "TtsPreset",
    "TtsProvider",
    "Voice",
    "Weekday",
    "WorkingHours",
]
