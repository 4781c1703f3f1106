"""In front of every view: the request's id, timing and access line, and the refusal of paths no
route can hold and of bodies too large (one middleware); CORS; the CSP header of pages."""

import re
import time
from collections.abc import Callable
from typing import cast

import corsheaders.middleware
import csp.middleware
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import patch_vary_headers

from auth_api.client import client_ip
from auth_api.errors import BadRequest, NotFound, PayloadTooLarge
from auth_api.http.exception_handler import json_error
from observability import logs, metrics

Handler = Callable[[HttpRequest], HttpResponse]

access_log = logs.AccessLog("authsvc.access")


# Methods a metric label may name; any other (gunicorn passes any upper-case token) is "other",
# so a client cannot mint a new time series per request.
_LABELLED_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_of(request: HttpRequest) -> str:
    method = request.method or ""
    return method if method in _LABELLED_METHODS else "other"


def route_of(request: HttpRequest) -> str:
    """The resolved route's name (or pattern): a closed set, unlike paths, for metric labels."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or match.route or "unnamed"


def request_context(get_response: Handler) -> Handler:
    """Outermost: binds the request id (a sane X-Request-ID, else a new one) to every log line of
    the request and echoes it; refuses what no view may read (refused()); then one access line
    and one latency sample per request. The line has the path without its query string, and no
    header, cookie or body."""

    def middleware(request: HttpRequest) -> HttpResponse:
        request_id = logs.accepted_request_id(request.META.get("HTTP_X_REQUEST_ID"))
        request.META[logs.REQUEST_ID_META] = request_id
        bound = logs.bind_request_id(request_id)
        started = time.perf_counter()
        try:
            response = refused(request) or get_response(request)
            elapsed = time.perf_counter() - started
            response[logs.REQUEST_ID_HEADER] = request_id
            route = route_of(request)
            metrics.REQUEST_SECONDS.labels(route, method_of(request), response.status_code).observe(
                elapsed
            )
            if not access_log.enabled():
                return response  # LOG_LEVEL above INFO: no line, nothing gathered for one
            method = request.method or ""
            access_log.write(
                method,
                route,
                response.status_code,
                {
                    "method": method,
                    "route": route,
                    "path": request.path[:200],
                    "status": response.status_code,
                    "duration_ms": round(elapsed * 1000, 1),
                    "client_ip": client_ip(request),
                },
            )
            return response
        finally:
            logs.unbind_request_id(bound)

    return middleware


# Django re-percent-encodes the bytes of a path that are not UTF-8 (RFC 3987), so after decoding
# they read %80-%FF: no route or file of this service has such a name.
_NOT_UTF8 = re.compile(r"%[89A-F][0-9A-F]")


def refused(request: HttpRequest) -> HttpResponse | None:
    """The answer to a request no view may read, before any view, WhiteNoise or file lookup:
    - 404 for a path with a NUL or bytes that are not UTF-8, whatever its prefix (no route or
      file has one, and a file lookup with a NUL raises: a 500 instead of a miss);
    - 413 for a declared body over DATA_UPLOAD_MAX_MEMORY_SIZE, before any of it is read (the
      JSON parser reads the raw stream and would otherwise take any size); 400 for a
      Content-Length that is not a number."""
    path = request.path_info
    if "\x00" in path or ("%" in path and _NOT_UTF8.search(path)):
        return json_error(NotFound())
    declared = request.META.get("CONTENT_LENGTH")
    if not declared:
        return None
    if not declared.isdigit():
        return json_error(BadRequest())
    if int(declared) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return json_error(PayloadTooLarge())
    return None


class CorsMiddleware(corsheaders.middleware.CorsMiddleware):
    """django-cors-headers' middleware, answering a request without an Origin header (same-origin
    reads, server-to-server calls, probes: most requests) as the stock one does, without building
    the request's header mapping: no CORS header, `Vary: origin` where CORS applies. Requests
    with an Origin, and every OPTIONS, take the stock path."""

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if "HTTP_ORIGIN" in request.META or request.method == "OPTIONS":
            return cast(HttpResponseBase, super().__call__(request))
        response = cast(HttpResponseBase, self.get_response(request))  # sync only
        if self.is_enabled(request):
            patch_vary_headers(response, ("origin",))
        return response


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp's middleware with the settings' policy built once instead of on every response
    (the stock one re-reads the settings and re-joins every directive each time: about a tenth
    of the Python time of a GET session/). A response with a policy of its own (@csp_update,
    @csp_exempt...), a request that used a nonce, DEBUG error pages and excluded URL prefixes
    take the stock path. The cache follows the settings objects (override_settings)."""

    _cached: tuple[object, object, str, str] | None = None

    def _policies(self) -> tuple[str, str] | None:
        config = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        cached = self._cached
        if cached is None or cached[0] is not config or cached[1] is not report_only:
            cached = (config, report_only, build_policy(), build_policy(report_only=True))
            self._cached = cached
        if any((policy or {}).get("EXCLUDE_URL_PREFIXES") for policy in (config, report_only)):
            return None
        return cached[2], cached[3]

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        policies = None if settings.DEBUG else self._policies()
        own_policy = any(hasattr(response, name) for name in _CSP_RESPONSE_ATTRIBUTES)
        if policies is None or own_policy or getattr(request, "_csp_nonce", None) is not None:
            return super().process_response(request, response)
        for header, policy in zip((HEADER, HEADER_REPORT_ONLY), policies, strict=True):
            if policy and header not in response:
                response[header] = policy
        # As the stock middleware: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response


_CSP_RESPONSE_ATTRIBUTES = tuple(
    f"_csp_{kind}{suffix}"
    for kind in ("config", "update", "replace", "exempt")
    for suffix in ("", "_ro")
)
