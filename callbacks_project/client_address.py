"""The address a request came from, for login throttling: REMOTE_ADDR, or behind
TRUSTED_PROXY_COUNT reverse proxies the address the outermost of them saw (each proxy appends the
address it received the request from to X-Forwarded-For, so a client can only write what lies
to the left of it)."""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    remote = str(request.META.get("REMOTE_ADDR", ""))
    proxies: int = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote
    forwarded = [
        part.strip()
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if part.strip()
    ]
    return forwarded[-proxies] if len(forwarded) >= proxies else remote
