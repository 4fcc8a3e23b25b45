"""docker-compose.yml as Docker Compose reads it: YAML (anchors and `<<` merges), then every
string value's ${VARIABLE} interpolated from the environment (the .env file beside it), with its
defaults (`:-`, `-`) and required variables (`:?`, `?`) failing loudly. `$$` is a literal `$`."""

import re
import secrets

import yaml

from tests.helpers import PROJECT

COMPOSE_FILE = PROJECT / "docker-compose.yml"
# The README's *Deploying* section: what a person puts in the .env beside docker-compose.yml.
DOCUMENTED_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "callbacks.example.com",
    "EXOLVE_API_KEY": "the-application-key-from-the-exolve-cabinet",
    "EXOLVE_EVENTS_SECRET": secrets.token_urlsafe(32),
    "POSTGRES_PASSWORD": secrets.token_hex(32),
    "REDIS_PASSWORD": secrets.token_hex(32),
}
# Of those, the ones compose refuses to start without.
REQUIRED = ["SECRET_KEY", "ALLOWED_HOSTS", "EXOLVE_API_KEY", "POSTGRES_PASSWORD", "REDIS_PASSWORD"]
VARIABLE = re.compile(r"\$(?:(\$)|\{(\w+)(?:(:?[-?])([^}]*))?\})")


class MissingVariable(Exception):
    """What `docker compose` stops with: a required variable is unset (or empty, with `:?`)."""


def load(env=None):
    """The compose file's services, networks and volumes, interpolated from `env` (by default
    the documented .env)."""
    return _interpolated(
        yaml.safe_load(COMPOSE_FILE.read_text()), DOCUMENTED_ENV if env is None else env
    )


def references():
    """(name, operator) of every ${…} in the file, as written."""
    return [
        (name, operator)
        for _, name, operator, _ in VARIABLE.findall(COMPOSE_FILE.read_text())
        if name
    ]


def interpolate(text, env):
    def replace(match):
        escaped, name, operator, argument = match.groups()
        if escaped:
            return "$"
        value = env.get(name)
        unset = value is None or (value == "" and operator in (":-", ":?"))
        if operator in ("-", ":-"):
            return argument if unset else value
        if operator in ("?", ":?") and unset:
            raise MissingVariable(f"required variable {name} is missing a value: {argument}")
        return value or ""

    return VARIABLE.sub(replace, text)


def _interpolated(node, env):
    if isinstance(node, dict):
        return {key: _interpolated(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [_interpolated(item, env) for item in node]
    if isinstance(node, str):
        return interpolate(node, env)
    return node
