"""Small helpers shared by the tests: ports, waiting, and callback requests to look at."""

import socket
import time


def free_port():
    """A port nothing listens on right now (also good as a closed port to fail to connect to)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, seconds, interval=0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def make_requests(count, agent_group, user, first=None, **changes):
    """`count` requests to different contacts and numbers (after those that exist, unless `first`
    says where to start), placed unless `changes` say otherwise."""
    from callbacks.delivery import create
    from callbacks.models import CallbackRequest, CallbackStatus, Contact, ContactNumber

    first = Contact.objects.count() if first is None else first
    made = []
    for i in range(first, first + count):
        contact = Contact.objects.create(name=f"Клиент {i:03d}")
        ContactNumber.objects.create(contact=contact, number=f"7916123{i:04d}")
        made.append(
            create.create_callback(contact=contact, agent_group=agent_group, requested_by=user)
        )
    CallbackRequest.objects.filter(pk__in=[r.pk for r in made]).update(
        **{"status": CallbackStatus.PLACED, **changes}
    )
    return made
