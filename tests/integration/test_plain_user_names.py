"""A user's name links to their page in Authentication only for those who may open it: for the
roles, that page is a 403, so they read the plain name."""

import pytest
from django.urls import reverse

from callbacks.models import DoNotCallNumber

pytestmark = pytest.mark.django_db

USER_PAGES = "/admin/auth/user/"


def callback_page(callback):
    return reverse("admin:callbacks_callbackrequest_change", args=[callback.pk])


def test_roles_read_who_asked_for_a_callback_as_a_plain_name(
    as_user, staff_user, manager, auditor, callback
):
    for user in (staff_user, manager, auditor):
        page = as_user(user).get(callback_page(callback))
        assert page.status_code == 200
        text = page.content.decode()
        assert USER_PAGES not in text
        assert "<td>staff</td>" in text  # the story's "Requested by"


def test_a_superuser_still_gets_the_link(as_user, make_user, staff_user):
    entry = DoNotCallNumber.objects.create(number="79991234567", added_by=staff_user)
    page = reverse("admin:callbacks_donotcallnumber_change", args=[entry.pk])
    text = as_user(make_user("root", superuser=True)).get(page).content
    assert f"{USER_PAGES}{staff_user.pk}/change/" in text.decode()


def test_a_manager_reads_who_added_a_number_to_the_do_not_call_list(as_user, manager, staff_user):
    entry = DoNotCallNumber.objects.create(number="79991234567", added_by=staff_user)
    page = as_user(manager).get(reverse("admin:callbacks_donotcallnumber_change", args=[entry.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert USER_PAGES not in text
    assert '<div class="readonly">staff</div>' in text
    form = page.context["adminform"].form
    assert list(form.fields) == ["number", "reason"]  # who added it stays read only
