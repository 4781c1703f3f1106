"""GET session/ and GET claims/ are answered without DRF's request cycle (auth_api.http.lean), and
the client cannot tell: every answer, success or refusal, is the one DRF's view gives, byte for
byte, header for header. A query string sends a GET through DRF's view (it ignores unknown
parameters), which gives the reference answer to compare with."""

import pytest
from django import urls
from django.db import DEFAULT_DB_ALIAS, DatabaseError
from django.http import HttpResponse
from django.urls import URLResolver, resolve
from django.urls.resolvers import RegexPattern
from rest_framework.test import APIClient
from rest_framework.views import APIView

from auth_api.models import SignIn
from auth_api.tokens.claims import mint_access_token
from tests.helpers import bearer, sign_in

pytestmark = pytest.mark.django_db

LEAN = ["/api/auth/session/", "/api/auth/claims/"]
LEAN_URLS = "auth_api.urls"
# Headers that differ between any two requests, whatever path answers them.
PER_REQUEST = {"x-request-id"}


def answer(client, path: str, **headers):
    response = client.get(path, **headers)
    kept = {k.lower(): v for k, v in response.items() if k.lower() not in PER_REQUEST}
    return response.status_code, response.content, kept


def assert_same_as_drf(client, path: str, **headers) -> tuple:
    lean = answer(client, path, **headers)
    drf = answer(client, path + "?via=drf", **headers)
    assert lean == drf
    return lean


@pytest.fixture
def access(api_client, user) -> str:
    return sign_in(api_client).json()["accessToken"]


@pytest.fixture
def drf_refused(monkeypatch):
    """DRF's dispatch made to fail: what still answers took the lean path."""

    def refuse(self, request, *args, **kwargs):
        raise AssertionError("DRF's dispatch ran")

    monkeypatch.setattr(APIView, "dispatch", refuse)


@pytest.mark.parametrize("path", LEAN)
@pytest.mark.parametrize("accept", [None, "*/*", "application/json"])
def test_a_signed_in_read_is_drfs_answer(api_client, access, path, accept):
    headers = bearer(access) | ({} if accept is None else {"HTTP_ACCEPT": accept})
    status, body, kept = assert_same_as_drf(api_client, path, **headers)
    assert status == 200 and body.startswith(b'{"')
    assert kept["content-type"] == "application/json"
    assert kept["allow"] == "GET, HEAD, OPTIONS"
    assert kept["vary"] == "origin"  # one renderer: DRF adds no Vary: Accept
    assert kept["cache-control"] == "no-store"


@pytest.mark.parametrize("path", LEAN)
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer a b", "Bearer not.a.jwt", "Bearer ∂∂∂", "Basic YTpi", "bearer x.y.z"],
)
def test_every_refusal_is_drfs_answer(api_client, db, path, authorization):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    status, body, kept = assert_same_as_drf(api_client, path, **headers)
    assert status == 401 and kept["www-authenticate"] == 'Bearer realm="api"'
    assert body.startswith(b'{"code":"')


@pytest.mark.parametrize("path", LEAN)
def test_a_revoked_sign_in_is_drfs_answer(api_client, access, path):
    SignIn.objects.update(revoke_reason="revoked", revoked_at=SignIn.objects.get().created_at)
    from auth_api.tokens import revocations

    revocations.forget()  # the process's set of revoked sign-ins, read afresh
    status, body, _ = assert_same_as_drf(api_client, path, **bearer(access))
    assert status == 401 and b"TOKEN_INVALID" in body


def test_a_token_of_a_deleted_sign_in_is_drfs_answer(api_client, user):
    """claims/ reads the token only (200); session/ finds no sign-in behind it (401)."""
    token, _ = mint_access_token(user=user, sid="s" * 32)
    claims = assert_same_as_drf(api_client, LEAN[1], **bearer(token))
    session = assert_same_as_drf(api_client, LEAN[0], **bearer(token))
    assert (claims[0], session[0]) == (200, 401)


def test_an_expired_token_is_drfs_answer(api_client, user, clock):
    token, _ = mint_access_token(user=user, sid="s" * 32)
    clock.advance(24 * 3600)
    for path in LEAN:
        assert assert_same_as_drf(api_client, path, **bearer(token))[0] == 401


