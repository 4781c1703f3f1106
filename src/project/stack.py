"""Which middleware a request goes through, decided once, at the top of the stack.

Every request takes settings.MIDDLEWARE: its id and access line, the path and body checks, the
security headers, CORS, CSRF. Pages (the web app, Swagger UI, the admin) also take
settings.PAGE_MIDDLEWARE — the policy built from CONTENT_SECURITY_POLICY, static files, sessions,
the signed-in admin user, messages, X-Frame-Options. The API's JSON routes skip it: no session,
message or static file is ever theirs, and their answers carry the fixed API_HEADERS instead.
A lean route's plain GET (auth_api.http.lean) is handed to its view here, its route known by its
path alone.
"""

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response, response_for_exception
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import Resolver404, ResolverMatch, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils.module_loading import import_string

from auth_api.http import lean

from .middleware import Handler

# The API (not Swagger UI's page), the platform's probes and the public keys: JSON, never HTML.
_API_PATH = re.compile(r"/(?:api/(?!docs/)|(?:healthz|readyz|metrics)(?:/|$)|\.well-known/)")

# Every JSON answer, unless its view said otherwise (the public keys are cacheable): no cache may
# keep it (it carries tokens or user data), and nothing may load from it or frame it.
API_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}


def is_api_path(path: str) -> bool:
    return _API_PATH.match(path) is not None


class PagesOnly:
    """settings.PAGE_MIDDLEWARE, in order, for pages; the API's routes go straight past.

    Its middleware may not have view, exception or template-response hooks (Django registers
    those only for MIDDLEWARE's own entries): such a one is refused at start-up."""

    def __init__(self, get_response: Handler) -> None:
        _check_admin_needs()
        self.api = get_response
        handler: Handler = get_response
        for path in reversed(settings.PAGE_MIDDLEWARE):
            middleware = import_string(path)(handler)
            hooks = [name for name in _HOOKS if hasattr(middleware, name)]
            if hooks:
                raise ImproperlyConfigured(f"{path} has {', '.join(hooks)}: put it in MIDDLEWARE")
            handler = cast(Handler, convert_exception_to_response(middleware))
        self.pages = handler
        self.handler = _handler_of(get_response)
        # Known at the first request, when every entry of MIDDLEWARE has been made.
        self.direct: bool | None = None if _direct_allowed(tuple(settings.MIDDLEWARE)) else False

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api_path(request.path_info):
            return self.pages(request)
        # CommonMiddleware's first act for pages: a Host not in ALLOWED_HOSTS is refused (400).
        request.get_host()
        if self.direct is None:
            self.direct = _only_csrf_hooks(self.handler)
        response = (self.direct and _lean_or_refusal(request)) or self.api(request)
        for header, value in API_HEADERS.items():
            if header not in response:
                response[header] = value
        if not response.streaming and "Content-Length" not in response:
            response["Content-Length"] = str(len(response.content))
        return response


_HOOKS = ("process_view", "process_exception", "process_template_response")


def _lean_or_refusal(request: HttpRequest) -> HttpResponse | None:
    """_lean_answer, or Django's answer to its exception (making the routes' table can fail), as
    Django's handler gives it, so that it too gets API_HEADERS."""
    try:
        return _lean_answer(request)
    except Exception as exc:
        return response_for_exception(request, exc)


def _lean_answer(request: HttpRequest) -> HttpResponse | None:
    """The answer to a plain GET of a lean route, from its view, without Django resolving the
    URL: the route is one of the routes without parameters, which Django's own resolver resolved
    once (so a route listed before it still wins), and `request.resolver_match` is the match it
    gave. Nothing else of Django's handler applies: its only view hook (CSRF's) passes an exempt
    view, and a view middleware added to MIDDLEWARE (or ATOMIC_REQUESTS) turns this off
    (`_direct_allowed`). None: Django's handler answers."""
    if not lean.takes(request) or hasattr(request, "urlconf"):
        return None
    route = _lean_routes(get_resolver()).get(request.path_info)
    if route is None:
        return None
    match, view = route
    request.resolver_match = match
    return view(request)


