"""The Call back page's form: which agent group rings the contact, and when."""

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AgentGroup
from .selectors import active_agent_groups

MAX_SCHEDULE_AHEAD = timedelta(days=30)


class CallbackForm(forms.Form):
    agent_group = forms.ModelChoiceField(
        queryset=AgentGroup.objects.none(),
        label=_("Agent group"),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose an active agent group.")},
    )
    scheduled_for = forms.DateTimeField(
        label=_("Call back at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty to call as soon as the group works. Time zone: %(zone)s."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agent_groups = (
            active_agent_groups()
        )  # with their destinations prefetched, for the page
        self.fields["agent_group"].queryset = self.agent_groups  # type: ignore[attr-defined]
        field = self.fields["scheduled_for"]
        field.help_text = field.help_text % {"zone": timezone.get_current_timezone_name()}

    def clean_scheduled_for(self) -> datetime | None:
        when: datetime | None = self.cleaned_data["scheduled_for"]
        now = timezone.now()
        if when is None:
            return None
        if when < now - timedelta(minutes=1):
            raise forms.ValidationError(
                _("This time has passed. Leave the field empty to call as soon as possible.")
            )
        if when > now + MAX_SCHEDULE_AHEAD:
            raise forms.ValidationError(_("A callback can be scheduled at most 30 days ahead."))
        return when
