"""`manage.py check --deploy` with the documented production environment reports nothing: the
web service's environment in docker-compose.yml, interpolated from the .env the README's
*Deploying* section has a person write, run as a deploy runs manage.py."""

import os
import subprocess
import sys

from tests import compose
from tests.helpers import PROJECT


def run_in_web(*arguments, var_dir):
    """Python in the web container's environment, and only that (with PATH): nothing of the test
    run's leaks in."""
    environment = compose.load()["services"]["web"]["environment"]
    assert environment["DEBUG"] == "false"
    env = {"PATH": os.environ["PATH"], "VAR_DIR": str(var_dir), **environment}
    env["DJANGO_SETTINGS_MODULE"] = "callbacks_project.settings"
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_the_documented_production_environment_reports_nothing(tmp_path):
    result = run_in_web("manage.py", "check", "--deploy", "--fail-level", "DEBUG", var_dir=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


BEHIND_THE_PROXY = """
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="callbacks.example.com")
plain = client.get("/admin/login/")
print(plain.status_code, plain["Location"])
proxied = client.get("/admin/login/", HTTP_X_FORWARDED_PROTO="https")
print(proxied.status_code, proxied["Strict-Transport-Security"])
print(proxied.cookies["csrftoken"]["secure"])
"""


def test_the_documented_environment_redirects_to_https_and_trusts_the_proxys_header(tmp_path):
    """What the proxy in front sees: plain HTTP is sent to HTTPS; a request it marks as HTTPS
    (X-Forwarded-Proto) is served with HSTS and an HTTPS-only cookie."""
    result = run_in_web("-c", BEHIND_THE_PROXY, var_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "301 https://callbacks.example.com/admin/login/",
        "200 max-age=31536000; includeSubDomains; preload",
        "True",
    ]
