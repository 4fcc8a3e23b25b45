"""The example on Exolve's MakeCallback page (tests/data/make_callback_example.json), the rows
that give our body for it, and variations of it."""

import copy
import json
import os
import subprocess
from decimal import Decimal
from pathlib import Path

from tests.helpers import PROJECT

EXAMPLE = json.loads((PROJECT / "tests/data/make_callback_example.json").read_text("utf-8"))
DROP = object()


def example_with(path, value):
    """A copy of EXAMPLE with the item at `path` (keys and indexes) set, or removed for DROP."""
    body = copy.deepcopy(EXAMPLE)
    target = body
    for key in path[:-1]:
        target = target[key]
    if value is DROP:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return body


def example_rows():
    """Unsaved rows configured the way the example on the page is."""
    from callbacks.models import AgentGroup, ContactNumber, Destination, MediaResource, TtsPreset

    group = AgentGroup(
        number_code=74999999999,
        callback_resource_id=1221,
        agent_ring_logic=1,
        agent_media_resource=MediaResource(name="m", media_resource_id=685),
        contact_ring_logic=2,
        contact_tts_preset=TtsPreset(
            name="t",
            text="Обратный звонок с сайта",
            voice=3,
            lang=1,
            speed=Decimal("1.5"),
            emotion=1,
            provider=1,
        ),
    )
    agents = [Destination(number="78129999999"), Destination(number="74959999999")]
    contact = [ContactNumber(number="79599999999"), ContactNumber(number="79999999999")]
    return group, agents, contact


def example_contact():
    """The person the example's contact numbers belong to (a TTS text may name them)."""
    from callbacks.models import Contact

    return Contact(name="Иван Петров", company="Ромашка")


def example_body():
    """Our MakeCallback body for the example's rows."""
    from callbacks.exolve import build_make_callback_body

    group, agents, contact = example_rows()
    return build_make_callback_body(
        agent_group=group,
        agent_destinations=agents,
        contact=example_contact(),
        contact_numbers=contact,
        request_description="test",
    )


def provider_page_candidates():
    """Where Exolve's page may be: EXOLVE_DOCS_DIR, else shared/exolve beside this checkout or
    beside (or above) the repository it was cloned from, which is where a clean clone made for CI
    finds it."""
    if os.environ.get("EXOLVE_DOCS_DIR"):
        return [Path(os.environ["EXOLVE_DOCS_DIR"]) / "MakeCallback.md"]
    roots = [PROJECT]
    origin = subprocess.run(
        ["git", "-C", str(PROJECT), "config", "--get", "remote.origin.url"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    if origin and "://" not in origin.removeprefix("file://"):
        roots.append(Path(origin.removeprefix("file://")).resolve())
    return [
        folder / "shared" / "exolve" / "MakeCallback.md"
        for root in roots
        for folder in root.parents
    ]


def provider_page():
    """Exolve's MakeCallback page, or None when this machine does not have it."""
    return next((page for page in provider_page_candidates() if page.is_file()), None)
