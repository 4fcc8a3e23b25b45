"""docker-compose.yml as Docker Compose reads it: YAML (anchors and `<<` merges), then every
string value's ${VARIABLE} interpolated from the environment (the .env file beside it), with its
defaults (`:-`, `-`) and required variables (`:?`, `?`) failing loudly. `$$` is a literal `$`."""

import re

import yaml

from tests.helpers import PROJECT

COMPOSE_FILE = PROJECT / "docker-compose.yml"
VARIABLE = re.compile(r"\$(?:(\$)|\{(\w+)(?:(:?[-?])([^}]*))?\})")


class MissingVariable(Exception):
    """What `docker compose` stops with: a required variable is unset (or empty, with `:?`)."""


def load(env=None):
    """The compose file's services, networks and volumes, interpolated from `env`."""
    return _interpolated(yaml.safe_load(COMPOSE_FILE.read_text()), env or {})


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
