"""docker-compose.yml's healthchecks, run as Docker runs them, against real processes: the web's
against a live server, the workers' `celery inspect ping` against a real worker on Redis."""

import os
import shlex
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml
from django.utils import timezone

from callbacks import health
from tests.helpers import PROJECT
from tests.system.fault_harness import require_postgresql_and_redis
from tests.system.worker_process import running_worker

pytestmark = pytest.mark.worker


@pytest.fixture(scope="module")
def healthchecks():
    compose = yaml.safe_load((PROJECT / "docker-compose.yml").read_text())
    return {name: service.get("healthcheck") for name, service in compose["services"].items()}


def run_healthcheck(test, env, replace=None):
    """The healthcheck's exit status, as Docker gets it: CMD runs the words, CMD-SHELL `sh -c`
    (compose has already turned `$$` into `$`)."""
    kind, *words = test
    words = [word.replace("$$", "$") for word in words]
    for old, new in (replace or {}).items():
        words = [word.replace(old, new) for word in words]
    command = ["sh", "-c", words[0]] if kind == "CMD-SHELL" else words
    if command[0] == "python":
        command[0] = sys.executable
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # celery, the image's
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PATH": path, **env}
    return subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the live server's
def test_the_web_healthcheck_passes_only_when_readyz_does(healthchecks, live_server):
    test = healthchecks["web"]["test"]
    address = {"127.0.0.1:8000": live_server.url.removeprefix("http://")}
    never_swept = run_healthcheck(test, {}, address)
    assert never_swept.returncode != 0
    assert "503" in never_swept.stderr

    health.record_sweep(timezone.now())
    assert run_healthcheck(test, {}, address).returncode == 0


@pytest.mark.parametrize("service", ["worker", "sweeper"])
def test_a_workers_healthcheck_pings_its_own_node_and_fails_once_it_stopped(
    service, healthchecks, tmp_path, broker, sandbox
):
    require_postgresql_and_redis()
    container = f"c{uuid.uuid4().hex[:12]}"  # what Docker sets HOSTNAME to, and %h becomes
    test = healthchecks[service]["test"]
    assert f"--destination {service}@$$HOSTNAME" in test[1], test
    env = {"HOSTNAME": container, "CELERY_BROKER_URL": broker.url}
    options = broker.worker(sandbox, hostname=f"{service}@{container}")
    with running_worker(tmp_path / f"{service}.log", **options) as worker:
        alive = run_healthcheck(test, env)
        assert alive.returncode == 0, (alive.stdout, alive.stderr, worker.log())
        assert f"{service}@{container}: OK" in alive.stdout
    stopped = run_healthcheck(test, env)
    assert stopped.returncode != 0, stopped.stdout
    assert shlex.split(test[1])[:3] == ["celery", "-A", "callbacks_project"]
