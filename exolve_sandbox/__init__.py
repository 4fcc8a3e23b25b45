"""A local sandbox of the MTS Exolve MakeCallback HTTP API, for tests and demos."""

from exolve_sandbox.server import (
    SandboxServer,
    make_server,
    new_call_id,
    running_sandbox,
    validate_make_callback,
)

__all__ = [
    "SandboxServer",
    "make_server",
    "new_call_id",
    "running_sandbox",
    "validate_make_callback",
]
