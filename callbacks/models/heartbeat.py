"""When the sweeper last finished a sweep: one row, written by every sweep and read by /readyz
(callbacks/health.py).

A table, not Django's cache: web, the sweeper's worker and beat are separate processes (and
containers), and the project configures no shared cache; the database is already what readyz
checks first, and a row survives restarts, so a sweeper that stopped shows as stale, not as
never run."""

from django.db import models


class SweeperHeartbeat(models.Model):
    ONLY = 1  # the one row's id

    id = models.PositiveSmallIntegerField(primary_key=True, default=ONLY)
    swept_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="sweeperheartbeat_one_row")
        ]

    def __str__(self) -> str:
        return f"swept at {self.swept_at.isoformat()}"


class WorkerHeartbeat(models.Model):
    """When each Celery worker last said it is alive (callbacks_project/worker_heartbeat.py), and
    which queues it takes: the board shows whether anything is sending."""

    hostname = models.CharField(max_length=255, primary_key=True)
    queues = models.CharField(max_length=255, blank=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.hostname} at {self.beat_at.isoformat()}"
