"""The do-not-call list's pages: adding says where the number goes («в список», not «из списка»),
and who added a number and when are shown only once it is saved."""

import pytest
from django.urls import reverse

from callbacks.models import DoNotCallNumber

pytestmark = pytest.mark.django_db

ADD = reverse("admin:callbacks_donotcallnumber_add")


@pytest.mark.parametrize(
    ("language", "title", "wrong"),
    [
        ("ru", "Добавить номер в список «не звонить»", "Добавить номер из списка"),
        ("en", "Add a number to the do-not-call list", "Add do-not-call number"),
    ],
)
def test_the_add_page_says_the_number_goes_into_the_list(
    client, staff_user, language, title, wrong
):
    client.force_login(staff_user)
    text = client.get(ADD, headers={"accept-language": language}).content.decode()
    assert f"<h1>{title}</h1>" in text
    assert wrong not in text


def test_the_list_s_add_button_says_so_too(client, staff_user):
    client.force_login(staff_user)
    listed = reverse("admin:callbacks_donotcallnumber_changelist")
    text = client.get(listed, headers={"accept-language": "ru"}).content.decode()
    assert "Добавить номер в список «не звонить»" in text


def test_a_new_number_is_not_shown_as_added_by_anyone_at_any_time(as_user, staff_user):
    page = as_user(staff_user).get(ADD)
    text = page.content.decode()
    assert "Added by" not in text
    assert "Added at" not in text
    assert list(page.context["adminform"].form.fields) == ["number", "reason"]


def test_a_saved_number_shows_who_added_it_and_when(as_user, staff_user, manager):
    as_user(staff_user).post(ADD, {"number": "8 (912) 345-67-89", "reason": ""})
    entry = DoNotCallNumber.objects.get(number="79123456789")
    page = as_user(manager).get(reverse("admin:callbacks_donotcallnumber_change", args=[entry.pk]))
    text = page.content.decode()
    assert "Added by" in text
    assert '<div class="readonly">staff</div>' in text
    assert "Added at" in text
