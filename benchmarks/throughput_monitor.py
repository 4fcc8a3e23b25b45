"""What the throughput benchmark watches while it measures: the workers' CPU time, how busy the
machine is, the broker's backlog, and the PostgreSQL sessions and commits of its database."""

import os
import threading
from pathlib import Path


def _cpu_seconds(pid):
    """utime + stime of a process, in seconds (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine_jiffies():
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values[:8]), idle


class Monitor:
    """While a run is measured: the worker's CPU time, how busy the whole machine is, and how many
    messages wait in the broker queue (sampled every 100 ms: ~0 means the worker keeps up with the
    publisher, a growing backlog means the worker is the bottleneck)."""

    def __init__(self, redis_client, queue, worker_pids):
        self.redis, self.queue, self.pids = redis_client, queue, list(worker_pids)
        self.samples = []
        self._stop = threading.Event()

    def __enter__(self):
        self.cpu0, (self.total0, self.idle0) = self._worker_cpu(), _machine_jiffies()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _worker_cpu(self):
        return sum(_cpu_seconds(pid) for pid in self.pids)

    def _sample(self):
        client = self.redis.__class__(connection_pool=self.redis.connection_pool)
        while not self._stop.wait(0.1):
            try:
                self.samples.append(client.llen(self.queue))
            except Exception:
                pass

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join(5)
        total1, idle1 = _machine_jiffies()
        self.result = {
            "worker_cpu_seconds": self._worker_cpu() - self.cpu0,
            "machine_busy": 1 - (idle1 - self.idle0) / max(1, total1 - self.total0),
            "backlog_mean": sum(self.samples) / len(self.samples) if self.samples else 0,
            "backlog_max": max(self.samples, default=0),
        }
        return False


def pg_counters():
    """This database's sessions opened and transactions committed so far (pg_stat_database)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT sessions, xact_commit FROM pg_stat_database WHERE datname = current_database()"
        )
        sessions, commits = cursor.fetchone()
    return {"sessions": sessions, "commits": commits}
