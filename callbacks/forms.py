from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import active_agent_groups


class CallbackForm(forms.Form):
    agent_group = forms.ModelChoiceField(
        queryset=None,
        label=_("Agent group"),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose an active agent group.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent_group"].queryset = active_agent_groups()
