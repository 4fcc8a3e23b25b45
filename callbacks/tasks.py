"""Thin Celery tasks: they take ids (or nothing) and call a service; never a secret or a body.

The services queue a task by its name (delivery/queue.py), so they never import this module: the
tasks are the top of the house, and pyproject.toml's import contracts keep them there. A renamed
task keeps its old name registered, so tasks queued before an upgrade still run after it."""

from celery import shared_task
from django.conf import settings

from . import retention
from .delivery import sending, sweeper
from .delivery.queue import SEND_CALLBACKS_TASK
from .reports import rollup


@shared_task(name=SEND_CALLBACKS_TASK, ignore_result=True)
def send_callbacks(callback_ids: list[int]) -> None:
    sending.send_callbacks(callback_ids)


@shared_task(name="callbacks.send_callback", ignore_result=True)
def send_callback(callback_id: int) -> None:
    """Tasks queued by the version before batches, delivered after an upgrade."""
    sending.send_callbacks([callback_id])


@shared_task(name="callbacks.sweep", ignore_result=True)
def sweep() -> None:
    sweeper.sweep()


@shared_task(name="callbacks.refresh_reports", ignore_result=True)
def refresh_reports() -> None:
    """The reports' rollup counts again what changed, within a budget of batches per run."""
    rollup.refresh(most_batches=settings.REPORTS_REFRESH_BATCHES)


@shared_task(name="callbacks.purge_call_log", ignore_result=True)
def purge_call_log() -> None:
    retention.purge_configured()


@shared_task(name="callbacks.purge_history", ignore_result=True)
def purge_history() -> None:
    """The task's name before "call log" was the word: queued by an older beat, run the same."""
    retention.purge_configured()
