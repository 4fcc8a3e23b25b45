"""docker-compose.yml's Redis, run as its command says (redis-server is on this machine; Docker is
not): it refuses a client without the password, takes the app's broker URL, and its healthcheck
passes only with the password it is given."""

import os
import shutil
import subprocess
from contextlib import contextmanager

import pytest
from kombu import Connection
from kombu.exceptions import OperationalError

from callbacks import health
from tests import compose
from tests.helpers import free_port, wait_for
from tests.system.fault_harness import publishing_to


@pytest.fixture
def deployed():
    if shutil.which("redis-server") is None:
        message = "redis-server is not installed"
        if os.environ.get("EXPECT_DATABASE_VENDOR") == "postgresql":
            pytest.fail(message)  # the run on PostgreSQL and Redis has it
        pytest.skip(message)
    return compose.load()


@contextmanager
def compose_redis(service, directory):
    """The redis service's command, on a free local port, in `directory`, not persisting."""
    port = free_port()
    local = ["--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory)]
    command = [*service["command"], *local, "--appendonly", "no", "--save", ""]
    with open(directory / "redis.log", "w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        assert wait_for(lambda: healthcheck(service, port).returncode == 0, 10)
        yield port
    finally:
        process.terminate()
        process.wait(10)


def healthcheck(service, port, env=None):
    kind, command = service["healthcheck"]["test"]
    assert kind == "CMD-SHELL"
    local = command.replace("redis-cli", f"redis-cli -p {port}", 1)
    env = {**os.environ, **(service["environment"] if env is None else env)}
    return subprocess.run(["sh", "-c", local], env=env, capture_output=True, timeout=30)


def broker_url(app_service, port):
    return app_service["environment"]["CELERY_BROKER_URL"].replace(
        "@redis:6379", f"@127.0.0.1:{port}"
    )


def test_redis_takes_the_apps_broker_url_and_refuses_a_client_without_the_password(
    deployed, tmp_path, settings
):
    redis, web = deployed["services"]["redis"], deployed["services"]["web"]
    with compose_redis(redis, tmp_path) as port:
        with publishing_to(broker_url(web, port), "compose-redis-test", settings):
            assert health.CHECKS["broker"]() == health.OK
        with Connection(f"redis://127.0.0.1:{port}/0", connect_timeout=1) as anonymous:
            with pytest.raises(OperationalError, match="Authentication required"):
                anonymous.ensure_connection(max_retries=0)
        assert healthcheck(redis, port).returncode == 0
        assert healthcheck(redis, port, env={}).returncode != 0  # NOAUTH is no PONG
