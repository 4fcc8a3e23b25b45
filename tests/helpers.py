"""Small helpers shared by the tests that run real processes and servers."""

import socket
import time


def free_port():
    """A port nothing listens on right now (also good as a closed port to fail to connect to)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, seconds, interval=0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False
