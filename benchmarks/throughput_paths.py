"""The three paths the throughput benchmark measures, and the data they send.

  (1) ceiling   requests.Session POSTs from as many threads as the worker has, in this process;
  (2) bare      benchmarks/bare_tasks.py's task in a worker of its own;
  (3) app       create_callback's rows, queued by the sweeper to a real project worker.

Each returns its N and seconds, and (2) and (3) what the Monitor saw while they ran.
"""

import itertools
import threading
import time

from benchmarks.throughput_monitor import Monitor, pg_counters
from benchmarks.throughput_processes import API_KEY, wait_until

FINAL_STATUSES = ("placed", "failed", "unknown", "cancelled", "refused")


class Bench:
    def __init__(self, args, workers, sandbox_url, redis_url):
        self.args, self.workers = args, workers
        self.sandbox_url, self.redis_url = sandbox_url, redis_url
        import redis
        import requests

        self.requests = requests
        self.redis = redis.Redis.from_url(redis_url)
        self.next_contact = 0

    # the sandbox
    def sandbox(self, delay_ms):
        r = self.requests
        r.post(f"{self.sandbox_url}/_sandbox/reset", timeout=10).raise_for_status()
        r.post(
            f"{self.sandbox_url}/_sandbox/config", json={"delay_ms": delay_ms}, timeout=10
        ).raise_for_status()

    def sandbox_ok_count(self):
        received = self.requests.get(f"{self.sandbox_url}/_sandbox/requests", timeout=60).json()[
            "requests"
        ]
        return sum(1 for entry in received if entry["status"] == 200), len(received)

    # data
    def setup_data(self):
        from django.contrib.auth.models import User

        from callbacks.models import AgentGroup, Destination, MediaResource, TtsPreset

        self.user = User.objects.create_user("bench", password="bench-pass-1234", is_staff=True)
        media = MediaResource.objects.create(name="Greeting", media_resource_id=685)
        tts = TtsPreset.objects.create(
            name="Website", text="Обратный звонок с сайта", voice=3, speed="1.5"
        )
        self.group = AgentGroup.objects.create(
            name="Bench",
            number_code=74999999999,
            callback_resource_id=1221,
            agent_media_resource=media,
            contact_tts_preset=tts,
            contact_ring_logic=2,
        )
        Destination.objects.create(agent_group=self.group, position=0, number="78129999999")
        Destination.objects.create(agent_group=self.group, position=1, number="74959999999")

    def make_contacts(self, count):
        """`count` new contacts, each with one distinct Russian mobile number 7912xxxxxxx."""
        from callbacks.models import Contact, ContactNumber

        first = self.next_contact
        self.next_contact += count
        contacts = Contact.objects.bulk_create(
            [Contact(name=f"Bench {i}") for i in range(first, first + count)]
        )
        ContactNumber.objects.bulk_create(
            [
                ContactNumber(contact=c, position=0, number=f"7912{i:07d}")
                for i, c in zip(range(first, first + count), contacts, strict=False)
            ]
        )
        return contacts

    def bodies(self, contacts, tag):
        """The MakeCallback body the application would send for each contact (same builder)."""
        from callbacks import exolve
        from callbacks.models import ContactNumber

        destinations = list(self.group.destinations.all())
        numbers = {}
        for n in ContactNumber.objects.filter(contact__in=contacts).order_by("position", "id"):
            numbers.setdefault(n.contact_id, []).append(n)
        return [
            exolve.build_make_callback_body(
                agent_group=self.group,
                agent_destinations=destinations,
                contact=c,
                contact_numbers=numbers[c.pk],
                request_description=f"bench-{tag}-{c.pk}",
            )
            for c in contacts
        ]

    # (1) the ceiling
    def ceiling(self, bodies):
        threads_n = self.args.concurrency
        url = f"{self.sandbox_url}/call/v1/MakeCallback"
        counter = itertools.count()
        lock = threading.Lock()
        results = {"ok": 0, "other": 0, "last": 0.0}
        ready = threading.Barrier(threads_n + 1)
        errors = []

        def run():
            try:
                session = self.requests.Session()
                session.headers["Authorization"] = f"Bearer {API_KEY}"
                # Unmeasured: open the keep-alive connection. The sandbox listens with
                # socketserver's backlog of 5, so 50 simultaneous connects may be reset: try again,
                # staggered.
                for attempt in range(10):
                    try:
                        session.post(url, json=bodies[0], timeout=(3.05, 15)).raise_for_status()
                        break
                    except self.requests.ConnectionError:
                        if attempt == 9:
                            raise
                        time.sleep(0.05 * (attempt + 1))
                ready.wait()
                while True:
                    i = next(counter)
                    if i >= len(bodies):
                        break
                    response = session.post(url, json=bodies[i], timeout=(3.05, 15.0))
                    done = time.time()
                    with lock:
                        results["ok" if response.status_code == 200 else "other"] += 1
                        results["last"] = max(results["last"], done)
            except threading.BrokenBarrierError:
                pass
            except Exception as exc:
                errors.append(exc)
                ready.abort()

        threads = [threading.Thread(target=run, daemon=True) for _ in range(threads_n)]
        for t in threads:
            t.start()
        try:
            ready.wait(60)
        except threading.BrokenBarrierError:
            for t in threads:
                t.join(20)
            raise RuntimeError(f"ceiling: a thread failed: {errors[:1]!r}") from None
        start = time.time()
        for t in threads:
            t.join()
        if errors:
            raise RuntimeError(f"ceiling: {errors[0]!r}")
        return {
            "n": len(bodies),
            "seconds": results["last"] - start,
            "ok": results["ok"],
            "other": results["other"],
        }

    # (2) the bare Celery task
    def bare(self, bodies, warm_bodies, expected_seconds, label):
        from benchmarks import bare_tasks

        proc = self.workers.start("benchmarks.bare_tasks", "bench-bare", bare_tasks.QUEUE)
        try:
            for phase, batch in (("warm-up", warm_bodies), ("measured", bodies)):
                self.redis.delete(bare_tasks.DONE_KEY, bare_tasks.ERRORS_KEY, bare_tasks.LAST_KEY)
                if phase == "measured":
                    self.workers.profile(proc, f"bare-{label}", expected_seconds)
                with Monitor(self.redis, bare_tasks.QUEUE, [proc.pid]) as monitor:
                    start = time.time()
                    for body in batch:
                        bare_tasks.bare_post.apply_async((body,))
                    published = time.time()
                    timeout = max(120, 20 * expected_seconds)
                    done = self.counter_reached(bare_tasks.DONE_KEY, len(batch))
                    wait_until(done, timeout, f"bare {phase}", proc)
            last = self.redis.zscore(bare_tasks.LAST_KEY, "t")
            errors = int(self.redis.get(bare_tasks.ERRORS_KEY) or 0)
        finally:
            self.workers.stop(proc)
        return {
            "n": len(bodies),
            "seconds": last - start,
            "publish_seconds": published - start,
            "errors": errors,
            **monitor.result,
        }

    def counter_reached(self, key, n):
        """A check for wait_until: the Redis counter at key has reached n."""
        return lambda: int(self.redis.get(key) or 0) >= n

    # (3) the application
    def create_requests(self, contacts, hold_publishing):
        """CallbackRequest rows through create_callback; with hold_publishing the on-commit
        publish is dropped, as when the broker is down. Returns (ids, seconds the service took)."""
        from callbacks.delivery import create, queue
        from callbacks.models import CallbackRequest

        real_publish = queue.publish
        if hold_publishing:
            queue.publish = lambda callback_ids, countdown=0.0: False
        try:
            start = time.perf_counter()
            ids = [
                create.create_callback(contact=c, agent_group=self.group, requested_by=self.user).pk
                for c in contacts
            ]
            seconds = time.perf_counter() - start
        finally:
            queue.publish = real_publish
        self.check_created(ids)
        if hold_publishing:  # what queue.publish does when the broker is down
            CallbackRequest.objects.filter(pk__in=ids).update(queued_at=None)
        return ids, seconds

    def queue_backlog(self):
        """What the sweeper does when the broker is back; returns how many requests it queued."""
        from django.utils import timezone

        from callbacks.delivery import sweeper

        queued = 0
        while swept := sweeper.queue_due(timezone.now()):
            queued += swept
        return queued

    def check_created(self, ids):
        from callbacks.models import CallbackRequest

        bad = CallbackRequest.objects.filter(pk__in=ids).exclude(
            status__in=["pending", "sending", "placed"]
        )
        bad = list(bad.values_list("status", "error")[:3])
        if bad:
            raise RuntimeError(f"create_callback did not queue every callback: {list(bad)}")

    def wait_final(self, ids, timeout, proc):
        from callbacks.models import CallbackRequest

        rows = CallbackRequest.objects.filter(pk__gte=min(ids), pk__lte=max(ids))
        polls = itertools.count(1)

        def all_final():
            self.own_queries = next(polls)
            return rows.filter(status__in=FINAL_STATUSES).count() >= len(ids)

        wait_until(all_final, timeout, "app rows final", proc)
        return rows

    def app(self, contacts, warm_contacts, expected_seconds, label):
        from django.db.models import Avg, Count, Max

        from callbacks.delivery import queue
        from callbacks.models import CallbackAttempt

        live = self.args.create == "live"
        warm_ids, _ = self.create_requests(warm_contacts, hold_publishing=True)
        creation = None
        k = self.args.app_processes
        procs = [
            self.workers.start(
                "callbacks_project",
                f"bench-app{i or ''}",
                "celery",
                self.args.app_env,
                self.args.concurrency // k,
            )
            for i in range(k)
        ]
        proc = procs[0]
        try:
            self.queue_backlog()
            self.wait_final(warm_ids, max(120, 20 * expected_seconds), proc)
            if not live:
                ids, creation = self.create_requests(contacts, hold_publishing=True)
            for i, worker in enumerate(procs):
                self.workers.profile(
                    worker, f"app-{label}" + (f"-{i}" if i else ""), expected_seconds
                )
            pg_before = pg_counters()
            monitor = Monitor(self.redis, "celery", [worker.pid for worker in procs]).__enter__()
            start = time.time()
            if live:
                first = {}
                real_publish = queue.publish

                def timed_publish(callback_ids, countdown=0.0):
                    first.setdefault("t", time.time())
                    return real_publish(callback_ids, countdown)

                queue.publish = timed_publish
                try:
                    ids, creation = self.create_requests(contacts, hold_publishing=False)
                finally:
                    queue.publish = real_publish
                start = first["t"]
                published = time.time()
            else:
                queued = self.queue_backlog()
                published = time.time()
                if queued != len(ids):
                    raise RuntimeError(f"the sweeper queued {queued} of {len(ids)} requests")
            rows = self.wait_final(ids, max(120, 20 * expected_seconds), proc)
            monitor.__exit__(None, None, None)
            # The polls, these three reads, and pg_counters' snapshot clear.
            own_queries = self.own_queries + 4
            end = rows.aggregate(end=Max("finished_at"))["end"].timestamp()
            statuses = dict(
                rows.values_list("status").annotate(n=Count("id")).values_list("status", "n")
            )
            attempts = CallbackAttempt.objects.filter(callback_id__in=ids)
            stats = attempts.aggregate(n=Count("id"), avg_ms=Avg("duration_ms"))
        finally:
            for worker in procs:
                self.workers.stop(worker)
        time.sleep(1.0)  # PostgreSQL flushes its statistics about once a second
        pg_after = pg_counters()
        return {
            "pg": {
                "sessions": pg_after["sessions"] - pg_before["sessions"],
                "commits": pg_after["commits"] - pg_before["commits"] - own_queries,
            },
            **monitor.result,
            "n": len(ids),
            "seconds": end - start,
            "publish_seconds": published - start,
            "statuses": statuses,
            "attempts": stats["n"],
            "attempt_avg_ms": stats["avg_ms"],
            "create_rate": len(contacts) / creation if creation else None,
        }
