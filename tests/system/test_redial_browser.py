"""Redialling, in Chromium at 1366 × 900 with the real processes behind the pages: a support manager
sets the group's redial policy on its page; staff press "Call back" on a contact the sandbox
leaves unanswered once; the worker places it, the call's events say the contact did not answer,
the policy places it again (the sweeper queues it, the worker sends it) and the second call
connects. The callback's page shows both placed calls and "connected". With README_SCREENSHOTS=1
the README's screenshot of that page is refreshed."""

import os

import pytest
from django.conf import settings

from callbacks.models import AgentGroup, AttemptResult, CallbackRequest, FinalState
from tests.integration.call_event_data import events_secret, live_events_url  # noqa: F401
from tests.system.browser import LIVE_WAIT_MS, log_in, screenshot_folder, wait_for_the_outcome
from tests.system.fault_harness import FAST
from tests.system.test_daily_paths import README_SHOTS
from tests.system.worker_process import worker_on_own_queue

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
WORDS = {
    "ru-RU": {
        "saved": "Сохранено",
        "now": "Перезвонить сейчас",
        "queued": "Обратный звонок поставлен в очередь",
        "connected": "Соединены",
        "placement": "попытка дозвона",
        "did not answer": "Клиент не ответил",
    },
    "en-GB": {
        "saved": "was changed",
        "now": "Call back now",
        "queued": "Callback queued",
        "connected": "Connected",
        "placement": "connection attempt",
        "did not answer": "Contact did not answer",
    },
}


@pytest.fixture(scope="module")
def worker_and_sweeper(sandbox_server, django_db_setup, tmp_path_factory):
    """A real worker with the sweeper (the embedded beat), sweeping every second: a redial is
    queued by the sweeper like any callback that comes due."""
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    with worker_on_own_queue(
        log_path, queue=queue, sandbox_url=sandbox_server.url, beat=True, env=FAST
    ) as worker:
        yield worker


@pytest.fixture
def exolve(worker_and_sweeper, sandbox, live_server):
    """The sandbox posting each call's events to this live server; the contact misses its first
    call."""
    sandbox.configure(
        events_url=live_events_url(live_server), events_delay_ms=300, contact_misses=1
    )
    return sandbox


def set_redial_policy(page, live_server, group):
    """As a support manager: redial a contact who did not answer, at once, up to 3 calls."""
    page.goto(f"{live_server.url}/admin/callbacks/agentgroup/{group.pk}/change/")
    page.check("#id_redial_contact_no_answer")
    page.fill("#id_redial_contact_no_answer_delay", "0")
    page.fill("#id_max_attempts", "3")
    page.locator("#id_redial_contact_no_answer").scroll_into_view_if_needed()


@pytest.mark.parametrize("locale", list(WORDS))
def test_a_contact_missed_once_is_redialled_and_connected(
    chromium, live_server, exolve, manager, staff_user, agent_group, contact, tmp_path, locale
):
    words = WORDS[locale]
    shots = screenshot_folder(tmp_path)
    page = log_in(chromium, live_server, manager.username, locale)
    set_redial_policy(page, live_server, agent_group)
    page.screenshot(path=str(shots / f"manager-redial-policy-{locale}.png"))
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    assert words["saved"] in page.inner_text(".messagelist")
    group = AgentGroup.objects.get(pk=agent_group.pk)
    assert (group.redial_contact_no_answer, group.redial_contact_no_answer_delay) == (True, 0)
    assert group.max_attempts == 3

    page = log_in(chromium, live_server, staff_user.username, locale)
    page.goto(f"{live_server.url}/admin/callbacks/contact/{contact.pk}/change/")
    page.click(".object-tools a.callback-link")
    page.get_by_role("button", name=words["now"]).click()
    page.wait_for_selector(".messagelist")
    assert words["queued"] in page.inner_text(".messagelist")
    wait_for_the_outcome(page, words["connected"], timeout=3 * LIVE_WAIT_MS)

    callback = CallbackRequest.objects.get(contact=contact)
    placed = callback.attempts.filter(result=AttemptResult.PLACED).order_by("sequence")
    assert placed.count() == 2
    assert callback.placement_count == 2
    assert callback.final_state == FinalState.CONNECTED
    assert len({attempt.request_description for attempt in placed}) == 2

    page.goto(f"{live_server.url}/admin/callbacks/callbackrequest/{callback.pk}/change/")
    assert (
        words["connected"].lower()
        in page.inner_text("#callback-status .callback-status-words").lower()
    )
    placements = page.locator("#callback-attempts .attempt-placement").all_inner_texts()
    assert placements == [f"{words['placement']} 1", f"{words['placement']} 2"]
    attempts = page.locator("#callback-attempts .callback-attempt").all_inner_texts()
    assert words["did not answer"] in attempts[0]
    assert words["connected"] in attempts[-1]
    page.screenshot(path=str(shots / f"staff-redialled-callback-{locale}.png"), full_page=True)
    if os.environ.get("README_SCREENSHOTS"):
        page.screenshot(
            path=str(README_SHOTS / f"callback-two-placements-{locale[:2]}.png"), full_page=True
        )
