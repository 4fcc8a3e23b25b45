"""The sandbox as a server: keep-alive, running_sandbox's start and stop, and the
`python -m exolve_sandbox` command."""

import re
import signal

import pytest
import requests

from exolve_sandbox import running_sandbox
from tests.examples import EXAMPLE, example_with
from tests.integration import sandbox_client
from tests.integration.sandbox_client import API_KEY, AUTH, CALL_ID, PATH, run_module

# The shared fixtures, bound here so that pytest finds them for this module.
server, sandbox = sandbox_client.server, sandbox_client.sandbox


def test_keep_alive_serves_many_requests_over_one_connection(sandbox):
    """How fast (one write per answer, so no delayed-ACK stall) is for the throughput benchmark
    to show; a test on a busy machine checks the connection is kept."""
    bodies = [EXAMPLE if i % 3 else example_with(("duration",), 1) for i in range(60)]
    with requests.Session() as session:
        session.headers.update(AUTH)
        statuses = [
            session.post(f"{sandbox.url}{PATH}", json=body, timeout=5).status_code
            for body in bodies
        ]
        session.get(f"{sandbox.url}/nowhere", timeout=5)
        pools = session.get_adapter(sandbox.url).poolmanager.pools
        opened = sum(pools[key].num_connections for key in pools.keys())
    assert statuses.count(200) == 40
    assert statuses.count(400) == 20
    assert opened == 1


def test_leaving_running_sandbox_stops_the_server_and_its_connections():
    with running_sandbox(API_KEY) as sandbox, requests.Session() as session:
        url = f"{sandbox.url}{PATH}"
        assert session.post(url, json=EXAMPLE, headers=AUTH, timeout=5).ok
    with pytest.raises(requests.ConnectionError):
        session.post(url, json=EXAMPLE, timeout=2)


def test_the_server_refuses_to_start_without_a_key():
    with pytest.raises(ValueError, match="needs an API key"):
        with running_sandbox(""):
            pass


def test_the_command_refuses_to_start_without_a_key():
    process = run_module("--port", "0")
    _, stderr = process.communicate(timeout=10)
    assert process.returncode != 0
    assert "EXOLVE_API_KEY" in stderr


def test_the_command_serves_until_sigterm():
    process = run_module("--port", "0", env_key=API_KEY)
    try:
        line = process.stdout.readline()
        match = re.fullmatch(r"Exolve sandbox listening on (http://127\.0\.0\.1:\d+)\n", line)
        assert match, line
        response = requests.post(f"{match[1]}{PATH}", json=EXAMPLE, headers=AUTH, timeout=5)
        assert CALL_ID.match(response.json()["call_id"])
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 0
    assert API_KEY not in stderr
