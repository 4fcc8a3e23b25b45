"""The MakeCallback body, field by field against the example on Exolve's page."""

import copy
import json
import os
import re

import pytest

from callbacks.exolve import build_make_callback_body
from tests.examples import (
    EXAMPLE,
    example_body,
    example_contact,
    example_rows,
    provider_page,
    provider_page_candidates,
)

# Documented optional fields we always send, so that Exolve never applies a default we did not see.
OPTIONAL_FIELDS_WE_SEND = {"duration", "timeout", "volume"}


@pytest.fixture
def example():
    return copy.deepcopy(EXAMPLE)


def test_stored_example_is_the_one_on_the_provider_page(example):
    page = provider_page()
    if page is None:
        where = ", ".join(str(candidate) for candidate in provider_page_candidates())
        if os.environ.get("CI"):  # in CI the check must run, not pass by skipping
            pytest.fail(f"Exolve's MakeCallback page is not at any of: {where}")
        pytest.skip(f"Exolve's MakeCallback page is not on this machine ({where})")
    block = re.search(r"```json\n(.*?)```", page.read_text(encoding="utf-8"), re.S).group(1)
    assert json.loads(block) == example


def assert_matches_example(ours, theirs, path="body"):
    """Every field of the example has the same value and JSON type in ours; extras are documented
    optionals."""
    assert type(ours) is type(theirs), f"{path}: {type(ours).__name__} != {type(theirs).__name__}"
    if isinstance(theirs, dict):
        extra = set(ours) - set(theirs)
        assert extra <= OPTIONAL_FIELDS_WE_SEND, f"{path}: unexpected fields {extra}"
        for key, value in theirs.items():
            assert key in ours, f"{path}.{key} is missing"
            assert_matches_example(ours[key], value, f"{path}.{key}")
    elif isinstance(theirs, list):
        assert len(ours) == len(theirs), path
        for index, (mine, example_item) in enumerate(zip(ours, theirs, strict=False)):
            assert_matches_example(mine, example_item, f"{path}[{index}]")
    else:
        assert ours == theirs, f"{path}: {ours!r} != {theirs!r}"


def test_body_matches_the_provider_example_field_by_field(example):
    assert_matches_example(example_body(), example)


def test_optional_fields_carry_the_configured_values():
    body = example_body()
    assert body["duration"] == 1800
    assert [d["timeout"] for d in body["line_1"]["destinations"]] == [30, 30]
    assert body["line_2"]["audio"]["tts"]["volume"] == -19
    assert "display_number" not in body["line_1"]


def test_example_body_serialises_to_the_same_json_text_values(example):
    # Speed must leave as a JSON number (1.5), not a Decimal string.
    text = json.dumps(example_body(), ensure_ascii=False)
    assert '"speed": 1.5' in text
    assert '"number_code": 74999999999' in text


def test_contact_first_swaps_the_lines():
    group, agents, contact = example_rows()
    group.contact_first = True
    body = build_make_callback_body(
        agent_group=group,
        agent_destinations=agents,
        contact=example_contact(),
        contact_numbers=contact,
        request_description="x",
    )
    assert [d["number"] for d in body["line_1"]["destinations"]] == ["79599999999", "79999999999"]
    assert body["line_1"]["ring_logic"] == 2
    assert [d["number"] for d in body["line_2"]["destinations"]] == ["78129999999", "74959999999"]
    assert body["line_2"]["audio"] == {"media_resource_id": 685}


def test_display_numbers_and_timeouts_go_to_their_own_side():
    group, agents, contact = example_rows()
    group.agent_display_number = "74951112233"
    group.contact_display_number = "78001234567"
    group.contact_timeout = 45
    agents[0].timeout = 15
    body = build_make_callback_body(
        agent_group=group,
        agent_destinations=agents,
        contact=example_contact(),
        contact_numbers=contact,
        request_description="x",
    )
    assert body["line_1"]["display_number"] == "74951112233"
    assert body["line_2"]["display_number"] == "78001234567"
    assert [d["timeout"] for d in body["line_1"]["destinations"]] == [15, 30]
    assert [d["timeout"] for d in body["line_2"]["destinations"]] == [45, 45]


def test_a_side_without_audio_sends_no_audio():
    group, agents, contact = example_rows()
    group.agent_media_resource = None
    body = build_make_callback_body(
        agent_group=group,
        agent_destinations=agents,
        contact=example_contact(),
        contact_numbers=contact,
        request_description="x",
    )
    assert "audio" not in body["line_1"]


def test_body_is_accepted_by_the_sandbox_validator():
    from exolve_sandbox import validate_make_callback

    assert validate_make_callback(example_body()) is None


def test_each_line_lists_its_destinations_in_the_order_given():
    """The rows come in dialling order (position, id: the models' ordering); the body keeps it."""
    from callbacks.models import ContactNumber, Destination

    group, _, _ = example_rows()
    agents = [Destination(number=n, position=p) for p, n in [(1, "73"), (2, "71"), (3, "72")]]
    numbers = [ContactNumber(number="79599999999"), ContactNumber(number="79000000000")]
    body = build_make_callback_body(
        agent_group=group,
        agent_destinations=agents,
        contact=example_contact(),
        contact_numbers=numbers,
        request_description="x",
    )
    assert [d["number"] for d in body["line_1"]["destinations"]] == ["73", "71", "72"]
    assert [d["number"] for d in body["line_2"]["destinations"]] == ["79599999999", "79000000000"]
