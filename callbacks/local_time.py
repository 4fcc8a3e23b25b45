"""The contact's local time. (Placeholder until the quiet hours land: the group's hours only.)"""

from datetime import datetime

from .models import AgentGroup, Contact


def first_callable(agent_group: AgentGroup, contact: Contact, moment: datetime) -> datetime | None:
    return agent_group.next_opening(moment)
