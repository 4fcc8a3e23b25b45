"""Thin Celery tasks: they take ids (or nothing) and call a service; never a secret or a body."""

from celery import shared_task

from . import dispatch, retention, sweeper


@shared_task(name="callbacks.send_callbacks", ignore_result=True)
def send_callbacks(request_ids):
    dispatch.send_callbacks(request_ids)


@shared_task(name="callbacks.send_callback", ignore_result=True)
def send_callback(request_id):
    """Tasks queued by the version before batches, delivered after an upgrade."""
    dispatch.send_callback(request_id)


@shared_task(name="callbacks.sweep", ignore_result=True)
def sweep():
    sweeper.sweep()


@shared_task(name="callbacks.purge_history", ignore_result=True)
def purge_history():
    retention.purge_configured()
