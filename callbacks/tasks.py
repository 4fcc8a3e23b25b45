"""Thin Celery tasks: they take an id (or nothing) and call a service; never a secret or a body."""

from celery import shared_task

from . import dispatch, sweeper


@shared_task(name="callbacks.send_callback", ignore_result=True)
def send_callback(request_id):
    dispatch.send_callback(request_id)


@shared_task(name="callbacks.sweep", ignore_result=True)
def sweep():
    sweeper.sweep()
