"""/healthz and /readyz, answered first, before Django checks the Host header or redirects to
HTTPS: Docker's healthcheck and a load balancer ask by address (127.0.0.1, a container's IP),
over plain HTTP from inside the network. Neither answer uses the host or a cookie, and neither
says more than which part failed."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from callbacks import views

ENDPOINTS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": views.healthz,
    "/readyz": views.readyz,
}


class HealthEndpoints:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        endpoint = ENDPOINTS.get(request.path_info)
        return endpoint(request) if endpoint else self.get_response(request)
