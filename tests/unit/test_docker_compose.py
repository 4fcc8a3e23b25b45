"""docker-compose.yml parses, has the production shape, and its commands name real modules; its
required variables fail loudly, Redis takes a password, and no process runs as root (with no
Docker engine here: the file and the Dockerfile, read)."""

import importlib
import re
import shlex
from urllib.parse import urlsplit

import pytest
import yaml
from celery import Celery
from django.core.management import get_commands

from tests import compose as compose_file
from tests.helpers import PROJECT

APP_SERVICES = ["web", "worker", "sweeper", "beat"]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((PROJECT / "docker-compose.yml").read_text())


def command_words(service):
    command = service["command"]
    words = shlex.split(command) if isinstance(command, str) else list(command)
    if words[:2] == ["sh", "-c"]:
        return [shlex.split(part) for part in words[2].split("&&")]
    return [words]


def test_services(compose):
    assert set(compose["services"]) == {"web", "worker", "sweeper", "beat", "db", "redis"}
    assert compose["services"]["db"]["image"].startswith("postgres:15")
    assert compose["services"]["redis"]["image"].startswith("redis:7")
    assert (PROJECT / "Dockerfile").is_file()


@pytest.fixture(scope="module")
def deployed():
    """The file as `docker compose up` reads it with the README's .env."""
    return compose_file.load()


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_use_postgres_and_redis(compose, deployed, name):
    environment = deployed["services"][name]["environment"]
    database, broker = (
        urlsplit(environment["DATABASE_URL"]),
        urlsplit(environment["CELERY_BROKER_URL"]),
    )
    assert (database.scheme, database.hostname) == ("postgres", "db")
    assert (broker.scheme, broker.hostname) == ("redis", "redis")
    assert environment["DEBUG"] == "false"
    environment = compose["services"][name]["environment"]
    assert "?" in environment["EXOLVE_API_KEY"], (
        "the API key must be required, never given a default"
    )


def test_every_variable_given_to_the_app_is_one_the_settings_read(compose):
    settings_text = (PROJECT / "callbacks_project" / "settings.py").read_text()
    for name in compose["services"]["web"]["environment"]:
        assert re.search(rf'"{name}"', settings_text), f"{name} is not read by the settings"


def check_command(words):
    program, *arguments = words
    if program == "gunicorn":
        if arguments[0] == "-c":  # its settings, as python:<module>
            importlib.import_module(arguments[1].removeprefix("python:"))
            arguments = arguments[2:]
        module, attribute = arguments[0].split(":")
        assert callable(getattr(importlib.import_module(module), attribute))
    elif program == "celery":
        assert arguments[0] == "-A"
        app = importlib.import_module(arguments[1]).celery_app
        assert isinstance(app, Celery)
        # No banner, which Celery prints outside logging: LOG_FORMAT=json output stays JSON.
        assert arguments[2] == "--quiet"
        assert arguments[3] in {"worker", "beat"}
    elif program == "python":
        assert arguments[0] == "manage.py"
        assert (PROJECT / "manage.py").is_file()
        assert arguments[1] in get_commands()
    else:
        raise AssertionError(f"unexpected program {program!r}")


@pytest.mark.parametrize("name", APP_SERVICES)
def test_commands_name_real_modules(compose, name):
    for words in command_words(compose["services"][name]):
        check_command(words)


def option(words, name):
    return words[words.index(name) + 1]


def consumed_queues(service):
    (words,) = command_words(service)
    return option(words, "--queues").split(",")


def test_the_sweeper_has_a_worker_of_its_own_and_the_sends_worker_never_takes_a_sweep(compose):
    """The production settings' queue names (tests/settings.py gives a test run its own)."""
    import callbacks_project.settings as production

    services = compose["services"]
    assert consumed_queues(services["worker"]) == [production.CELERY_TASK_DEFAULT_QUEUE]
    assert consumed_queues(services["sweeper"]) == [production.CALLBACK_SWEEPER_QUEUE]
    assert "CALLBACK_SWEEPER_QUEUE" not in services["sweeper"]["environment"]


def test_the_web_healthcheck_asks_readyz_within_its_timeout(compose):
    healthcheck = compose["services"]["web"]["healthcheck"]
    kind, program, flag, code = healthcheck["test"]
    assert (kind, program, flag) == ("CMD", "python", "-c")
    compile(code, "healthcheck", "exec")
    assert "'http://127.0.0.1:8000/readyz'" in code
    assert "-c python:callbacks_project.gunicorn" in compose["services"]["web"]["command"]
    assert "WEB_BIND" not in compose["services"]["web"]["environment"]  # gunicorn.py's default:
    from callbacks_project import gunicorn

    assert gunicorn.bind == "0.0.0.0:8000"


