from .attempts import AttemptResult, CallbackAttempt
from .audio import Emotion, Lang, MediaResource, TtsPreset, TtsProvider, Voice
from .call_log import (
    CALL_ID_MAX_LENGTH,
    OPEN_STATUSES,
    RINGING_STATUSES,
    CallbackNumber,
    CallbackRequest,
    lower_first,
    person_name,
)
from .callback_states import (
    CallbackStatus,
    CallOutcome,
    ContactLeg,
    FinalState,
    ManagerReview,
    RedialStop,
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
from .heartbeat import SweeperHeartbeat, WorkerHeartbeat
from .redial_policy import REDIAL_KINDS, RedialPolicy, WhenClosed
from .reports import ReportDirtyHour, ReportHour
from .service_level import CallbackCheck

__all__ = [
    "CALL_ID_MAX_LENGTH",
    "MAX_DESTINATIONS_PER_LINE",
    "MAX_NUMBERS_PER_CONTACT",
    "OPEN_STATUSES",
    "REDIAL_KINDS",
    "RINGING_STATUSES",
    "SIDES",
    "AgentGroup",
    "AttemptResult",
    "CallEvent",
    "CallLeg",
    "CallOutcome",
    "CallbackAttempt",
    "CallbackCheck",
    "CallbackNumber",
    "CallbackRequest",
    "CallbackStatus",
    "Contact",
    "ContactLeg",
    "ContactNumber",
    "Destination",
    "DoNotCallNumber",
    "Emotion",
    "FinalState",
    "Holiday",
    "Lang",
    "ManagerReview",
    "MediaResource",
    "RedialPolicy",
    "RedialStop",
    "Refusal",
    "ReportDirtyHour",
    "ReportHour",
    "RingLogic",
    "SweeperHeartbeat",
    "TtsPreset",
    "TtsProvider",
    "Voice",
    "Weekday",
    "WhenClosed",
    "WorkerHeartbeat",
    "WorkingHours",
    "lower_first",
    "person_name",
]
