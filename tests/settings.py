"""The project's own settings, with the few values a test run needs when the environment has
none."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")
os.environ.setdefault("EXOLVE_API_KEY", "tests-only-exolve-key")
# Nothing in a test may reach the real Exolve: tests that send point this at the sandbox.
os.environ.setdefault("EXOLVE_API_URL", "http://127.0.0.1:9")

from callbacks_project.settings import *  # noqa: F403
from callbacks_project.settings import CELERY_BROKER_URL, SWEEPER_TASKS, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests read the English source strings; tests/integration/test_translations.py checks the
# Russian ones.
LANGUAGE_CODE = "en"
# The test client and the live servers speak plain HTTP (the production default redirects it).
SECURE_SSL_REDIRECT = False

# Queues of this test run's own, the sends' and the sweeper's (and with the filesystem broker, a
# folder of its own), so that neither a demo worker on this machine nor another test run takes its
# tasks. The worker processes a test starts inherit TEST_RUN, and with it the same queues and
# folder.
TEST_RUN = os.environ.setdefault("TEST_RUN", str(os.getpid()))
CELERY_TASK_DEFAULT_QUEUE = f"callbacks-tests-{TEST_RUN}"
CALLBACK_SWEEPER_QUEUE = f"callbacks-sweeper-tests-{TEST_RUN}"
CELERY_TASK_ROUTES = {name: {"queue": CALLBACK_SWEEPER_QUEUE} for name in SWEEPER_TASKS}
if CELERY_BROKER_URL.startswith("filesystem://"):
    BROKER_DIR = VAR_DIR / f"broker-tests-{TEST_RUN}"  # made and removed by tests/conftest.py
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405  (the project's, for this transport)
        "data_folder_in": str(BROKER_DIR),
        "data_folder_out": str(BROKER_DIR),
        "control_folder": str(BROKER_DIR / "control"),
    }