@lru_cache(maxsize=4)
def _lean_routes(resolver: URLResolver) -> dict[str, tuple[ResolverMatch, Handler]]:
    """path_info -> (its match, its view turning an exception into Django's answer), for the lean
    routes among the routes without parameters (per URLconf: a new one is a new resolver)."""
    routes = {}
    for path in _literal_paths(resolver.url_patterns, "/"):
        try:
            match = resolver.resolve(path)
        except Resolver404:
            continue
        if lean.is_lean(match.func) and not match.args and not match.kwargs:
            routes[path] = (match, _rendered(match.func))
    return routes


def _rendered(view: Any) -> Handler:
    """`view`, its answer rendered (a refusal is DRF's Response) and an exception turned into
    Django's answer, as Django's handler does both."""

    def answer(request: HttpRequest) -> HttpResponse:
        response = view(request)
        if callable(getattr(response, "render", None)):
            response = response.render()
        return cast(HttpResponse, response)

    return cast(Handler, convert_exception_to_response(answer))


def _literal_paths(patterns: list, prefix: str) -> Iterator[str]:
    for entry in patterns:
        pattern = entry.pattern
        if not isinstance(pattern, RoutePattern) or pattern.converters:
            continue  # a regex, or a route with parameters: not known by its path alone
        path = prefix + str(pattern)
        if isinstance(entry, URLResolver):
            yield from _literal_paths(entry.url_patterns, path)
        else:
            yield path


def _direct_allowed(middleware: tuple[str, ...]) -> bool:
    """Whether a lean GET may skip what Django's handler does around a view, as far as settings
    tell: PagesOnly is the last of MIDDLEWARE (no middleware after it would see the request) and
    no database asks for a transaction per request (ATOMIC_REQUESTS). The hooks are checked at
    the first request (_only_csrf_hooks)."""
    own = f"{PagesOnly.__module__}.{PagesOnly.__qualname__}"
    if not middleware or middleware[-1] != own:
        return False
    return not any(database["ATOMIC_REQUESTS"] for database in connections.settings.values())


def _handler_of(get_response: Handler) -> BaseHandler | None:
    """The Django handler whose chain this is. PagesOnly, last of MIDDLEWARE, is made first, in
    front of the handler's own `_get_response` (wrapped by convert_exception_to_response)."""
    handler = getattr(getattr(get_response, "__wrapped__", None), "__self__", None)
    return handler if isinstance(handler, BaseHandler) else None


def _only_csrf_hooks(handler: BaseHandler | None) -> bool:
    """Whether the only hook Django's handler registered from MIDDLEWARE is CSRF's view hook,
    which passes an exempt view, as every lean view is. These are the handler's own lists of the
    hooks of the middleware it made (a function's middleware or a hook given in __init__ count,
    a middleware that declined with MiddlewareNotUsed does not). Anything unexpected (no
    handler, the lists not found, a hook adapted for async) keeps Django's handler."""
    hooks = [
        hook
        for name in ("_view_middleware", "_template_response_middleware", "_exception_middleware")
        for hook in getattr(handler, name, [None])
    ]
    return all(
        type(getattr(hook, "__self__", None)) is CsrfViewMiddleware
        and getattr(hook, "__name__", None) == "process_view"
        for hook in hooks
    )


# What the admin needs around its pages (its checks admin.E408-E410, silenced in the settings,
# look for them in MIDDLEWARE only).
_ADMIN_NEEDS = (
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
)


def _check_admin_needs() -> None:
    missing = [path for path in _ADMIN_NEEDS if path not in settings.PAGE_MIDDLEWARE]
    if missing and settings.ADMIN_ENABLED:
        raise ImproperlyConfigured(f"the admin needs {', '.join(missing)} in PAGE_MIDDLEWARE")