def test_a_database_failure_is_drfs_answer(api_client, access, monkeypatch):
    from auth_api.flows import sign_ins

    def down(**kwargs):
        raise DatabaseError("gone")

    monkeypatch.setattr(sign_ins, "session_shown", down)
    status, body, kept = assert_same_as_drf(api_client, LEAN[0], **bearer(access))
    assert status == 503 and kept["retry-after"] == "5" and b"SERVICE_UNAVAILABLE" in body


@pytest.mark.parametrize("path", LEAN)
def test_plain_gets_skip_drfs_dispatch(api_client, access, path, drf_refused):
    assert api_client.get(path, **bearer(access)).status_code == 200
    assert api_client.get(path).status_code == 401
    with pytest.raises(AssertionError, match="DRF's dispatch ran"):
        api_client.get(path + "?via=drf", **bearer(access))


@pytest.mark.parametrize("path", LEAN)
@pytest.mark.parametrize(
    ("method", "headers", "status"),
    [
        ("head", {}, 200),
        ("options", {}, 200),
        ("post", {}, 405),
        ("delete", {}, 405),
        ("get", {"HTTP_ACCEPT": "text/html"}, 406),
        ("get", {"QUERY_STRING": "format=xml"}, 404),
    ],
)
def test_anything_else_is_drfs_own(api_client, access, path, method, headers, status):
    response = getattr(api_client, method)(path, **bearer(access), **headers)
    assert response.status_code == status
    if status >= 400:
        assert set(response.json()) == {"code", "message"}


def test_the_schema_still_has_the_lean_routes():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["paths"]["/api/auth/session/"]["get"]["operationId"] == "session"
    assert schema["paths"]["/api/auth/claims/"]["get"]["operationId"] == "claims"


def test_a_view_declared_otherwise_is_refused_when_the_urls_load():
    """A throttle (or permission, renderer...) added to a lean route's view would not run on the
    lean path: such a view is refused instead of answered by rules it no longer has."""
    from django.core.exceptions import ImproperlyConfigured
    from rest_framework.throttling import AnonRateThrottle

    from auth_api.http.lean import bearer_get
    from auth_api.views.tokens import TokensViewSet, claims_answer

    class Throttled(TokensViewSet):
        throttle_classes = [AnonRateThrottle]

    action_options = TokensViewSet.claims.kwargs  # what the router passes (the permission)
    bearer_get(TokensViewSet.as_view({"get": "claims"}, **action_options), claims_answer)
    with pytest.raises(ImproperlyConfigured, match="throttle_classes"):
        bearer_get(Throttled.as_view({"get": "claims"}, **action_options), claims_answer)


# --- handed to the view by its path ----------------------------------------------------------


@pytest.fixture
def resolved(monkeypatch) -> list[str]:
    """Every path Django's URL resolvers are asked to resolve from now on."""
    asked: list[str] = []
    resolve = URLResolver.resolve

    def recording(self, path):
        asked.append(path)
        return resolve(self, path)

    monkeypatch.setattr(URLResolver, "resolve", recording)
    return asked


@pytest.mark.parametrize("path", LEAN)
def test_a_plain_get_goes_to_its_view_by_its_path(api_client, access, path, resolved):
    """Django's resolver found the route once, for every later plain GET; the request carries
    the match it gave (metrics and the access line name the route by it)."""
    api_client.get(path, **bearer(access))  # the routes' table is made at the first
    resolved.clear()
    answer = api_client.get(path, **bearer(access))
    assert answer.status_code == 200 and resolved == []
    match, expected = answer.wsgi_request.resolver_match, resolve(path)
    assert (match.func, match.view_name, match.route) == (
        expected.func,
        expected.view_name,
        expected.route,
    )
    resolved.clear()
    assert api_client.get(path + "?via=drf", **bearer(access)).status_code == 200
    assert resolved  # anything else is routed by Django


def test_a_route_listed_before_a_lean_one_keeps_its_path():
    from project.stack import _lean_routes

    def other(request):
        return HttpResponse(b"other")

    patterns = [
        urls.path("api/auth/claims/", other),
        urls.path("api/auth/", urls.include(LEAN_URLS)),
    ]
    assert set(_lean_routes(URLResolver(RegexPattern(r"^/"), patterns))) == {LEAN[0]}


class ViewHook:
    """A middleware with a view hook: Django's handler must run it for every view."""

    seen: list[str] = []

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        ViewHook.seen.append(request.path)


