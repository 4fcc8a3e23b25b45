"""Run the sandbox: python -m exolve_sandbox --port 8765 (the API key comes from EXOLVE_API_KEY)."""

import argparse
import ipaddress
import logging
import os
import signal
import sys
from collections.abc import Sequence
from types import FrameType
from typing import NoReturn

from exolve_sandbox.events import is_events_url
from exolve_sandbox.server import make_server


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m exolve_sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8765, help="port to bind, 0 for any (default 8765)"
    )
    parser.add_argument(
        "--api-key",
        default=os.environ.get("EXOLVE_API_KEY"),
        help="the key clients must send as 'Authorization: Bearer KEY' (default: $EXOLVE_API_KEY)",
    )
    parser.add_argument(
        "--events-url",
        metavar="URL",
        help="POST Exolve's Callback Call Events for each accepted call to this URL (default: off)",
    )
    parser.add_argument(
        "--miss",
        action="append",
        default=[],
        metavar="NUMBER:N",
        type=_miss,
        help="the contact at NUMBER (international digits) does not answer its first N calls",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request (never its key)")
    args = parser.parse_args(argv)
    if not args.api_key:
        parser.error("no API key: pass --api-key KEY or set EXOLVE_API_KEY")
    if args.events_url is not None and not is_events_url(args.events_url):
        parser.error("--events-url must be an http:// or https:// URL")
    return args


def _miss(value: str) -> tuple[str, int]:
    number, _sep, count = value.partition(":")
    if not number.isdigit() or not count.isdigit():
        raise argparse.ArgumentTypeError(f"expected NUMBER:N, e.g. 79123456789:1, not {value!r}")
    return number, int(count)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _stop(signum: int, frame: FrameType | None) -> NoReturn:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(message)s")
    if not _is_loopback(args.host):
        warning = f"warning: {args.host} is not loopback and /_sandbox/ has no authentication"
        print(warning, file=sys.stderr)
    server = make_server(args.host, args.port, args.api_key, args.events_url)
    if args.miss:
        server.state.set_defaults({"contact_misses": dict(args.miss)})
    signal.signal(signal.SIGTERM, _stop)
    print(f"Exolve sandbox listening on {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
