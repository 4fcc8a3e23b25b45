"""Settings for the callbacks project: every deploy-specific value comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import django_stubs_ext
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from .environment import (
    env,
    read_bool,
    read_broker_url,
    read_choice,
    read_country_list,
    read_database,
    read_http_url,
    read_list,
    read_number,
    read_proxy_ssl_header,
    read_str,
    read_time_zone,
    read_url_safe_secret,
)
from .log_config import LOG_FORMATS, logging_config

# Generic classes of Django's (ModelAdmin[Contact], QuerySet[Contact]) may be subscripted at run
# time, as the type checker reads them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env.read_env(BASE_DIR / ".env")  # optional; real environment variables win

# Where the default SQLite database and the filesystem broker keep their files.
VAR_DIR = Path(read_str("VAR_DIR", default=str(BASE_DIR / "var"))).resolve()

DEBUG = read_bool("DEBUG", default=False)
# A development key is only tolerated in DEBUG; production must set its own.
SECRET_KEY = read_str(
    "SECRET_KEY", default="insecure-development-key" if DEBUG else None, required=True
)
ALLOWED_HOSTS = read_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = read_list("CSRF_TRUSTED_ORIGINS", default=[])

# HTTPS, safe by default unless DEBUG (the demo runs DEBUG over plain http on 127.0.0.1): every
# page redirected to HTTPS, HSTS for a year, cookies sent over HTTPS only. Behind a proxy that
# ends TLS, name the header it sets to "https" (X-Forwarded-Proto); unset, no header is trusted.
SECURE_PROXY_SSL_HEADER = read_proxy_ssl_header("SECURE_PROXY_SSL_HEADER")
SECURE_SSL_REDIRECT = read_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = read_number("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = read_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# Lets the site's registrable domain be submitted to the browsers' preload list; it does nothing
# until someone does (and nothing for a subdomain like callbacks.example.com).
SECURE_HSTS_PRELOAD = read_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = read_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = read_bool("CSRF_COOKIE_SECURE", default=not DEBUG)

INSTALLED_APPS = [
    "callbacks_project.admin_app.CallbackDeskAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "simple_history",
    "axes",
    "callbacks",
]

MIDDLEWARE = [
    # Every log line of a request carries its id, and the response says it (X-Request-ID).
    "callbacks_project.request_id.RequestId",
    # /healthz and /readyz, before the host check and the HTTPS redirect (see the module).
    "callbacks_project.health_endpoints.HealthEndpoints",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Records the admin user on every history row, inline rows included.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: answers a locked-out login with our lockout page.
    "axes.middleware.AxesMiddleware",
]

# --- Metrics (prometheus-client) --------------------------------------------------------------
# The web serves /metrics only to a bearer of METRICS_TOKEN (unset: 404). The worker serves its own
# (attempts, Exolve's latency) on WORKER_METRICS_PORT (0: not at all), on WORKER_METRICS_ADDRESS.
METRICS_TOKEN = read_url_safe_secret("METRICS_TOKEN")
WORKER_METRICS_PORT = read_number("WORKER_METRICS_PORT", 0, minimum=0, maximum=65535)
WORKER_METRICS_ADDRESS = read_str("WORKER_METRICS_ADDRESS", default="127.0.0.1")

# --- Login throttling (django-axes) ------------------------------------------------------
# After LOGIN_FAILURE_LIMIT failed logins for one user name from one address, that pair is locked
# out for LOGIN_LOCKOUT_MINUTES (each further failure starts the wait again); a superuser unlocks
# it sooner by deleting its row under "Access attempts" in the admin.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = read_number("LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = timedelta(
    minutes=read_number("LOGIN_LOCKOUT_MINUTES", 15, minimum=1, maximum=7 * 24 * 60)
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "callbacks.views.login_locked_out"
# Behind TRUSTED_PROXY_COUNT reverse proxies, the client's address is the one they put in
# X-Forwarded-For; with none, REMOTE_ADDR (a client could write X-Forwarded-For itself).
TRUSTED_PROXY_COUNT = read_number("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=10)
AXES_CLIENT_IP_CALLABLE = "callbacks_project.client_address.client_address"

ROOT_URLCONF = "callbacks_project.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "callbacks_project.wsgi.application"

DATABASES = {
    "default": read_database("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The worker is a second process: give writers time instead of "database is locked",
    # and keep the test database in a file (one per test run) the worker can open too.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}

# Keep connections between tasks: a worker thread that reconnects per callback wastes its time.
DATABASES["default"]["CONN_MAX_AGE"] = read_number("DATABASE_CONN_MAX_AGE", 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The users work in Russian; a browser that asks for English gets English (LocaleMiddleware).
LANGUAGES = [("ru", "Русский"), ("en", "English")]
LANGUAGE_CODE = read_choice("LANGUAGE_CODE", "ru", [code for code, _ in LANGUAGES])
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["callbacks_project.formats"]  # one date format per language
TIME_ZONE = read_time_zone("TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"  # filled by collectstatic, served by WhiteNoise
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # also makes VAR_DIR for the SQLite file

LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
LOG_LEVEL = read_choice("LOG_LEVEL", "INFO", LOG_LEVELS)
# plain: one line of text per record; json: one JSON object per line, carrying the request's and
# the callback's ids (the worker's and beat's too: callbacks_project/celery.py).
LOG_FORMAT = read_choice("LOG_FORMAT", "plain", LOG_FORMATS)
LOGGING = logging_config(LOG_FORMAT, LOG_LEVEL)
# Error pages (DEBUG's included) and the admins' error reports show no secret: not the broker's or
# the database's password, not the events secret in the URL, the request or a view's variables.
DEFAULT_EXCEPTION_REPORTER_FILTER = "callbacks_project.error_reports.RedactingReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "callbacks_project.error_reports.RedactingExceptionReporter"

# --- Celery ---------------------------------------------------------------------------
# Without CELERY_BROKER_URL the broker is kombu's filesystem transport: no server to run,
# and the web process and the worker still share one queue on disk.
CELERY_BROKER_URL = read_broker_url("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    BROKER_DIR = VAR_DIR / "broker"
    BROKER_DIR.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR),
        "data_folder_out": str(BROKER_DIR),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Acknowledge after the task ran, so a task whose worker died before claiming is delivered
# again; the dispatch service's atomic claim makes any second delivery send nothing.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery closes the task's database connection before and after every task unless this is set;
# callbacks_project/celery.py lets Django close them by CONN_MAX_AGE and health checks instead.
CELERY_DB_REUSE_MAX = 1_000_000
# A callback is mostly waiting for Exolve's answer (a few hundred ms): threads overlap the waiting.
# Each thread holds one database connection, so concurrency must stay below the server's limit.
CELERY_WORKER_POOL = read_choice("CELERY_WORKER_POOL", "threads", ["threads", "prefork", "solo"])
CELERY_WORKER_CONCURRENCY = read_number("CELERY_WORKER_CONCURRENCY", 50, minimum=1, maximum=500)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Publishing gives up quickly when the broker is down: the callback's row is already committed
# and the sweeper queues it again, so the page never waits on the broker. At worst: connect
# (0.5 s), wait 0.2 s, connect again (0.5 s), give up: the page answers within 2 s.
CELERY_BROKER_CONNECTION_TIMEOUT = 0.5
# And a hard deadline on the whole publish (a broker that accepts and never answers).
CALLBACK_PUBLISH_TIMEOUT = read_number(
    "CALLBACK_PUBLISH_TIMEOUT", 1.5, cast=float, minimum=0.1, maximum=10
)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0.2,
    "interval_step": 0,
    "interval_max": 0.2,
}
# An unacknowledged task is delivered again after this long (Redis); no countdown may come near it.
CELERY_VISIBILITY_TIMEOUT = read_number("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60)
if CELERY_BROKER_URL.startswith(("redis", "rediss")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        "socket_connect_timeout": 0.5,
        "socket_timeout": 5.0,
    }
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Callback delivery ----------------------------------------------------------------
# The sweeper (a Celery beat task) runs this often: it queues requests that are due and were
# never queued or were queued long ago, and marks lost sends unknown.
CALLBACK_SWEEP_INTERVAL = read_number("CALLBACK_SWEEP_INTERVAL", 15.0, cast=float, minimum=0.5)
# Long enough for a backlog to drain: a task still waiting in the queue is not lost, and a copy
# of it would only add to the backlog (the claim makes the copy send nothing).
CALLBACK_REQUEUE_AFTER = read_number("CALLBACK_REQUEUE_AFTER", 600.0, cast=float, minimum=1)
# The sweeper's tasks have a queue of their own, taken by a worker of their own (the compose file's
# sweeper), so a backlog of sends on the default queue never delays a sweep.
CELERY_TASK_DEFAULT_QUEUE = "celery"  # Celery's own default, named: the compose file consumes it
CALLBACK_SWEEPER_QUEUE = read_str("CALLBACK_SWEEPER_QUEUE", default="sweeper", required=True)
if CALLBACK_SWEEPER_QUEUE == CELERY_TASK_DEFAULT_QUEUE:
    raise ImproperlyConfigured(
        "Environment variable CALLBACK_SWEEPER_QUEUE: must not be the default queue "
        f"{CELERY_TASK_DEFAULT_QUEUE!r}, or sweeps wait behind the sends"
    )
SWEEPER_TASKS = (
    "callbacks.sweep",
    "callbacks.purge_call_log",
    "callbacks.purge_history",
    "callbacks.refresh_reports",
)
CELERY_TASK_ROUTES = {name: {"queue": CALLBACK_SWEEPER_QUEUE} for name in SWEEPER_TASKS}
CELERY_BEAT_SCHEDULE = {
    # Sweeps piled up while no sweeper worker ran are dropped.
    "sweep-callbacks": {
        "task": "callbacks.sweep",
        "schedule": CALLBACK_SWEEP_INTERVAL,
        "options": {"expires": max(60.0, 4 * CALLBACK_SWEEP_INTERVAL)},
    },
    # The reports' rollup on PostgreSQL (callbacks/reports/rollup.py); nothing to do elsewhere.
    "refresh-reports": {
        "task": "callbacks.refresh_reports",
        "schedule": 60.0,
        "options": {"expires": 120.0},
    },
}
# Batches of the trigger's notes (5,000 each) one refresh_reports run counts at most.
REPORTS_REFRESH_BATCHES = read_number(
    "REPORTS_REFRESH_BATCHES", 20, cast=int, minimum=1, maximum=10_000
)
# /readyz: each check's deadline, and how old the sweeper's last sweep may be (a few intervals:
# one late sweep is not a stopped sweeper).
HEALTH_CHECK_TIMEOUT = read_number("HEALTH_CHECK_TIMEOUT", 1.0, cast=float, minimum=0.1, maximum=10)
HEALTH_SWEEPER_MAX_AGE = read_number(
    "HEALTH_SWEEPER_MAX_AGE",
    4 * CALLBACK_SWEEP_INTERVAL,
    cast=float,
    minimum=2 * CALLBACK_SWEEP_INTERVAL,
)
# Each worker records that it is alive this often (callbacks_project/worker_heartbeat.py); the
# board counts a worker not heard from for three intervals as gone.
WORKER_HEARTBEAT_INTERVAL = read_number(
    "WORKER_HEARTBEAT_INTERVAL", 10.0, cast=float, minimum=1, maximum=300
)
# Waits up to this long are a Celery countdown; longer ones live in the database (the sweeper).
CALLBACK_MAX_COUNTDOWN = read_number(
    "CALLBACK_MAX_COUNTDOWN",
    60.0,
    cast=float,
    minimum=0,
    maximum=min(CELERY_VISIBILITY_TIMEOUT / 2, 3600),
)
if CALLBACK_REQUEUE_AFTER <= CALLBACK_MAX_COUNTDOWN:
    raise ImproperlyConfigured(
        "Environment variable CALLBACK_REQUEUE_AFTER: must be longer than CALLBACK_MAX_COUNTDOWN "
        f"({CALLBACK_REQUEUE_AFTER} <= {CALLBACK_MAX_COUNTDOWN}), "
        "or tasks waiting out a countdown are queued twice"
    )
# A worker process sends the callbacks of one task side by side, in CALLBACK_SEND_THREADS threads
# of its own that keep their HTTPS connections to Exolve. A press queues one callback; the sweeper
# queues a backlog (the broker was down, the group opened) CALLBACK_BATCH_SIZE per task, so the
# database work and Celery's own cost are paid per batch, not per callback. A batch of at most half
# the threads lets one batch be claimed while the one before it is still being sent.
CALLBACK_SEND_THREADS = read_number("CALLBACK_SEND_THREADS", 100, minimum=1, maximum=500)
CALLBACK_BATCH_SIZE = read_number("CALLBACK_BATCH_SIZE", 25, minimum=1, maximum=500)
if CALLBACK_BATCH_SIZE > CALLBACK_SEND_THREADS:
    raise ImproperlyConfigured(
        "Environment variable CALLBACK_BATCH_SIZE: must not exceed CALLBACK_SEND_THREADS "
        f"({CALLBACK_BATCH_SIZE} > {CALLBACK_SEND_THREADS}): "
        "a batch claims its callbacks only when a thread is free for each"
    )
# Retention: call events and attempts older than this many days are deleted every night, in
# batches of CALLBACK_RETENTION_BATCH rows. 0 (the default) keeps everything.
CALLBACK_RETENTION_DAYS = read_number("CALLBACK_RETENTION_DAYS", 0, minimum=0)
CALLBACK_RETENTION_BATCH = read_number("CALLBACK_RETENTION_BATCH", 1000, minimum=1, maximum=100_000)
if CALLBACK_RETENTION_DAYS:
    CELERY_BEAT_SCHEDULE["purge-call-log"] = {
        "task": "callbacks.purge_call_log",
        "schedule": crontab(hour=3, minute=30),
        "options": {"expires": 3600},
    }
# Limits against harm and abuse.
CALLBACK_ALLOWED_COUNTRIES = read_country_list("CALLBACK_ALLOWED_COUNTRIES", ["RU"])
CALLBACK_NUMBER_COOLDOWN_MINUTES = read_number("CALLBACK_NUMBER_COOLDOWN_MINUTES", 10, minimum=0)
CALLBACK_USER_HOURLY_LIMIT = read_number("CALLBACK_USER_HOURLY_LIMIT", 60, minimum=1)

# --- Exolve ---------------------------------------------------------------------------
EXOLVE_API_URL = read_http_url("EXOLVE_API_URL", default="https://api.exolve.ru")
# The key is read here and handed only to the HTTP client: never stored, logged or queued.
EXOLVE_API_KEY = read_str("EXOLVE_API_KEY", default="")
# Exolve POSTs its call events to https://exolve:<EXOLVE_EVENTS_SECRET>@<this host>/exolve/events/
# (set that URL in the Exolve cabinet): the secret travels in the Authorization header, which no
# access log prints. Without a secret, the endpoint refuses everything.
EXOLVE_EVENTS_SECRET = read_url_safe_secret("EXOLVE_EVENTS_SECRET")
# The old events URL, /exolve/events/<secret>/, puts the secret in every access log on its way. It
# works during the migration period (README, "Security"): until this is false. It takes
# EXOLVE_EVENTS_LEGACY_SECRET, when set, so the secret can be changed as the cabinet is switched.
EXOLVE_EVENTS_LEGACY_URL = read_bool("EXOLVE_EVENTS_LEGACY_URL", default=True)
EXOLVE_EVENTS_LEGACY_SECRET = read_url_safe_secret("EXOLVE_EVENTS_LEGACY_SECRET")
if EXOLVE_EVENTS_LEGACY_SECRET and not EXOLVE_EVENTS_LEGACY_URL:
    raise ImproperlyConfigured(
        "Environment variable EXOLVE_EVENTS_LEGACY_SECRET: set, but EXOLVE_EVENTS_LEGACY_URL is "
        "false and nothing takes it; remove it"
    )
# The longest event body read (Exolve's are under 1 KB), and the most events kept per call (a few
# per leg and destination): an event beyond either is answered and not stored.
EXOLVE_EVENT_MAX_BYTES = read_number("EXOLVE_EVENT_MAX_BYTES", 16384, minimum=1024, maximum=1 << 20)
EXOLVE_EVENTS_PER_CALL = read_number("EXOLVE_EVENTS_PER_CALL", 200, minimum=20, maximum=10_000)
# A placed call whose final event has not come this long after its longest possible end is
# flagged "no outcome received".
CALLBACK_OUTCOME_GRACE = read_number("CALLBACK_OUTCOME_GRACE", 900.0, cast=float, minimum=0)
EXOLVE_CONNECT_TIMEOUT = read_number("EXOLVE_CONNECT_TIMEOUT", 3.05, cast=float, minimum=0.1)
EXOLVE_READ_TIMEOUT = read_number("EXOLVE_READ_TIMEOUT", 15.0, cast=float, minimum=0.1)
EXOLVE_MAX_ATTEMPTS = read_number("EXOLVE_MAX_ATTEMPTS", 5, minimum=1, maximum=20)
EXOLVE_RETRY_BASE_DELAY = read_number("EXOLVE_RETRY_BASE_DELAY", 2.0, cast=float, minimum=0)
EXOLVE_RETRY_MAX_DELAY = read_number("EXOLVE_RETRY_MAX_DELAY", 60.0, cast=float, minimum=0)
# No retry starts later than this after the first attempt: a callback an hour late is no callback.
EXOLVE_RETRY_MAX_AGE = read_number("EXOLVE_RETRY_MAX_AGE", 900.0, cast=float, minimum=0)
EXOLVE_RESPONSE_BODY_LIMIT = read_number("EXOLVE_RESPONSE_BODY_LIMIT", 4000, minimum=100)
# A send with no recorded answer this long after it started lost its worker: the outcome is
# unknown. Far beyond the timeouts, which bound each connect and each read but not DNS or a
# server that answers byte by byte: nobody waits on an unknown, and a live send must not be one.
CALLBACK_LOST_AFTER = read_number(
    "CALLBACK_LOST_AFTER",
    600.0,
    cast=float,
    minimum=EXOLVE_CONNECT_TIMEOUT + EXOLVE_READ_TIMEOUT,
)
