"""The reports' rollup: each agent group's customers' callbacks counted per hour of the press
(UTC), so a report over 90 days reads a few thousand rows instead of every callback.

It is kept exact on PostgreSQL: a trigger on the callbacks' table notes, in the same transaction
as any change, which (group, hour) it touched (ReportDirtyHour); callbacks/reports/rollup.py
counts those hours again from the callbacks and removes the notes it read. Other databases
count the callbacks themselves for every report."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .configuration import AgentGroup


class ReportHour(models.Model):
    agent_group = models.ForeignKey(
        AgentGroup, models.CASCADE, related_name="+", verbose_name=_("agent group")
    )
    hour = models.DateTimeField(_("hour"))  # its start, UTC
    # One column per figure of callbacks/reports/figures.py (COUNTS), then the waits' histogram.
    requested = models.PositiveIntegerField(default=0)
    placed = models.PositiveIntegerField(default=0)
    connected = models.PositiveIntegerField(default=0)
    not_reached = models.PositiveIntegerField(default=0)
    not_placed = models.PositiveIntegerField(default=0)
    unknown = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    in_progress = models.PositiveIntegerField(default=0)
    service_counted = models.PositiveIntegerField(default=0)
    service_met = models.PositiveIntegerField(default=0)
    timed_connected = models.PositiveIntegerField(default=0)
    # Then wait_00 … wait_24: the callbacks connected in each band of WAIT_EDGES (added below).

    class Meta:
        verbose_name = _("report hour")
        verbose_name_plural = _("report hours")
        constraints = [
            models.UniqueConstraint(fields=["agent_group", "hour"], name="reporthour_unique")
        ]
        indexes = [models.Index(fields=["hour", "agent_group"], name="reporthour_period")]

    def __str__(self) -> str:
        return f"{self.agent_group_id} {self.hour.isoformat()}"


# The upper edges of the bands of waits from the press to the connection, in seconds; the last
# band has no upper edge. A column per band, so a report sums them in SQL.
WAIT_EDGES = (10, 20, 30, 45, 60, 90, 120, 180, 240, 300, 420, 600, 900, 1200, 1800, 2700, 3600,
              5400, 7200, 10800, 14400, 21600, 43200, 86400)  # fmt: skip
WAIT_COLUMNS = tuple(f"wait_{number:02d}" for number in range(len(WAIT_EDGES) + 1))
for _column in WAIT_COLUMNS:
    ReportHour.add_to_class(_column, models.PositiveIntegerField(default=0))


class ReportDirtyHour(models.Model):
    """A (group, hour) whose callbacks changed since the rollup last counted it. Only inserted
    (by the trigger) and deleted (by the refresh): writers never wait for each other here."""

    id = models.BigAutoField(primary_key=True)
    agent_group_id = models.BigIntegerField()
    hour = models.DateTimeField()

    class Meta:
        # A report asks which hours of its period are still noted.
        indexes = [models.Index(fields=["hour", "agent_group_id"], name="reportdirtyhour_period")]

    def __str__(self) -> str:
        return f"{self.agent_group_id} {self.hour.isoformat()}"
