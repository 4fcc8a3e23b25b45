"""The benchmarks' progress lines: on stderr, each with the time (stdout is for the report)."""

import sys
import time


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
