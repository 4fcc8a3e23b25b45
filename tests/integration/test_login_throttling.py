"""Login throttling (django-axes): after LOGIN_FAILURE_LIMIT failed logins, that user name from
that address is locked out with a clear message, other users and addresses are not, and a
superuser unlocks it from the admin."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
INDEX = reverse("admin:index")


@pytest.fixture(autouse=True)
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 3


def log_in(client, username, password="pass-1234", address="10.0.0.1", **headers):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": INDEX},
        REMOTE_ADDR=address,
        **headers,
    )


def fail_three_times(client, username, **kwargs):
    for _ in range(3):
        assert log_in(client, username, password="wrong", **kwargs).status_code in (200, 429)


def test_repeated_failures_lock_the_user_name_out_from_that_address(client, staff_user):
    fail_three_times(client, staff_user.username)
    response = log_in(client, staff_user.username)  # the right password, too late
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed logins with this user name from this address." in page
    assert "Try again in 15 min, or ask an administrator to unlock it." in page
    assert client.get(INDEX).status_code == 302  # not logged in


def test_the_lockout_reads_in_russian(client, staff_user):
    fail_three_times(client, staff_user.username)
    page = log_in(client, staff_user.username, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Слишком много неудачных попыток входа" in page


def test_another_user_and_another_address_are_not_locked_out(client, staff_user, manager):
    fail_three_times(client, staff_user.username)
    assert log_in(client, manager.username).status_code == 302
    client.logout()
    assert log_in(client, staff_user.username, address="10.0.0.2").status_code == 302


def test_a_superuser_unlocks_it_from_the_admin(client, staff_user, make_user):
    fail_three_times(client, staff_user.username)
    (attempt,) = AccessAttempt.objects.all()
    admin_client = client.__class__()
    admin_client.force_login(make_user("root", superuser=True))
    attempts = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert staff_user.username in attempts.content.decode()
    delete = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert log_in(client, staff_user.username).status_code == 302


def test_staff_roles_cannot_unlock(client, manager):
    client.force_login(manager)
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403


def test_behind_a_proxy_the_address_it_saw_counts_not_what_the_client_wrote(
    client, staff_user, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    for spoofed in ["1.1.1.1", "2.2.2.2", "3.3.3.3"]:
        forwarded = f"{spoofed}, 203.0.113.7"
        log_in(client, staff_user.username, "wrong", "10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
    locked = log_in(client, staff_user.username, HTTP_X_FORWARDED_FOR="4.4.4.4, 203.0.113.7")
    assert locked.status_code == 429
