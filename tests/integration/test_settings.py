"""Settings come from the environment, refuse malformed values by name, and are really in force."""

import ast
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from tests.helpers import PROJECT

SHOW = (
    "from django.conf import settings as s;"
    "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.EXOLVE_API_URL, "
    "s.TIME_ZONE)"
)
SECURITY = [
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
]
SHOW_SECURITY = (
    f"from django.conf import settings as s; print(repr([getattr(s, n) for n in {SECURITY}]))"
)
VARIABLES = [
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "EXOLVE_API_URL",
    "EXOLVE_API_KEY",
    "TIME_ZONE",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "CALLBACK_ALLOWED_COUNTRIES",
    "CALLBACK_REQUEUE_AFTER",
    "CALLBACK_MAX_COUNTDOWN",
    "CALLBACK_LOST_AFTER",
    "CELERY_VISIBILITY_TIMEOUT",
    "CELERY_WORKER_POOL",
    "CALLBACK_BATCH_SIZE",
    "CALLBACK_SEND_THREADS",
    "EXOLVE_EVENTS_SECRET",
    "EXOLVE_EVENTS_LEGACY_URL",
    "EXOLVE_EVENTS_LEGACY_SECRET",
    "CALLBACK_SWEEPER_QUEUE",
    *SECURITY,
]


def load_settings(show=SHOW, **variables):
    env = {name: value for name, value in os.environ.items() if name not in VARIABLES}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "callbacks_project.settings",
            "SECRET_KEY": "x" * 50,
            **variables,
        }
    )
    env = {name: value for name, value in env.items() if value is not None}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {show}"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_defaults_run_with_only_python():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    debug, engine, broker, api_url, time_zone = result.stdout.split()
    assert (debug, engine, broker) == ("False", "django.db.backends.sqlite3", "filesystem://")
    assert (api_url, time_zone) == ("https://api.exolve.ru", "Europe/Moscow")


def test_production_values_are_read():
    result = load_settings(
        DEBUG="false",
        DATABASE_URL="postgres://app:secret@db:5432/callbacks",
        CELERY_BROKER_URL="redis://redis:6379/0",
        EXOLVE_API_URL="https://api.exolve.ru/",
        TIME_ZONE="Asia/Yekaterinburg",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "django.db.backends.postgresql",
        "redis://redis:6379/0",
        "https://api.exolve.ru",
        "Asia/Yekaterinburg",
    ]


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"SECRET_KEY": None, "DEBUG": "false"}, "SECRET_KEY"),
        ({"DATABASE_URL": "mongodb://db/callbacks"}, "DATABASE_URL"),
        ({"CELERY_BROKER_URL": "kafka://broker"}, "CELERY_BROKER_URL"),
        ({"CELERY_BROKER_URL": "memory://"}, "CELERY_BROKER_URL"),
        ({"EXOLVE_API_URL": "api.exolve.ru"}, "EXOLVE_API_URL"),
        ({"TIME_ZONE": "Mars/Olympus"}, "TIME_ZONE"),
        ({"EXOLVE_READ_TIMEOUT": "soon"}, "EXOLVE_READ_TIMEOUT"),
        ({"EXOLVE_MAX_ATTEMPTS": "0"}, "EXOLVE_MAX_ATTEMPTS"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"LOG_FORMAT": "bogus"}, "LOG_FORMAT"),
        ({"CALLBACK_ALLOWED_COUNTRIES": "RU,XX"}, "CALLBACK_ALLOWED_COUNTRIES"),
        (
            {"CALLBACK_REQUEUE_AFTER": "30", "CALLBACK_MAX_COUNTDOWN": "60"},
            "CALLBACK_REQUEUE_AFTER",
        ),
        (
            {"CALLBACK_MAX_COUNTDOWN": "2000", "CELERY_VISIBILITY_TIMEOUT": "3600"},
            "CALLBACK_MAX_COUNTDOWN",
        ),
        ({"CALLBACK_LOST_AFTER": "5"}, "CALLBACK_LOST_AFTER"),
        ({"CELERY_WORKER_POOL": "eventlet"}, "CELERY_WORKER_POOL"),
        ({"CALLBACK_NUMBER_COOLDOWN_MINUTES": "-1"}, "CALLBACK_NUMBER_COOLDOWN_MINUTES"),
        ({"CALLBACK_BATCH_SIZE": "60", "CALLBACK_SEND_THREADS": "50"}, "CALLBACK_BATCH_SIZE"),
        ({"CALLBACK_SEND_THREADS": "0"}, "CALLBACK_SEND_THREADS"),
        ({"EXOLVE_EVENTS_SECRET": "short"}, "EXOLVE_EVENTS_SECRET"),
        ({"METRICS_TOKEN": "guessable"}, "METRICS_TOKEN"),
        ({"EXOLVE_EVENTS_SECRET": "a/b" * 10}, "EXOLVE_EVENTS_SECRET"),
        ({"EXOLVE_EVENTS_LEGACY_URL": "soon"}, "EXOLVE_EVENTS_LEGACY_URL"),
        ({"EXOLVE_EVENTS_LEGACY_SECRET": "short"}, "EXOLVE_EVENTS_LEGACY_SECRET"),
        (
            {"EXOLVE_EVENTS_LEGACY_SECRET": "a" * 24, "EXOLVE_EVENTS_LEGACY_URL": "false"},
            "EXOLVE_EVENTS_LEGACY_SECRET",
        ),
        ({"CALLBACK_SWEEPER_QUEUE": "celery"}, "CALLBACK_SWEEPER_QUEUE"),
        ({"CALLBACK_SWEEPER_QUEUE": " "}, "CALLBACK_SWEEPER_QUEUE"),
        ({"SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto: https"}, "SECURE_PROXY_SSL_HEADER"),
        ({"SECURE_SSL_REDIRECT": "sometimes"}, "SECURE_SSL_REDIRECT"),
        ({"SECURE_HSTS_SECONDS": "a year"}, "SECURE_HSTS_SECONDS"),
        ({"SECURE_HSTS_SECONDS": "-1"}, "SECURE_HSTS_SECONDS"),
        ({"SESSION_COOKIE_SECURE": "maybe"}, "SESSION_COOKIE_SECURE"),
    ],
)
def test_a_malformed_value_stops_start_up_naming_the_variable(variables, named):
    result = load_settings(**variables)
    assert result.returncode != 0
    assert f"ImproperlyConfigured: Environment variable {named}:" in result.stderr


