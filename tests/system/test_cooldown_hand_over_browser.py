"""In Chromium at 1366 × 900, in Russian and English: staff press Call back on a number called a
moment ago, are refused, see who may place it anyway and hand it over; a support manager finds it
in the "Needs a manager" list and places it anyway; staff see who allowed it."""

import pytest
from django.utils import timezone

from callbacks.delivery import create
from callbacks.models import CallbackRequest, CallbackStatus, ManagerReview
from callbacks.models.call_log import person_name
from tests.system.browser import log_in as logged_in_page

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
NEEDS_MANAGER = "/admin/callbacks/callbackrequest/?needs_manager=1"
WORDS = {
    "ru-RU": {
        "who": "Руководители поддержки с этим правом: Ольга Иванова.",
        "asked": "обратный звонок ждёт в списке «Ждут руководителя»",
        "filter": "Ждут руководителя",
        "placed": "поставлен в очередь, несмотря на паузу",
        "overridden": "вопреки паузе между звонками",
    },
    "en-GB": {
        "who": "Support managers with that right: Ольга Иванова.",
        "asked": "the callback waits in the “Needs a manager” list",
        "filter": "Needs a manager",
        "placed": "queued despite the cooldown",
        "overridden": "despite the cooldown",
    },
}


@pytest.fixture
def shoot(tmp_path):
    def screenshot(page, name):
        page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)

    return screenshot


@pytest.fixture
def log_in(chromium, live_server):
    def open_as(user, locale):
        return logged_in_page(chromium, live_server, user.username, locale)

    return open_as


@pytest.fixture
def called_a_moment_ago(contact, agent_group, staff_user, queued, settings):
    settings.CALLBACK_NUMBER_COOLDOWN_MINUTES = 10
    first = create.create_callback(
        contact=contact, agent_group=agent_group, requested_by=staff_user
    )
    CallbackRequest.objects.filter(pk=first.pk).update(
        status=CallbackStatus.PLACED, finished_at=timezone.now(), call_id="cal-1"
    )
    return first


@pytest.fixture
def named_manager(manager):
    manager.first_name, manager.last_name = "Ольга", "Иванова"
    manager.save()
    return manager


def follow(page, target):
    """Click a link or button (a selector or a locator) and wait for the page it leads to."""
    with page.expect_navigation():
        (page.locator(target) if isinstance(target, str) else target).click()


def staff_press_and_hand_over(page, contact, words, shoot, live_server):
    page.goto(f"{live_server.url}/admin/callbacks/contact/{contact.pk}/change/")
    follow(page, "a.callback-link")
    follow(page, "#callback-form input[type=submit]")
    refused = page.wait_for_selector("#callback-errors")
    assert words["who"] in refused.inner_text()
    shoot(page, "1-staff-refused")
    follow(page, "#ask-manager")
    shoot(page, "2-staff-confirm-hand-over")
    follow(page, "#callback-action-form input[type=submit]")
    assert words["asked"] in page.inner_text(".messagelist")
    shoot(page, "3-staff-handed-over")


def manager_places_it_anyway(page, contact, words, shoot, live_server):
    page.goto(live_server.url + NEEDS_MANAGER)
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert contact.name in rows.first.inner_text()
    assert page.locator("#changelist-filter li.selected", has_text=words["filter"]).count() == 1
    shoot(page, "4-manager-needs-a-manager-list")
    follow(page, rows.first.locator("th a"))  # the callback's page, with the actions it offers
    assert page.locator("#callback-status a.callback-decline").count() == 1
    shoot(page, "5-manager-callback-page")
    follow(page, "#callback-status a.callback-place-anyway")
    assert page.locator("#callback-action-form a.callback-decline").count() == 1  # or decline
    shoot(page, "6-manager-confirm-place-anyway")
    follow(page, "#callback-action-form input[type=submit]")
    assert words["placed"] in page.inner_text(".messagelist")
    shoot(page, "7-manager-placed-anyway")


@pytest.mark.parametrize("locale", list(WORDS))
def test_staff_hand_a_cooldown_refusal_to_a_manager_who_places_it_anyway(
    log_in, live_server, called_a_moment_ago, contact, staff_user, named_manager, shoot, locale
):
    words = WORDS[locale]
    staff_press_and_hand_over(log_in(staff_user, locale), contact, words, shoot, live_server)
    refused = CallbackRequest.objects.get(status=CallbackStatus.REFUSED)
    assert (refused.manager_review, refused.handed_over_by) == (ManagerReview.WAITING, staff_user)

    manager_places_it_anyway(log_in(named_manager, locale), contact, words, shoot, live_server)
    refused.refresh_from_db()
    assert (refused.status, refused.reviewed_by) == (CallbackStatus.PENDING, named_manager)

    staff = log_in(staff_user, locale)
    staff.goto(f"{live_server.url}/admin/callbacks/callbackrequest/{refused.pk}/change/")
    status = staff.inner_text("#callback-status .callback-status-words")
    assert words["overridden"] in status
    assert person_name(named_manager) in status
    shoot(staff, "8-staff-callback-page")
    staff.goto(f"{live_server.url}/admin/callbacks/contact/{contact.pk}/change/")
    shoot(staff, "9-staff-contact-page")
