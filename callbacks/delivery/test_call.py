"""A support manager's test call: the group's agents rung with the manager's own number as the
contact, through the same press, outbox, claim and sending as a customer's callback, and recorded
as a test (never redialled, not in the call log's default view)."""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import AgentGroup, CallbackRequest, Contact, ContactNumber, person_name
from .create import create_callback


def place_test_call(*, agent_group: AgentGroup, manager: User, number: str) -> CallbackRequest:
    """Ring `agent_group`'s agents and `number` (already checked as a customer number): a test
    callback, saved (refused, if a limit stops it) and queued as any press is."""
    with transaction.atomic():
        contact = _test_contact(manager, number)
        return create_callback(
            contact=contact, agent_group=agent_group, requested_by=manager, is_test=True
        )


def _test_contact(manager: User, number: str) -> Contact:
    """The manager's own test contact, with `number` its one number. Not a customer: the contacts'
    pages and the Call back page never show it (admin/contacts.py)."""
    contact, _created = Contact.objects.select_for_update().get_or_create(
        test_caller=manager, defaults={"name": _test_contact_name(manager)}
    )
    name = _test_contact_name(manager)
    if contact.name != name:
        contact.name = name
        contact.save(update_fields=["name", "updated_at"])
    numbers = list(contact.numbers.all())
    if [row.number for row in numbers] != [number]:
        for row in numbers:
            row.delete()  # one by one: the change trail records each
        ContactNumber.objects.create(contact=contact, position=1, number=number)
    return contact


def _test_contact_name(manager: User) -> str:
    name = _("Test call: %(person)s") % {"person": person_name(manager)}
    return name[: Contact._meta.get_field("name").max_length]
