import shutil

import pytest
import requests
from django.contrib.auth.models import Group, User

from callbacks import exolve
from callbacks.models import (
    AgentGroup,
    Contact,
    ContactNumber,
    Destination,
    MediaResource,
    TtsPreset,
)
from exolve_sandbox.server import running_sandbox


class Sandbox:
    """The local Exolve sandbox, running on a real port, with its control API at hand."""

    def __init__(self, server):
        self.server = server
        self.url = server.url

    def script(self, *responses):
        requests.post(
            f"{self.url}/_sandbox/script", json={"responses": list(responses)}, timeout=5
        ).raise_for_status()

    def configure(self, **config):
        requests.post(f"{self.url}/_sandbox/config", json=config, timeout=5).raise_for_status()

    def received(self):
        return requests.get(f"{self.url}/_sandbox/requests", timeout=5).json()["requests"]


@pytest.fixture(scope="session", autouse=True)
def run_broker_folder():
    """This run's folder of the filesystem broker (tests/settings.py), there for the run only."""
    from django.conf import settings

    folder = getattr(settings, "BROKER_DIR", None)
    ours = folder is not None and folder.name.startswith("broker-tests-")
    if ours:
        (folder / "control").mkdir(parents=True, exist_ok=True)
    yield
    if ours:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def sandbox_server():
    from django.conf import settings

    with running_sandbox(api_key=settings.EXOLVE_API_KEY) as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server, settings):
    """A clean sandbox, and the app pointed at it."""
    requests.post(f"{sandbox_server.url}/_sandbox/reset", timeout=5).raise_for_status()
    settings.EXOLVE_API_URL = sandbox_server.url
    exolve.reset_client()
    yield Sandbox(sandbox_server)
    exolve.reset_client()


@pytest.fixture
def queued(monkeypatch):
    """Every send task handed to the broker, as (callback ids, countdown), instead of a broker."""
    calls = []

    def hand_to_broker(callback_ids, countdown):
        calls.append((tuple(callback_ids), countdown))

    monkeypatch.setattr("callbacks.delivery.queue.hand_to_broker", hand_to_broker)
    return calls


@pytest.fixture
def as_user(client):
    """Log a user in (in English, the source strings the tests read) and hand back the client."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def make_user(db):
    def make(username, role=None, superuser=False):
        user = User.objects.create_user(
            username, password="pass-1234", is_staff=True, is_superuser=superuser
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def staff_user(make_user):
    return make_user("staff", "Staff")


@pytest.fixture
def auditor(make_user):
    return make_user("auditor", "Auditors")


@pytest.fixture
def manager(make_user):
    return make_user("manager", "Support managers")


@pytest.fixture
def media_resource(db):
    return MediaResource.objects.create(name="Greeting", media_resource_id=685)


@pytest.fixture
def tts_preset(db):
    return TtsPreset.objects.create(
        name="Website", text="Обратный звонок с сайта", voice=3, speed="1.5"
    )


@pytest.fixture
def agent_group(db, media_resource, tts_preset):
    group = AgentGroup.objects.create(
        name="Sales",
        number_code=74999999999,
        callback_resource_id=1221,
        agent_media_resource=media_resource,
        contact_tts_preset=tts_preset,
        contact_ring_logic=2,
    )
    Destination.objects.create(agent_group=group, position=1, number="78129999999")
    Destination.objects.create(agent_group=group, position=2, number="74959999999")
    return group


@pytest.fixture
def contact(db):
    person = Contact.objects.create(name="Иван Петров", company="Ромашка")
    ContactNumber.objects.create(contact=person, position=1, number="79599999999")
    ContactNumber.objects.create(contact=person, position=2, number="79999999999")
    return person


@pytest.fixture
def callback(contact, agent_group, staff_user, queued, django_capture_on_commit_callbacks):
    """The contact's callback through the agent group, saved and queued as after a commit."""
    from tests.helpers import ask_for_callback

    with django_capture_on_commit_callbacks(execute=True):
        return ask_for_callback(contact, agent_group, staff_user)
