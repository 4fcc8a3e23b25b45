"""Our models' names in the forms Django's admin phrases need, in Russian and in English."""

from types import SimpleNamespace

import pytest
from django.utils import translation

from callbacks.wording import counted, wording_of


@pytest.fixture
def russian():
    with translation.override("ru"):
        yield


@pytest.mark.parametrize(
    ("number", "says"),
    [(1, "1 клиент"), (2, "2 клиента"), (5, "5 клиентов"), (11, "11 клиентов"),
     (21, "21 клиент"), (22, "22 клиента"), (112, "112 клиентов")],
)  # fmt: skip
def test_a_count_takes_the_russian_plural_form(russian, number, says):
    assert counted("callbacks.contact", "клиент", "клиенты", number) == says


def test_titles_and_buttons_decline_the_name(russian):
    contact, group = wording_of("callbacks.contact"), wording_of("callbacks.agentgroup")
    assert contact.change() == "Изменить клиента"
    assert group.add() == "Добавить группу операторов"
    assert contact.view() == "Просмотр клиента"
    assert contact.choose_to_change() == "Выберите клиента, чтобы изменить"
    assert contact.select_all(12) == "Выбрать всех клиентов (12)"
    assert group.select_all(3) == "Выбрать все группы операторов (3)"
    assert wording_of("callbacks.destination").add_another() == "Добавить ещё номер оператора"


def test_a_change_in_the_trail_is_named_by_what_changed(russian):
    change = wording_of("callbacks.historicalcontact")
    assert change.view() == "Просмотр изменения клиента"
    assert change.choose_to_view() == "Выберите изменение клиента, чтобы посмотреть"
    assert change.count(3) == "3 изменения"


def test_english_keeps_the_plain_name():
    with translation.override("en"):
        assert wording_of("callbacks.contact").change() == "Change contact"
        assert wording_of("callbacks.callbackrequest").count(2) == "2 callbacks"


def test_a_model_not_of_ours_gets_a_form_that_fits_any_noun(russian):
    assert wording_of("auth.user") is None
    assert counted("auth.user", "пользователь", "пользователи", 3) == "Пользователи: 3"


def test_a_list_deletes_the_selected_in_the_accusative(russian):
    assert wording_of("callbacks.contact").delete_selected() == "Удалить выбранных клиентов"
    assert wording_of("callbacks.callbackrequest").delete_selected() is None  # nobody deletes


def test_the_list_template_tags_use_the_wording(russian):
    from django.contrib.auth.models import User

    from callbacks.models import Contact
    from callbacks.templatetags.wording import add_title, count_of, select_all

    contacts = SimpleNamespace(opts=Contact._meta, result_count=12)
    assert select_all(contacts) == "Выбрать всех клиентов (12)"
    assert count_of(contacts) == "12 клиентов"
    assert add_title(Contact._meta) == "Добавить клиента"
    users = SimpleNamespace(opts=User._meta, result_count=3)
    assert select_all(users) == "Выбрать все (3): пользователи"
