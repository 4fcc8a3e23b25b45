"""The project's own settings, with the few values a test run needs when the environment has none."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")
os.environ.setdefault("EXOLVE_API_KEY", "tests-only-exolve-key")
# Nothing in a test may reach the real Exolve: tests that send point this at the sandbox.
os.environ.setdefault("EXOLVE_API_URL", "http://127.0.0.1:9")

from callbacks_project.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests read the English source strings; tests/test_translations.py checks the Russian ones.
LANGUAGE_CODE = "en"

# A queue of the tests' own, so a demo worker on this machine never takes a test's task.
CELERY_TASK_DEFAULT_QUEUE = "callbacks-tests"
