"""Small helpers shared by the tests: the project's folder, ports, waiting, and callbacks to look
at."""

import socket
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


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


def reserve_in_background(threads, count):
    """SendThreads.reserve(count) from a thread of its own, so that a test waits for it with a
    deadline and fails, rather than hangs, when it never returns. Set once they are taken."""
    taken = threading.Event()

    def reserve():
        threads.reserve(count)
        taken.set()

    threading.Thread(target=reserve, daemon=True).start()
    return taken


def make_contact(number="79161234567", name="Пётр Сидоров"):
    from callbacks.models import Contact, ContactNumber

    person = Contact.objects.create(name=name)
    ContactNumber.objects.create(contact=person, number=number)
    return person


def ask_for_callback(contact, agent_group, user, **options):
    """What a press of "Call back" does: the service, with no page around it."""
    from callbacks.delivery import create

    return create.create_callback(
        contact=contact, agent_group=agent_group, requested_by=user, **options
    )


def make_callbacks(count, agent_group, user, first=None, **changes):
    """`count` callbacks to different contacts and numbers (after those that exist, unless
    `first` says where to start), placed unless `changes` say otherwise."""
    from callbacks.models import CallbackRequest, CallbackStatus, Contact

    first = Contact.objects.count() if first is None else first
    made = [
        ask_for_callback(make_contact(f"7916123{i:04d}", f"Клиент {i:03d}"), agent_group, user)
        for i in range(first, first + count)
    ]
    CallbackRequest.objects.filter(pk__in=[callback.pk for callback in made]).update(
        **{"status": CallbackStatus.PLACED, **changes}
    )
    return made


def pending_callbacks(count, agent_group, user):
    """`count` pending callbacks to different numbers, due now and never queued (a backlog)."""
    from callbacks.models import CallbackStatus

    return make_callbacks(count, agent_group, user, status=CallbackStatus.PENDING, queued_at=None)


def working_every_day(agent_group, zone, opens, closes):
    """`agent_group` in time zone `zone`, working from `opens` to `closes` every day."""
    from callbacks.models import WorkingHours

    agent_group.time_zone = zone
    agent_group.save()
    for weekday in range(7):
        WorkingHours.objects.create(
            agent_group=agent_group, weekday=weekday, opens=opens, closes=closes
        )
    return agent_group


def quiet_now(agent_group, contact, zone="Asia/Vladivostok"):
    """The contact set in `zone` and the group's quiet hours put so that it is quiet there now:
    calls allowed for 8 hours from the next whole hour but one. Returns when they are next
    allowed."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    local = datetime.now(ZoneInfo(zone))
    opens = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)
    contact.time_zone = zone
    contact.save()
    agent_group.contact_calls_from = opens.time()
    agent_group.contact_calls_until = (opens + timedelta(hours=8)).time()
    agent_group.save()
    return opens
