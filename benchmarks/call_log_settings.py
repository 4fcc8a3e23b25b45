"""The project's settings plus django-celery-results, whose TaskResult admin is the reference of
call_log.py."""

from callbacks_project.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "django_celery_results"]  # noqa: F405
ALLOWED_HOSTS = ["testserver"]
LANGUAGE_CODE = "en"
SECURE_SSL_REDIRECT = False  # the test client speaks plain HTTP
