"""The sweeper has a queue of its own: with real worker processes, sweeps go on while the default
queue holds a backlog of sends that its worker cannot get to.

The sends' worker has one thread, held before its first claim for as long as a file exists
(worker_process.py's hook): a send that does not finish, as a slow Exolve makes them, with the
rest of the backlog waiting in the queue behind it. The sweeper's worker, with the embedded beat,
consumes only the sweeper queue, as docker-compose.yml's sweeper service does."""

import pytest
from django.conf import settings
from django.utils import timezone

from callbacks.delivery import queue
from callbacks.models import CallbackRequest, CallbackStatus
from tests.helpers import pending_callbacks, wait_for
from tests.system.fault_harness import fresh
from tests.system.worker_process import HOLDING, running_worker

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # Two workers polling one folder of kombu's filesystem transport may read a message while it
    # is half written (a JSONDecodeError in the worker): a development broker's race, not ours.
    # Production and CI's second pass run Redis.
    pytest.mark.skipif(
        settings.CELERY_BROKER_URL.startswith("filesystem://"),
        reason="two workers on the filesystem broker race; runs on Redis (CI's second pass)",
    ),
]

BACKLOG = 5


def test_a_sweep_runs_while_the_default_queue_holds_a_backlog_of_sends(
    tmp_path, broker, sandbox, staff_user, agent_group, client
):
    callbacks = pending_callbacks(BACKLOG, agent_group, staff_user)
    CallbackRequest.objects.filter(pk__in=[c.pk for c in callbacks]).update(
        queued_at=timezone.now()
    )
    for callback in callbacks:  # one task each, as presses queue them
        assert queue.publish([callback.pk])
    hold_file = tmp_path / "hold"
    hold_file.touch()

    sends_options = broker.worker(sandbox, concurrency=1, hold_file=hold_file)
    with running_worker(tmp_path / "sends.log", **sends_options) as sends:
        assert wait_for(lambda: HOLDING in sends.log(), 30), sends.log()
        sweeper_options = broker.worker(
            sandbox, beat=True, consume=[settings.CALLBACK_SWEEPER_QUEUE]
        )
        with running_worker(tmp_path / "sweeper.log", **sweeper_options) as sweeper:
            assert sweeper.wait_for_sweeps(2, seconds=60), sweeper.log()
            # The sweeps ran while the backlog was still there: nothing of it has been sent.
            assert sandbox.received() == []
            assert all(fresh(c).status == CallbackStatus.PENDING for c in callbacks)
            assert sends.log().count(HOLDING) == 1, sends.log()
            # And readyz sees the sweeper's heartbeat through the backlog.
            assert client.get("/readyz").json()["checks"]["sweeper"] == "ok"

            hold_file.unlink()
            placed = lambda: all(fresh(c).status == CallbackStatus.PLACED for c in callbacks)  # noqa: E731
            assert wait_for(placed, 60), sends.log()
    assert len(sandbox.received()) == BACKLOG  # once each, whatever the sweeper queued again
