"""The README's first command, used the way a person would: log in, open the contact, press
"Call back", confirm, and see the sandbox's call_id on the contact; the auditor only reads."""

import os
import re
import signal
import subprocess

import pytest
import requests

from tests.helpers import PROJECT, free_port, wait_for

pytestmark = pytest.mark.demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("demo-var")
    log_path = var_dir / "demo.log"
    web_port, sandbox_port = free_port(), free_port()
    env = {
        **os.environ,
        "VAR_DIR": str(var_dir),
        "WEB_PORT": str(web_port),
        "SANDBOX_PORT": str(sandbox_port),
    }
    # Both tests call the one demo contact back within a minute: the cooldown would refuse the
    # second.
    env["CALLBACK_NUMBER_COOLDOWN_MINUTES"] = "0"
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            ["bash", "scripts/run-demo"],
            cwd=PROJECT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{web_port}"
    try:
        up = wait_for(lambda: "celery@" in log_path.read_text() and reachable(url), 120)
        assert up, log_path.read_text()
        assert process.poll() is None, log_path.read_text()
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
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
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
    assert (
        "+7 912 345-67-89" in confirm
    )  # the contact's number and the agents', as people read them
    assert "+7 812 999-99-99" in confirm
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

    def outcome_shown():  # the sandbox posts the call's events back, as Exolve does
        return (
            '<span class="callback-outcome">Соединены</span>'
            in staff.get(contact_url, timeout=10).text
        )

    assert wait_for(outcome_shown, 30), log_path.read_text()[-3000:]

    auditor = log_in(url, "auditor", accounts["auditor"])
    _, audited_page = open_demo_contact(auditor, url)
    assert call_id in audited_page
    assert button not in audited_page
    assert post_form(auditor, f"{url}{button}", {"agent_group": group}).status_code == 403
    history = auditor.get(f"{url}/admin/callbacks/callbackrequest/", timeout=10).text
    assert history.count(call_id) == 1
    assert "sandbox-demo-key" not in audited_page + history + attempts
    assert "sandbox-demo-events-secret" not in log_path.read_text()


def test_the_demo_is_ready_its_one_worker_takes_the_sweeper_queue_too(demo):
    """/readyz: the database, the filesystem broker, and a sweep no older than a few intervals,
    which only a worker taking the sweeper queue makes (beat runs inside it)."""
    url, log_path = demo

    def ready():
        return requests.get(f"{url}/readyz", timeout=10).status_code == 200

    assert wait_for(ready, 90, interval=1), log_path.read_text()[-3000:]
    assert requests.get(f"{url}/healthz", timeout=10).json() == {"status": "ok"}


def browser_log_in(chromium, url, username, password):
    page = chromium.new_page(locale="ru-RU")
    page.goto(f"{url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")
    return page


def test_in_a_real_browser_staff_press_call_back_and_see_the_call_id(demo, chromium, tmp_path):
    url, log_path = demo
    accounts = logins(log_path.read_text())
    page = browser_log_in(chromium, url, "staff", accounts["staff"])
    page.get_by_role(
        "link", name="Клиенты", exact=True
    ).first.click()  # not "Change trail: Клиенты"
    page.get_by_role("link", name="Иван Петров", exact=True).click()
    page.wait_for_selector("#contact-callbacks")
    rows = page.locator("#contact-callbacks tr.callback-row")
    earlier = rows.count()
    page.click("a.callback-link")
    page.get_by_label("Отдел продаж", exact=True).check()  # the demo's group that does not redial
    page.click("text=Перезвонить сейчас")
    page.wait_for_selector("text=Обратный звонок поставлен в очередь")
    assert rows.count() == earlier + 1

    def placed():
        page.reload()
        return "status-placed" in rows.first.get_attribute(
            "class"
        )  # the newest callback comes first

    assert wait_for(placed, 30, interval=0.5), log_path.read_text()[-3000:]
    call_id = rows.first.locator("td.callback-call-id").inner_text()
    assert re.fullmatch(r"cal[0-9a-f-]{36}", call_id)
    page.screenshot(path=str(tmp_path / "contact.png"), full_page=True)

    auditor = browser_log_in(chromium, url, "auditor", accounts["auditor"])
    auditor.goto(page.url)
    assert auditor.locator(f"text={call_id}").count() >= 1
    assert auditor.locator("a.callback-link").count() == 0