def before_the_stack(settings, path: str) -> None:
    """`path` in MIDDLEWARE just before PagesOnly, which stays last."""
    *rest, stack = settings.MIDDLEWARE
    settings.MIDDLEWARE = [*rest, path, stack]


def view_hook_function(get_response):
    """A function's middleware given a view hook: Django's handler registers it as a class's."""

    def middleware(request):
        return get_response(request)

    middleware.process_view = ViewHook.process_view.__get__(middleware)  # type: ignore[attr-defined]
    return middleware


class ViewHookInInit:
    """A view hook given to the instance, not the class."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.process_view = ViewHook.process_view.__get__(self)

    def __call__(self, request):
        return self.get_response(request)


class NotUsed:
    """A middleware that declines to be used: Django leaves it, and its hook, out of the chain."""

    def __init__(self, get_response):
        from django.core.exceptions import MiddlewareNotUsed

        raise MiddlewareNotUsed

    def process_view(self, request, view, args, kwargs):
        raise AssertionError("a middleware Django left out ran")


class Counted:
    """A middleware without hooks that counts how often it is made."""

    made = 0

    def __init__(self, get_response):
        Counted.made += 1
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)


def test_the_hooks_are_read_from_the_handler_without_making_middleware_again(
    access, settings, resolved
):
    """Django's handler's own hook lists decide; no entry of MIDDLEWARE is made a second time
    (one that registers a collector or starts a thread would fail or do it twice)."""
    Counted.made = 0
    before_the_stack(settings, f"{__name__}.Counted")
    client = APIClient()
    assert client.get(LEAN[1], **bearer(access)).status_code == 200
    resolved.clear()
    assert client.get(LEAN[1], **bearer(access)).status_code == 200
    assert resolved == [] and Counted.made == 1


@pytest.mark.parametrize("where", ["after", "before"])
@pytest.mark.parametrize("hook", ["ViewHook", "view_hook_function", "ViewHookInInit"])
def test_a_view_hook_in_middleware_sees_every_lean_get(access, settings, hook, where):
    path = f"{__name__}.{hook}"
    if where == "after":
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, path]
    else:
        before_the_stack(settings, path)
    ViewHook.seen = []
    client = APIClient()
    for lean in LEAN:
        assert client.get(lean, **bearer(access)).status_code == 200
    assert ViewHook.seen == LEAN


def test_a_middleware_left_out_of_the_chain_keeps_the_lean_path(access, settings, resolved):
    before_the_stack(settings, f"{__name__}.NotUsed")
    client = APIClient()
    assert client.get(LEAN[1], **bearer(access)).status_code == 200
    resolved.clear()
    assert client.get(LEAN[1], **bearer(access)).status_code == 200
    assert resolved == []


def test_a_failure_to_make_the_table_is_answered_with_the_api_headers(access, monkeypatch):
    from project import stack

    def broken(patterns, prefix):
        raise RuntimeError("the table could not be made")

    stack._lean_routes.cache_clear()
    monkeypatch.setattr(stack, "_literal_paths", broken)
    client = APIClient(raise_request_exception=False)
    answer = client.get(LEAN[1], **bearer(access))
    assert answer.status_code == 500
    assert answer["Cache-Control"] == "no-store"
    assert answer["Content-Security-Policy"] == stack.API_HEADERS["Content-Security-Policy"]
    monkeypatch.undo()
    assert client.get(LEAN[1], **bearer(access)).status_code == 200  # a failure is not kept


class Tagging:
    """A middleware without hooks: every answer it sees gets a header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["X-Tagged"] = "1"
        return response


def test_a_middleware_after_the_stack_sees_every_lean_get(access, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.Tagging"]
    client = APIClient()
    for path in LEAN:
        answer = client.get(path, **bearer(access))
        assert answer.status_code == 200 and answer["X-Tagged"] == "1"


def test_a_transaction_per_request_takes_django_s_handler(access, monkeypatch, resolved):
    from django.db import connections

    monkeypatch.setitem(connections.settings[DEFAULT_DB_ALIAS], "ATOMIC_REQUESTS", True)
    client = APIClient()  # its handler is made now
    assert client.get(LEAN[1], **bearer(access)).status_code == 200
    assert LEAN[1] in resolved
