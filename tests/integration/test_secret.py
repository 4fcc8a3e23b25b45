"""The Exolve API key never reaches the database, a log line, a task argument or a page."""

import logging

import pytest
from celery import current_app
from django.core import serializers
from django.core.management import call_command
from django.urls import reverse

from callbacks.delivery import create, sending
from callbacks.models import CallbackAttempt, CallbackRequest

pytestmark = pytest.mark.django_db


def test_the_key_is_nowhere_after_placed_failed_and_retried_callbacks(
    client,
    settings,
    sandbox,
    contact,
    agent_group,
    staff_user,
    auditor,
    caplog,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    key = settings.EXOLVE_API_KEY
    assert len(key) > 8
    task_arguments = []
    # What Celery is given to send: the task's name, its arguments and options.
    monkeypatch.setattr(
        current_app, "send_task", lambda *args, **kwargs: task_arguments.append((args, kwargs))
    )
    caplog.set_level(logging.DEBUG)
    settings.EXOLVE_MAX_ATTEMPTS = 1  # each request ends before the next one for the same contact
    sandbox.script(
        {"status": 401, "body": {"message": "malformed token"}}, {"status": 503}, {"status": 200}
    )

    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):  # queued as after a commit
            callback = create.create_callback(
                contact=contact, agent_group=agent_group, requested_by=staff_user
            )
        sending.send_callback(callback.pk)

    client.force_login(auditor)
    pages = [
        reverse("admin:callbacks_callbackrequest_changelist"),
        reverse("admin:callbacks_callbackattempt_changelist"),
        reverse("admin:callbacks_contact_change", args=[contact.pk]),
        *[
            reverse("admin:callbacks_callbackrequest_change", args=[pk])
            for pk in CallbackRequest.objects.values_list("pk", flat=True)
        ],
        *[
            reverse("admin:callbacks_callbackattempt_change", args=[pk])
            for pk in CallbackAttempt.objects.values_list("pk", flat=True)
        ],
    ]
    page_text = "".join(client.get(url).content.decode() for url in pages)
    database_text = serializers.serialize(
        "json", [*CallbackRequest.objects.all(), *CallbackAttempt.objects.all()]
    )

    assert CallbackAttempt.objects.count() == 3
    assert "malformed token" in page_text  # the pages do show Exolve's errors
    assert [kwargs["args"] for _args, kwargs in task_arguments] == [
        ([pk],) for pk in CallbackRequest.objects.order_by("pk").values_list("pk", flat=True)
    ]
    for where, text in [
        ("pages", page_text),
        ("database", database_text),
        ("logs", caplog.text),
        ("task arguments", repr(task_arguments)),
        ("sandbox log", repr(sandbox.received())),
    ]:
        assert key not in text, f"the API key leaked into the {where}"


def test_the_key_is_not_in_a_full_database_dump(
    sandbox, contact, agent_group, staff_user, settings, capsys, monkeypatch
):
    monkeypatch.setattr(current_app, "send_task", lambda *a, **k: None)
    callback = create.create_callback(
        contact=contact, agent_group=agent_group, requested_by=staff_user
    )
    sending.send_callback(callback.pk)
    call_command("dumpdata", "--all")
    dump = capsys.readouterr().out
    assert callback.request_description in dump
    assert settings.EXOLVE_API_KEY not in dump
