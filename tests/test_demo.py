"""The README's first command, used the way a person would: log in, open the contact, press
"Call back", confirm, and see the sandbox's call_id on the contact; the auditor only reads."""

import os
import re
import signal
import subprocess
from pathlib import Path

import pytest
import requests

from tests.helpers import free_port, wait_for

PROJECT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("demo-var")
    log_path = var_dir / "demo.log"
    web_port, sandbox_port = free_port(), free_port()
    env = {**os.environ, "VAR_DIR": str(var_dir), "WEB_PORT": str(web_port), "SANDBOX_PORT": str(sandbox_port)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            ["bash", "scripts/run-demo"], cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{web_port}"
    try:
        up = wait_for(lambda: "celery@" in log_path.read_text() and reachable(url), 120)
        assert up and process.poll() is None, log_path.read_text()
        yield url, log_path
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


def reachable(url):
    try:
        return requests.get(f"{url}/admin/login/", timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def logins(log_text):
    return dict(re.findall(r"^\s+\S.*?\s(\w+) / (\S+)$", log_text, re.M))


def log_in(url, username, password):
    browser = requests.Session()
    browser.headers["Accept-Language"] = "ru"  # as the demo's users' browsers do
    browser.get(f"{url}/admin/login/", timeout=10)
    page = browser.post(
        f"{url}/admin/login/?next=/admin/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        headers={"Referer": f"{url}/admin/login/"},
        timeout=10,
    )
    assert "Выйти" in page.text, f"{username} could not log in"
    return browser


def post_form(browser, url, data):
    data = {**data, "csrfmiddlewaretoken": browser.cookies["csrftoken"]}
    return browser.post(url, data=data, headers={"Referer": url}, timeout=10)


def open_demo_contact(browser, url):
    listing = browser.get(f"{url}/admin/callbacks/contact/", timeout=10).text
    path = re.search(r'href="(/admin/callbacks/contact/\d+/change/)"', listing).group(1)
    return f"{url}{path}", browser.get(f"{url}{path}", timeout=10).text


def test_staff_calls_the_demo_contact_back_and_the_auditor_only_reads(demo):
    url, log_path = demo
    accounts = logins(log_path.read_text())
    assert set(accounts) >= {"admin", "manager", "staff", "auditor"}

    staff = log_in(url, "staff", accounts["staff"])
    contact_url, contact_page = open_demo_contact(staff, url)
    assert "Иван Петров" in contact_page
    button = re.search(r'href="(/admin/callbacks/contact/\d+/callback/)"', contact_page).group(1)
    confirm = staff.get(f"{url}{button}", timeout=10).text
    assert "79123456789" in confirm and "78129999999" in confirm  # what will be dialled
    group = re.search(r'name="agent_group" value="(\d+)"', confirm).group(1)
    answer = post_form(staff, f"{url}{button}", {"agent_group": group})
    assert answer.url == contact_url
    assert "Обратный звонок поставлен в очередь" in answer.text

    def call_id_shown():
        return re.search(r"\bcal[0-9a-f-]{36}\b", staff.get(contact_url, timeout=10).text)

    assert wait_for(call_id_shown, 30), log_path.read_text()[-3000:]
    call_id = call_id_shown().group(0)
    attempts = staff.get(f"{url}/admin/callbacks/callbackattempt/", timeout=10).text
    assert call_id in attempts

    auditor = log_in(url, "auditor", accounts["auditor"])
    _, audited_page = open_demo_contact(auditor, url)
    assert call_id in audited_page
    assert button not in audited_page
    assert post_form(auditor, f"{url}{button}", {"agent_group": group}).status_code == 403
    history = auditor.get(f"{url}/admin/callbacks/callbackrequest/", timeout=10).text
    assert history.count(call_id) == 1
    assert "sandbox-demo-key" not in audited_page + history + attempts
