"""Bearer GETs answered without DRF's request cycle, with DRF's answer.

The most frequent reads (`GET session/` on every page load, `GET claims/` from every resource
server) do one thing: check the access token, then answer from it (and one prepared query). DRF's
cycle around that (its Request object, negotiation, authentication and permission loops,
finalizing) costs about as much as the rest of the request. A route made lean here answers a
plain `GET` that accepts JSON (`Accept` absent, `*/*` or `application/json`) with no query string
itself, and gives every other request (HEAD, OPTIONS, other methods, another `Accept`, a
`?format=`) to its DRF view, unchanged.

What the client gets is DRF's answer, byte for byte: the same authentication class, the same
exception handler (401 with its challenge, 503 on a database error, ...), the body rendered by
the same renderer under the same Content-Type, `Allow` as DRF's finalizing sets it. The
DRF view stays the route's view for everything else, and for the OpenAPI schema (its class,
actions and CSRF exemption are the wrapper's attributes).
"""

import functools
from collections.abc import Callable
from typing import Any, cast

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import URLPattern
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer
from rest_framework.settings import api_settings

from auth_api.authentication import AccessTokenAuthentication, Principal
from auth_api.http.exception_handler import handle_exception

Answer = Callable[[Principal], Any]
View = Callable[..., HttpResponseBase]

# What the lean path serves; DRF's negotiation gives these the first renderer, JSON.
_JSON_ACCEPTS = frozenset({"*/*", "application/json"})


def bearer_get(view: View, answer: Answer) -> View:
    """`view` (a DRF view of a Bearer-only GET route) with its plain GETs answered directly:
    the caller's Principal, or 401 as DRF's IsAuthenticated gives it, then `answer(principal)`
    as the body (a DomainError or any other exception goes to the exception handler)."""
    _check_policy(view)
    view_class = cast(Any, view).cls
    authentication = AccessTokenAuthentication()
    # Read through Any: the stubs' releases type this setting differently (str, the class).
    renderer_class: type[BaseRenderer] = cast(Any, api_settings.DEFAULT_RENDERER_CLASSES)[0]
    renderer = renderer_class()
    media_type = renderer.media_type
    allow = _allowed_methods(view)

    @functools.wraps(view)
    def lean_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not takes(request):
            return view(request, *args, **kwargs)
        response: HttpResponseBase
        try:
            caller = authentication.authenticate(request)
            if caller is None:
                raise NotAuthenticated
            body = renderer.render(answer(caller[0]), media_type, {})
            response = HttpResponse(body, content_type=media_type)
        except Exception as exc:
            # As DRF's finalizing makes it ready to render (Django renders it).
            context = {"request": request, "view": view_class()}  # names the view in a log line
            error: Any = handle_exception(exc, context)
            error.exception = True
            error.accepted_renderer = renderer
            error.accepted_media_type = media_type
            error.renderer_context = {}
            response = error
        response["Allow"] = allow  # DRF's one header (Vary: Accept only with several renderers)
        return response

    cast(Any, lean_view).lean = True
    return lean_view


def takes(request: HttpRequest) -> bool:
    """A request the lean path answers itself: a plain GET that accepts JSON, no query string."""
    meta = request.META
    return (
        request.method == "GET"
        and not meta.get("QUERY_STRING")
        and meta.get("HTTP_ACCEPT", "*/*") in _JSON_ACCEPTS
    )


def is_lean(view: Any) -> bool:
    """A view made lean here (bearer_get)."""
    return getattr(view, "lean", False) is True


def _check_policy(view: View) -> None:
    """The lean path authenticates, permits, throttles, versions and renders as these views are
    declared today: a view declared otherwise (a throttle added, another permission...) is
    refused when the URLs load, rather than answered by rules it no longer has."""
    cls, initkwargs = cast(Any, view).cls, cast(Any, view).initkwargs
    expected = {
        "authentication_classes": [AccessTokenAuthentication],
        "permission_classes": [IsAuthenticated],
        "throttle_classes": [],
        "renderer_classes": [api_settings.DEFAULT_RENDERER_CLASSES[0]],
        "versioning_class": None,
    }
    for name, wanted in expected.items():
        declared = initkwargs.get(name, getattr(cls, name))
        if (list(declared) if isinstance(declared, list | tuple) else declared) != wanted:
            raise ImproperlyConfigured(
                f"{cls.__name__}: {name} is {declared!r}; the lean path answers for {wanted!r}"
            )


def _allowed_methods(view: View) -> str:
    """The `Allow` header DRF's view sends: its class's methods, the route's actions, and HEAD
    wherever GET is (DRF's ViewSetMixin binds it so)."""
    cls = cast(Any, view).cls
    actions = dict(getattr(view, "actions", None) or {})
    if "get" in actions:
        actions.setdefault("head", actions["get"])
    methods = [
        method.upper()
        for method in cls.http_method_names
        if method in actions or (not actions and hasattr(cls, method)) or method == "options"
    ]
    return ", ".join(methods)


def make_lean(patterns: list, answers: dict[str, Answer]) -> list:
    """`patterns` with the routes named in `answers` (every one must exist) made lean."""
    missing = set(answers) - {getattr(pattern, "name", None) for pattern in patterns}
    if missing:
        raise LookupError(f"no route named {', '.join(sorted(missing))}")
    for pattern in patterns:
        if isinstance(pattern, URLPattern) and pattern.name in answers:
            pattern.callback = bearer_get(pattern.callback, answers[pattern.name])
    return patterns
