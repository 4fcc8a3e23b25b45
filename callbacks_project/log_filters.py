"""Log filters: what every handler of every process applies before it writes a line."""

import logging


class RedactSecrets(logging.Filter):
    """Masks the Exolve API key and the events secret in every log line. The events secret is part
    of a URL, and Django logs the path of a request it answered 4xx (and runserver every path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from django.conf import settings

        secrets = [
            secret for secret in (settings.EXOLVE_API_KEY, settings.EXOLVE_EVENTS_SECRET) if secret
        ]
        message = record.getMessage()
        if any(secret in message for secret in secrets):
            for secret in secrets:
                message = message.replace(secret, "[redacted]")
            record.msg, record.args = message, None
        return True