def test_log_format_json_makes_every_line_one_json_object():
    probe = "import logging; logging.getLogger('callbacks.probe').warning('probe %s', 42)"
    result = load_settings(show=probe, LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    written = [json.loads(line) for line in result.stderr.splitlines()]
    assert {"level": "WARNING", "logger": "callbacks.probe", "message": "probe 42"}.items() <= (
        written[-1].items()
    )
    plain = load_settings(show=probe)
    assert plain.stderr.splitlines()[-1].endswith(" WARNING callbacks.probe: probe 42")


def security_settings(**variables):
    result = load_settings(show=SHOW_SECURITY, **variables)
    assert result.returncode == 0, result.stderr
    return dict(zip(SECURITY, ast.literal_eval(result.stdout), strict=True))


def test_without_debug_https_is_required_by_default_and_no_proxy_header_is_trusted():
    assert security_settings(DEBUG="false") == {
        "SECURE_PROXY_SSL_HEADER": None,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }


def test_debug_serves_plain_http_as_the_demo_does():
    assert security_settings(DEBUG="true") == {
        "SECURE_PROXY_SSL_HEADER": None,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
    }


def test_each_security_setting_is_read_from_the_environment():
    assert security_settings(
        DEBUG="false",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        SECURE_HSTS_PRELOAD="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
    ) == {
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 3600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
    }


def test_a_database_password_is_not_repeated_in_the_error():
    result = load_settings(DATABASE_URL="oracle://app:hunter2@db/x")
    assert "DATABASE_URL" in result.stderr
    assert "hunter2" not in result.stderr


def test_the_database_and_broker_in_force_are_the_ones_the_environment_names():
    """CI runs the suite a second time against PostgreSQL and Redis; make sure it really does."""
    expected_vendor = os.environ.get("EXPECT_DATABASE_VENDOR")
    if expected_vendor:
        assert connection.vendor == expected_vendor
    if "CELERY_BROKER_URL" in os.environ:
        assert settings.CELERY_BROKER_URL == os.environ["CELERY_BROKER_URL"]
    if "DATABASE_URL" in os.environ:
        scheme = os.environ["DATABASE_URL"].split(":")[0]
        assert (
            connection.vendor
            == {"postgres": "postgresql", "postgresql": "postgresql", "sqlite": "sqlite"}[scheme]
        )
    assert settings.EXOLVE_API_KEY, "tests need an API key (tests/settings.py sets one)"


def test_no_countdown_can_reach_the_visibility_timeout_and_the_sweeper_is_scheduled():
    """Long waits live in the database: the broker only ever holds a short countdown."""
    assert settings.CALLBACK_MAX_COUNTDOWN <= settings.CELERY_VISIBILITY_TIMEOUT / 2
    assert settings.CALLBACK_REQUEUE_AFTER > settings.CALLBACK_MAX_COUNTDOWN
    if settings.CELERY_BROKER_URL.startswith("redis"):
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        assert options["visibility_timeout"] == settings.CELERY_VISIBILITY_TIMEOUT
    sweep, refresh = settings.CELERY_BEAT_SCHEDULE.values()
    assert (sweep["task"], sweep["schedule"]) == (
        "callbacks.sweep",
        settings.CALLBACK_SWEEP_INTERVAL,
    )
    assert refresh["task"] == "callbacks.refresh_reports"
    assert settings.CELERY_TASK_ROUTES[refresh["task"]] == {
        "queue": settings.CALLBACK_SWEEPER_QUEUE
    }
    from callbacks_project.celery import app

    app.loader.import_default_modules()  # what a starting worker does: autodiscovery included
    assert {"callbacks.sweep", "callbacks.refresh_reports"} <= set(app.tasks)
    assert app.conf.task_acks_late
    assert app.conf.worker_pool == settings.CELERY_WORKER_POOL == "threads"
