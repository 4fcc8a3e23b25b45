"""The configuration pages say what Exolve's contract needs in our words, in English and Russian,
not Django's generic "Please submit at least 1 form" or "Ensure this value is …"."""

import html

import pytest
from django.utils import translation

from callbacks.models import AgentGroup, Destination, MediaResource, TtsPreset
from tests.admin_pages import (
    CONTACT_ADD,
    GROUP_ADD,
    change_url,
    contact_data,
    group_data,
    preset_data,
)

pytestmark = pytest.mark.django_db

GENERIC = ["Please submit", "Please correct the duplicate", "Ensure this value", "already exists."]
GENERIC_RU = ["Пожалуйста, отправьте", "Пожалуйста, измените", "Убедитесь, что", "уже существует"]


@pytest.fixture(autouse=True)
def english_afterwards():
    """A request in Russian leaves Russian active in this thread: the next test reads English."""
    yield
    translation.deactivate()


def shown(response):
    return html.unescape(response.content.decode())


def in_russian(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    return client


def destination_rows(*numbers):
    return [
        {"position": str(i), "number": number, "timeout": "30"} for i, number in enumerate(numbers)
    ]


ELEVEN = [f"791234567{i:02d}" for i in range(11)]


@pytest.mark.parametrize(
    ("language", "rows", "says"),
    [
        ("en", [], "Add at least one agent's number: Exolve needs someone to ring."),
        ("ru", [], "Добавьте хотя бы один номер оператора: Exolve нужно кого-то обзвонить."),
        ("en", ELEVEN, "Exolve rings at most 10 agents' numbers: remove the extra ones."),
        ("ru", ELEVEN, "Exolve обзванивает не больше 10 номеров операторов: уберите лишние."),
        (
            "ru",
            ["79123456789", "8 (912) 345-67-89"],
            "Номер оператора введён дважды: оставьте его в одной строке.",
        ),
    ],
)
def test_the_group_s_destination_limits_are_said_in_our_words(
    as_user, manager, language, rows, says
):
    client = as_user(manager)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    response = client.post(GROUP_ADD, group_data(destinations=destination_rows(*rows)))
    assert response.status_code == 200
    page = shown(response)
    assert says in page
    for generic in GENERIC + GENERIC_RU:
        assert generic not in page


@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("en", "At most 10 agents' numbers: that is Exolve's limit."),
        ("ru", "Не больше 10 номеров операторов: таково ограничение Exolve."),
    ],
)
def test_the_limit_is_said_next_to_the_rows_when_the_add_link_is_gone(
    as_user, manager, agent_group, language, says
):
    for n in range(8):
        Destination.objects.create(agent_group=agent_group, position=3 + n, number=f"7912000000{n}")
    client = as_user(manager)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    page = shown(client.get(change_url(agent_group)))
    assert f'<p class="help row-limit">{says}</p>' in page


@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("en", "Add at least one of the contact's numbers: Exolve needs one to ring."),
        ("ru", "Добавьте хотя бы один номер клиента: Exolve нужно куда-то позвонить."),
    ],
)
def test_a_contact_without_numbers_is_told_in_our_words(as_user, staff_user, language, says):
    client = as_user(staff_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    page = shown(client.post(CONTACT_ADD, contact_data()))
    assert says in page
    assert "Please submit" not in page


def test_a_contact_s_number_typed_twice_is_said_in_russian(as_user, staff_user):
    client = in_russian(as_user(staff_user))
    page = shown(client.post(CONTACT_ADD, contact_data("79123456789", "+7 912 345-67-89")))
    assert "Номер введён дважды: оставьте его в одной строке." in page
    assert "Этот номер уже есть в строке выше." in page


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        (
            {"duration": "100"},
            "duration",
            "Максимальная длительность разговора — от 300 до 3600 секунд (от 5 до 60 минут): "
            "другого Exolve не принимает.",
        ),
        (
            {"contact_timeout": "5"},
            "contact_timeout",
            "Время дозвона — от 10 до 600 секунд: другого Exolve не принимает.",
        ),
        (  # below the form field's own bound (0): the same words
            {"contact_timeout": "-5"},
            "contact_timeout",
            "Время дозвона — от 10 до 600 секунд: другого Exolve не принимает.",
        ),
        ({"name": "Sales"}, "name", "Группа операторов с таким названием уже есть."),
        (
            {"number_code": "0"},
            "number_code",
            "Введите свой номер в Exolve цифрами в международном формате, например 74999999999.",
        ),
        (
            {"callback_resource_id": "99999999999999999999"},
            "callback_resource_id",
            "Введите идентификатор ресурса обратного звонка из Exolve, например 1221.",
        ),
    ],
)
def test_the_group_s_ranges_and_name_are_said_in_russian(
    as_user, manager, agent_group, fields, field, says
):
    response = in_russian(as_user(manager)).post(GROUP_ADD, group_data(**fields))
    assert response.context["adminform"].form.errors == {field: [says]}


