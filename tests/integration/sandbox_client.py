"""Talking to the Exolve sandbox in tests: its key and path, a sandbox per test module, and
helpers for MakeCallback, the control API (/_sandbox/...) and `python -m exolve_sandbox`."""

import os
import re
import subprocess
import sys

import pytest
import requests

from exolve_sandbox import running_sandbox
from tests.helpers import PROJECT

API_KEY = "sandbox-test-key-7f3a"
AUTH = {"Authorization": f"Bearer {API_KEY}"}
PATH = "/call/v1/MakeCallback"

CALL_ID = re.compile(r"^cal[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture(scope="module")
def server():
    """A sandbox on an ephemeral port, one per test module that binds this fixture."""
    with running_sandbox(API_KEY) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(server):
    """That sandbox, reset: no log, no script, the default config."""
    requests.post(f"{server.url}/_sandbox/reset", timeout=5).raise_for_status()
    return server


def call(sandbox, body=None, key=API_KEY):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return requests.post(f"{sandbox.url}{PATH}", json=body, headers=headers, timeout=5)


def post_raw(sandbox, data, headers=AUTH):
    return requests.post(f"{sandbox.url}{PATH}", data=data, headers=headers, timeout=5)


def script(sandbox, *responses):
    payload = {"responses": list(responses)}
    requests.post(f"{sandbox.url}/_sandbox/script", json=payload, timeout=5).raise_for_status()


def configure(sandbox, **options):
    return requests.post(f"{sandbox.url}/_sandbox/config", json=options, timeout=5)


def logged(sandbox):
    return requests.get(f"{sandbox.url}/_sandbox/requests", timeout=5).json()["requests"]


def run_module(*args, env_key=None):
    env = {k: v for k, v in os.environ.items() if k != "EXOLVE_API_KEY"}
    if env_key:
        env["EXOLVE_API_KEY"] = env_key
    return subprocess.Popen(
        [sys.executable, "-m", "exolve_sandbox", *args],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
