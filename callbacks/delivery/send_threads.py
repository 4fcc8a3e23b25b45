"""The threads a worker process sends MakeCallbacks in, side by side, each keeping its own HTTPS
connection to Exolve (CALLBACK_SEND_THREADS of them)."""

import collections
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from django.conf import settings

T = TypeVar("T")


class SendThreads:
    """A batch reserves a thread for each of its callbacks before it claims them, and each thread
    is free again once its callback is sent: a claimed callback never waits for a thread, since one
    a killed worker left waiting would be called unknown although it never went out. Reservations
    are served in the order they were asked for, so a batch is not starved by single presses."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="callback-send")
        self._free = size
        self._line: collections.deque[object] = collections.deque()
        self._changed = threading.Condition()

    def reserve(self, count: int) -> None:
        """Wait, in turn, until `count` threads are free, and take them."""
        with self._changed:
            ticket = object()
            self._line.append(ticket)
            self._changed.wait_for(lambda: self._line[0] is ticket and self._free >= count)
            self._line.popleft()
            self._free -= count
            self._changed.notify_all()  # the next in line may fit too

    def release(self, count: int = 1) -> None:
        with self._changed:
            self._free += count
            self._changed.notify_all()

    def submit(self, function: Callable[..., T], *args: object) -> "Future[T]":
        """Run function(*args) in a reserved thread, which is free again when it returns."""

        def run() -> T:
            try:
                return function(*args)
            finally:
                self.release()

        return self._executor.submit(run)


_send_threads: SendThreads | None = None
_send_threads_lock = threading.Lock()


def send_threads() -> SendThreads:
    """This process's send threads, made on first use."""
    global _send_threads
    with _send_threads_lock:
        if _send_threads is None:
            _send_threads = SendThreads(settings.CALLBACK_SEND_THREADS)
        return _send_threads
