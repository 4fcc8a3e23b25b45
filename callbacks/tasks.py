"""Thin Celery tasks: they take an id and call the dispatch service (never a secret or a body)."""

from celery import shared_task

from . import dispatch


@shared_task(name="callbacks.send_callback", ignore_result=True)
def send_callback(request_id):
    dispatch.send_callback(request_id)