@pytest.mark.parametrize("name", ["worker", "sweeper"])
def test_a_workers_healthcheck_pings_the_node_name_it_runs_under(compose, name):
    """Docker sets HOSTNAME to the container's host name, which Celery's %h is."""
    service = compose["services"][name]
    (words,) = command_words(service)
    kind, shell_command = service["healthcheck"]["test"]
    ping = shlex.split(shell_command)
    assert kind == "CMD-SHELL"
    assert ping[:5] == ["celery", "-A", "callbacks_project", "inspect", "ping"]
    assert option(words, "--hostname") == f"{name}@%h"
    assert option(ping, "--destination") == f"{name}@$$HOSTNAME"
    assert float(option(ping, "--timeout")) < int(service["healthcheck"]["timeout"].rstrip("s"))


def test_the_send_task_is_registered_with_the_celery_app():
    from callbacks_project import celery_app

    celery_app.loader.import_default_modules()
    assert {"callbacks.send_callbacks", "callbacks.send_callback"} <= set(celery_app.tasks)


@pytest.mark.parametrize("name", compose_file.REQUIRED)
@pytest.mark.parametrize("value", [None, ""])
def test_a_required_variable_missing_or_empty_stops_compose_naming_it(name, value):
    env = {**compose_file.DOCUMENTED_ENV, name: value}
    if value is None:
        del env[name]
    with pytest.raises(compose_file.MissingVariable, match=rf"required variable {name} "):
        compose_file.load(env)


def test_no_secret_and_no_password_has_a_default():
    for name, operator in compose_file.references():
        if name in compose_file.REQUIRED:
            assert operator == ":?", f"${{{name}}} must be required (:?), not {operator or 'bare'}"


def test_the_database_password_is_the_one_the_database_is_created_with(deployed):
    password = compose_file.DOCUMENTED_ENV["POSTGRES_PASSWORD"]
    assert deployed["services"]["db"]["environment"]["POSTGRES_PASSWORD"] == password
    for name in APP_SERVICES:
        url = urlsplit(deployed["services"][name]["environment"]["DATABASE_URL"])
        assert (url.username, url.password) == ("callbacks", password)


def test_redis_requires_the_password_the_app_and_the_healthcheck_give(deployed):
    password = compose_file.DOCUMENTED_ENV["REDIS_PASSWORD"]
    redis = deployed["services"]["redis"]
    command = redis["command"]
    assert command[0] == "redis-server"
    assert command[command.index("--requirepass") + 1] == password
    assert redis["environment"]["REDISCLI_AUTH"] == password
    assert redis["healthcheck"]["test"] == ["CMD-SHELL", "redis-cli ping | grep -q PONG"]
    for name in APP_SERVICES:
        url = urlsplit(deployed["services"][name]["environment"]["CELERY_BROKER_URL"])
        assert url.password == password


def dockerfile_user():
    users = re.findall(r"^USER\s+(\S+)", (PROJECT / "Dockerfile").read_text(), re.M)
    assert users, "the Dockerfile sets no USER: its processes would run as root"
    return users[-1]


ROOT = {"root", "0", "0:0", "root:root"}


def test_no_process_runs_as_root(compose):
    """The app image runs as its USER (no service overrides it); the database and Redis run as
    their images' own users from the start, not as root stepping down in the entrypoint."""
    assert dockerfile_user() not in ROOT
    services = compose["services"]
    for name in APP_SERVICES:
        assert "user" not in services[name], f"{name} overrides the image's USER"
    assert services["db"]["user"] == "postgres"
    assert services["redis"]["user"] == "redis"
    for name, service in services.items():
        assert not service.get("privileged"), name


def test_behind_the_documented_proxy_logins_are_counted_by_the_clients_address(deployed):
    """One proxy appends the client's address to X-Forwarded-For (the README's nginx block):
    without TRUSTED_PROXY_COUNT, every login would seem to come from the proxy, and a few bad
    passwords would lock a user name out for everyone."""
    environment = deployed["services"]["web"]["environment"]
    assert environment["TRUSTED_PROXY_COUNT"] == "1"
    readme = (PROJECT / "README.md").read_text()
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in readme


def test_the_workers_metrics_can_be_reached_on_the_compose_network(deployed):
    environment = deployed["services"]["worker"]["environment"]
    assert environment["WORKER_METRICS_ADDRESS"] == "0.0.0.0"
    assert "WORKER_METRICS_PORT" in environment
