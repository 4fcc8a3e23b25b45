from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallbacksConfig(AppConfig):
    name = "callbacks"
    verbose_name = _("Callbacks")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