SPEED = "Темп речи — от 0.1 до 3.0, не больше двух знаков после точки (1.0 — обычный темп)."


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"volume": "5"}, "volume", "Громкость — от -149 до 0 (0 — громче всего)."),
        ({"speed": "3.5"}, "speed", SPEED),
        ({"speed": "1.555"}, "speed", SPEED),  # Django's decimal checks, in the same words
        ({"speed": "12.5"}, "speed", SPEED),
        ({"text": "   "}, "text", "Обязательное поле."),  # said once
        ({"name": "Website"}, "name", "Шаблон синтеза речи с таким названием уже есть."),
    ],
)
def test_a_tts_preset_s_ranges_and_name_are_said_in_russian(
    as_user, manager, tts_preset, fields, field, says
):
    client = in_russian(as_user(manager))
    response = client.post("/admin/callbacks/ttspreset/add/", preset_data(**fields))
    assert response.context["adminform"].form.errors == {field: [says]}
    assert not TtsPreset.objects.filter(name="Новый").exists()


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"name": "Greeting"}, "name", "Медиаресурс с таким названием уже есть."),
        (
            {"media_resource_id": "685"},
            "media_resource_id",
            "Этот ID в Exolve уже указан у другого медиаресурса.",
        ),
        (
            {"media_resource_id": "0"},
            "media_resource_id",
            "Введите ID, который Exolve присвоил загруженному аудиофайлу, например 685.",
        ),
    ],
)
def test_a_media_resource_s_duplicates_are_said_in_russian(
    as_user, manager, media_resource, fields, field, says
):
    client = in_russian(as_user(manager))
    data = {"name": "Новый", "media_resource_id": "686", **fields}
    response = client.post("/admin/callbacks/mediaresource/add/", data)
    assert response.context["adminform"].form.errors == {field: [says]}
    assert MediaResource.objects.count() == 1


@pytest.mark.parametrize("field", ["is_active", "contact_first"])
def test_a_yes_no_field_s_help_says_what_each_answer_means(field):
    with translation.override("en"):
        help_text = str(AgentGroup._meta.get_field(field).help_text)
    assert help_text.startswith("Ticked: ")
    assert " Unticked: " in help_text


@pytest.mark.parametrize("timeout", ["5", "-5", "601"])
def test_a_destination_s_timeout_out_of_range_is_said_in_russian(as_user, manager, timeout):
    rows = [{"position": "1", "number": "79123456789", "timeout": timeout}]
    response = in_russian(as_user(manager)).post(GROUP_ADD, group_data(destinations=rows))
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.errors == [
        {"timeout": ["Время дозвона — от 10 до 600 секунд: другого Exolve не принимает."]}
    ]


def test_a_holiday_entered_twice_is_said_in_russian(as_user, manager):
    holidays = [{"date": "2027-01-01", "name": ""}, {"date": "2027-01-01", "name": "Новый год"}]
    response = in_russian(as_user(manager)).post(GROUP_ADD, group_data(holidays=holidays))
    page = shown(response)
    assert "День введён дважды: оставьте его в одной строке." in page
    assert "Этот день уже есть среди выходных выше." in page
    assert not AgentGroup.objects.exists()
