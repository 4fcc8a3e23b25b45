"""The pages the call log benchmark times: (label, url, user), and for some the TaskResult admin's
counterpart. To time another page, add a Page to the list `pages()` returns; `--only` picks pages
by label. The values in the addresses (a call id, a name, a number, a depth) are read from the
loaded data."""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from benchmarks.call_log_load import ADMIN, AUDITOR

CALLBACKS = "/admin/callbacks/callbackrequest/"
ATTEMPTS = "/admin/callbacks/callbackattempt/"
TASKS = "/admin/django_celery_results/taskresult/"
ADMIN_PAGE_SIZE = 100  # the admin's list_per_page


@dataclass(frozen=True)
class Page:
    label: str
    url: str
    user: str  # the username it is opened as (call_log_load.py makes one per role)
    reference: str | None = None  # the TaskResult admin's page for the same question, as ADMIN


@dataclass(frozen=True)
class Sample:
    """Values of the loaded data the addresses need."""

    call_id: str
    task_id: str | None
    name: str  # one contact's whole name: a few contacts start with it
    number: str
    group: int
    user: int
    contact: int
    since: str  # six months after the oldest callback: half of them are later
    old_day: str  # two months after the oldest callback: ten months back
    month_ago: str
    deep_callbacks: int  # the last page of the admin's list
    deep_attempts: int
    deep_tasks: int


def read_sample():
    from django.contrib.auth.models import User
    from django_celery_results.models import TaskResult

    from callbacks.models import CallbackAttempt, CallbackNumber, CallbackRequest
    from callbacks.paging import MAX_PAGE

    middle = CallbackRequest.objects.count() // 2  # the same rows every load (it is seeded)
    placed = (
        CallbackRequest.objects.exclude(call_id="")
        .filter(pk__gte=middle)
        .order_by("pk")
        .select_related("contact")[0]
    )
    oldest = CallbackRequest.objects.order_by("requested_at").values_list("requested_at", flat=True)
    tasks = TaskResult.objects.count()
    task_ids = TaskResult.objects.filter(pk__gte=tasks // 2).order_by("pk")
    return Sample(
        call_id=placed.call_id,
        task_id=task_ids.values_list("task_id", flat=True).first(),
        name=placed.contact.name,
        number=CallbackNumber.objects.filter(callback=placed).values_list("number", flat=True)[0],
        group=placed.agent_group_id,
        user=User.objects.get(username="staff0").pk,
        contact=placed.contact_id,
        since=(oldest[0] + timedelta(days=180)).date().isoformat(),
        old_day=(oldest[0] + timedelta(days=60)).date().isoformat(),
        month_ago=(placed.requested_at - timedelta(days=30)).date().isoformat(),
        # The deepest page the lists offer (callbacks/paging.py): the last, or MAX_PAGE.
        deep_callbacks=min(MAX_PAGE, CallbackRequest.objects.count() // ADMIN_PAGE_SIZE - 1),
        deep_attempts=min(MAX_PAGE, CallbackAttempt.objects.count() // ADMIN_PAGE_SIZE - 1),
        deep_tasks=min(4000, tasks // ADMIN_PAGE_SIZE - 1),
    )


def url(path, **query):
    return f"{path}?{urlencode(query)}" if query else path


def pages():
    from django.urls import reverse

    s = read_sample()
    first_name, last_name = s.name.split()[:2]
    call_log, trail = reverse("call_log"), reverse("admin:change_trail")
    with_reference = s.task_id is not None

    def tasks(address):
        """The TaskResult admin's page, if the reference was loaded."""
        return address if with_reference else None

    return [
        Page("call log list: first page", CALLBACKS, ADMIN, tasks(TASKS)),
        Page(
            "call log list: filtered by status",
            url(CALLBACKS, status__exact="failed"),
            ADMIN,
            tasks(url(TASKS, status__exact="FAILURE")),
        ),
        Page(
            f"call log list: deepest page ({s.deep_callbacks:,}"
            + (f"; reference {s.deep_tasks:,})" if with_reference else ")"),
            url(CALLBACKS, p=s.deep_callbacks),
            ADMIN,
            tasks(url(TASKS, p=s.deep_tasks)),
        ),
        Page(
            "call log list: search one call id / task id",
            url(CALLBACKS, q=s.call_id),
            ADMIN,
            tasks(url(TASKS, q=s.task_id)),
        ),
        Page("call log list: search one contact's name", url(CALLBACKS, q=s.name), ADMIN),
        Page(
            "call log list: search a first and last name (1/80 of contacts)",
            url(CALLBACKS, q=f"{first_name} {last_name}"),
            ADMIN,
        ),
        Page(
            "call log list: search a first name (1/10 of contacts)",
            url(CALLBACKS, q=first_name),
            ADMIN,
        ),
        Page(
            "call log list: group and outcome",
            url(CALLBACKS, agent_group__id__exact=s.group, call_outcome__exact="agents_no_answer"),
            ADMIN,
        ),
        Page(
            "call log list: one requester, from a date",
            url(CALLBACKS, requested_by__id__exact=s.user, requested_at__date__gte=s.month_ago),
            ADMIN,
        ),
        Page(
            "call log list: one day ten months back",
            url(CALLBACKS, requested_at__date__gte=s.old_day, requested_at__date__lte=s.old_day),
            ADMIN,
        ),
        Page("attempts list: first page", ATTEMPTS, ADMIN),
        Page("attempts list: filtered by result", url(ATTEMPTS, result="placed"), ADMIN),
        Page(
            f"attempts list: deepest page ({s.deep_attempts:,})",
            url(ATTEMPTS, p=s.deep_attempts),
            ADMIN,
        ),
        Page("attempts list: search one call id", url(ATTEMPTS, q=s.call_id), ADMIN),
        Page("call log page: first page", call_log, AUDITOR),
        Page(
            "call log page: status, group and period",
            url(call_log, status="placed", agent_group=s.group, period_after=s.since),
            AUDITOR,
        ),
        Page(
            "call log page: one day ten months back",
            url(call_log, period_after=s.old_day, period_before=s.old_day),
            AUDITOR,
        ),
        Page("call log page: one contact's name", url(call_log, contact=s.name), AUDITOR),
        Page(
            "call log page: a first and last name",
            url(call_log, contact=f"{first_name} {last_name}"),
            AUDITOR,
        ),
        Page("call log page: a number", url(call_log, number=s.number), AUDITOR),
        Page("change trail: first page", trail, AUDITOR),
        Page("change trail: one contact", url(trail, model="contact", object=s.contact), AUDITOR),
        Page("change trail: page 200 (the last offered)", url(trail, page=200), AUDITOR),
    ]
