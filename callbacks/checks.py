from django.conf import settings
from django.core.checks import Warning, register


@register()
def exolve_api_key_is_set(app_configs, **kwargs):
    if settings.EXOLVE_API_KEY:
        return []
    return [
        Warning(
            "EXOLVE_API_KEY is not set: every callback will fail until it is.",
            hint="Set EXOLVE_API_KEY in the environment or in .env.",
            id="callbacks.W001",
        )
    ]
