"""A local sandbox of the MTS Exolve MakeCallback HTTP API, for tests and demos."""

from exolve_sandbox.make_callback_rules import validate_make_callback
from exolve_sandbox.replies import new_call_id
from exolve_sandbox.server import SandboxServer, make_server, running_sandbox

__all__ = [
    "SandboxServer",
    "make_server",
    "new_call_id",
    "running_sandbox",
    "validate_make_callback",
]
