"""The sweeper's tasks are published to a queue of their own; the sends to the default queue."""

import pytest
from django.conf import settings

from callbacks_project.celery import app

SWEEPER_TASKS = ["callbacks.sweep", "callbacks.purge_call_log", "callbacks.purge_history"]


def published_to(task_name, **options):
    """The queue Celery's router picks for a task sent by name, as beat and the services send."""
    return app.amqp.router.route(options, task_name)["queue"].name


@pytest.mark.parametrize("task_name", SWEEPER_TASKS)
def test_the_sweeper_and_the_purge_go_to_the_sweeper_queue(task_name):
    assert settings.CALLBACK_SWEEPER_QUEUE != settings.CELERY_TASK_DEFAULT_QUEUE
    assert published_to(task_name) == settings.CALLBACK_SWEEPER_QUEUE


def test_every_beat_entry_goes_to_the_sweeper_queue_with_its_options():
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert published_to(entry["task"], **entry["options"]) == settings.CALLBACK_SWEEPER_QUEUE


@pytest.mark.parametrize("task_name", ["callbacks.send_callbacks", "callbacks.send_callback"])
def test_sends_go_to_the_default_queue(task_name):
    assert published_to(task_name) == settings.CELERY_TASK_DEFAULT_QUEUE
