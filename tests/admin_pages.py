"""The admin's pages as tests reach them: their addresses, and the data their forms post."""

from django.urls import reverse

GROUP_ADD = "/admin/callbacks/agentgroup/add/"
CONTACT_ADD = "/admin/callbacks/contact/add/"
CONTACTS = "/admin/callbacks/contact/"


def change_url(obj):
    return f"/admin/callbacks/{obj._meta.model_name}/{obj.pk}/change/"


def contact_url(contact):
    return reverse("admin:callbacks_contact_change", args=[contact.pk])


def call_back_url(contact):
    """The Call back page of a contact."""
    return reverse("admin:callbacks_contact_callback", args=[contact.pk])


def inline_data(prefix, rows, initial=0, max_num=10):
    """The management form and one set of fields per row: rows are dicts of field -> value."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "1",
        f"{prefix}-MAX_NUM_FORMS": str(max_num),
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{field}": value for field, value in row.items()})
    return data


def destination_rows(*numbers, timeout="30"):
    return [
        {"position": str(i), "number": number, "timeout": timeout}
        for i, number in enumerate(numbers)
    ]


# The redial policy as a new group's form shows it: never redial.
REDIAL_POLICY_DEFAULTS = {
    "redial_contact_no_answer_delay": "15",
    "redial_agents_no_answer_delay": "5",
    "redial_failed_delay": "30",
    "max_attempts": "1",
    "expiry_hours": "24",
    "when_closed": "wait",
    "contact_calls_from": "",
    "contact_calls_until": "",
    "service_level_minutes": "5",
    "service_level_target": "80",
    "punctuality_minutes": "5",
}


def group_data(destinations=None, working_hours=None, holidays=None, **fields):
    """A complete, valid agent group add form; override any field with keyword arguments."""
    data = {
        "name": "Support",
        "is_active": "on",
        "number_code": "74990000000",
        "callback_resource_id": "1221",
        "duration": "1800",
        "agent_ring_logic": "1",
        "agent_display_number": "",
        "agent_media_resource": "",
        "agent_tts_preset": "",
        "contact_ring_logic": "2",
        "contact_timeout": "30",
        "contact_display_number": "",
        "contact_media_resource": "",
        "contact_tts_preset": "",
        "time_zone": "Europe/Moscow",
        **REDIAL_POLICY_DEFAULTS,
        **fields,
    }
    if destinations is None:
        destinations = destination_rows("8 (912) 345-67-89")
    return {
        **data,
        **inline_data("destinations", destinations),
        **inline_data("working_hours", working_hours or []),
        **inline_data("holidays", holidays or []),
    }


def preset_data(**fields):
    """A complete, valid TTS preset add form; override any field with keyword arguments."""
    return {
        "name": "Новый",
        "text": "Здравствуйте",
        "voice": "1",
        "lang": "1",
        "volume": "-19",
        "speed": "1.0",
        "emotion": "1",
        "provider": "1",
        **fields,
    }


def contact_data(*numbers, **fields):
    rows = [{"position": str(i), "number": number, "label": ""} for i, number in enumerate(numbers)]
    return {
        "name": "Мария Сидорова",
        "company": "",
        "notes": "",
        **fields,
        **inline_data("numbers", rows),
    }


def form_data(form):
    """What the browser posts back for a form as it was shown: every field with its value."""
    data = {}
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        data[field.html_name] = "on" if value is True else value
    return data


def shown_change_form(client, obj):
    """The change form as displayed, posted back as is (the object and each inline's rows)."""
    page = client.get(change_url(obj))
    assert page.status_code == 200
    data = form_data(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        data.update(form_data(inline.formset.management_form))
        for form in inline.formset:
            data.update(form_data(form))
    return data
