import re
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.urls import path as url
from drf_spectacular.generators import EndpointEnumerator
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from auth_api.permissions import HasRole, IsEmailVerified
from users.errors import DomainError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    return yaml.safe_load(out.read_text())


def test_committed_openapi_matches_generated(schema):
    committed = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    assert committed == schema, "openapi.yaml is stale: run ./scripts/openapi"


EXPECTED = {
    ("/api/auth/sign-up/", "post"),
    ("/api/auth/sign-in/", "post"),
    ("/api/auth/refresh/", "post"),
    ("/api/auth/sign-out/", "post"),
    ("/api/auth/session/", "get"),
    ("/api/auth/csrf/", "get"),
    ("/api/auth/password/change/", "post"),
    ("/api/auth/sessions/", "get"),
    ("/api/auth/sessions/{id}/", "delete"),
    ("/api/auth/email-otp/send/", "post"),
    ("/api/auth/email-otp/sign-in/", "post"),
    ("/api/auth/email-otp/verify-email/", "post"),
    ("/api/auth/email-otp/check/", "post"),
    ("/api/auth/password/reset/", "post"),
}


def test_every_endpoint_is_documented_with_error_schemas(schema):
    operations = {(p, m) for p, item in schema["paths"].items() for m in item}
    assert operations >= EXPECTED
    for path, method in EXPECTED:
        responses = schema["paths"][path][method]["responses"]
        errors = [s for s in responses if s.startswith(("4", "5"))]
        if path != "/api/auth/csrf/":
            assert errors, f"{method} {path} documents no error"
        for status in errors:
            content = responses[status]["content"]["application/json"]
            assert content["schema"]["$ref"].endswith("/Error")
            assert content["examples"], f"{method} {path} {status} has no example"


def test_docs_and_schema_are_served(client, db):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


def test_every_error_code_of_the_contract_is_documented(schema):
    text = yaml.safe_dump(schema)
    for code in [
        "INVALID_OTP",
        "OTP_EXPIRED",
        "TOO_MANY_ATTEMPTS",
        "INVALID_TOKEN",
        "INVALID_OTP_TYPE",
        "USER_ALREADY_EXISTS",
        "REFRESH_TOKEN_REUSED",
        "CSRF_FAILED",
        "INVALID_EMAIL_OR_PASSWORD",
        "INVALID_PASSWORD",
        "NOT_FOUND",
        "TOO_MANY_REQUESTS",
    ]:
        assert f"code: {code}" in text, code


def _codes_of(operation: dict) -> set[str]:
    """The error codes an operation documents (its examples: one per code, see error_responses)."""
    return {
        example["value"]["code"]
        for response in operation.get("responses", {}).values()
        for example in response.get("content", {})
        .get("application/json", {})
        .get("examples", {})
        .values()
        if isinstance(example.get("value"), dict) and "code" in example["value"]
    }


def _operations(schema: dict) -> dict[tuple[str, str], dict]:
    return {
        (path, method): op for path, item in schema["paths"].items() for method, op in item.items()
    }


def _refused_by_a_permission_check(patterns=None) -> set[tuple[str, str]]:
    """(path, method) of the operations with a permission check that can answer 403.

    With an authenticator configured, IsAuthenticated refuses with 401 NOT_AUTHENTICATED, and
    AllowAny never refuses; any other check (HasRole, IsEmailVerified, ...) answers 403
    PERMISSION_DENIED. Path parameters are written `{}` (the enumerator says `{pk}`, the schema
    `{id}`)."""
    found = set()
    for path, _, method, callback in EndpointEnumerator(patterns).get_api_endpoints():
        permissions = callback.cls(**callback.initkwargs).get_permissions()
        if any(not isinstance(p, (AllowAny, IsAuthenticated)) for p in permissions):
            found.add((re.sub(r"\{[^}]+\}", "{}", path), method.lower()))
    return found


def test_every_registered_code_is_documented_on_an_operation(schema):
    documented = set().union(*map(_codes_of, _operations(schema).values()))
    undocumented = set(DomainError.registry) - documented
    if not _refused_by_a_permission_check():
        # Only a permission check that can refuse sends it (an app's own views with HasRole or
        # IsEmailVerified); no operation of this API has one. It is in the ErrorCode enum still.
        undocumented.discard("PERMISSION_DENIED")
    assert not undocumented, f"registered codes no operation documents: {sorted(undocumented)}"


class _TeachersOnly(APIView):
    permission_classes = [HasRole("teacher"), IsEmailVerified]

    def get(self, request):
        return Response({})


def test_a_permission_check_that_can_refuse_is_found():
    patterns = [
        url("teachers/<str:pk>/", _TeachersOnly.as_view()),
        url("anyone/", APIView.as_view(permission_classes=[AllowAny])),
        url("signed-in/", APIView.as_view(permission_classes=[IsAuthenticated])),
    ]
    assert _refused_by_a_permission_check(patterns) == {("/teachers/{}/", "get")}


def test_an_operation_a_permission_check_can_refuse_documents_permission_denied(schema):
    operations = {
        (re.sub(r"\{[^}]+\}", "{}", path), method): op
        for (path, method), op in _operations(schema).items()
    }
    for path, method in _refused_by_a_permission_check():
        if (path, method) in operations:  # not the schema and docs views themselves
            assert "PERMISSION_DENIED" in _codes_of(operations[path, method]), (path, method)


def test_error_code_enum_is_the_registry(schema):
    components = schema["components"]["schemas"]
    assert components["Error"]["properties"]["code"] == {"$ref": "#/components/schemas/ErrorCode"}
    enum = components["ErrorCode"]
    assert enum["type"] == "string"
    assert enum["enum"] == sorted(DomainError.registry)
    # Each code with its one message, from the registry.
    assert enum["description"].splitlines() == [
        f"* `{code}` - {DomainError.registry[code].message}"
        for code in sorted(DomainError.registry)
    ]


@pytest.mark.parametrize("path", ["/api/auth/refresh/", "/api/auth/sign-out/"])
def test_cookie_borne_calls_show_the_browsers_empty_body_first(schema, path):
    # Swagger UI's "Try it out" fills in the first example: a browser sends no token.
    examples = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    first = next(iter(examples["examples"].values()))
    assert first["value"] == {}


def test_swagger_ui_sends_the_csrf_cookies_current_value(client, db):
    page = client.get("/api/docs/").content.decode()
    script = re.search(r'<script src="([^"]*\?script=[^"]*)"', page).group(1)
    text = client.get(script.replace("&amp;", "&")).content.decode()
    # Its own options come last, so its request interceptor is the one Swagger UI calls: the
    # csrftoken cookie read at each unsafe call (fetched first when absent) as X-CSRFToken.
    options = text.index("...swaggerSettings")
    assert text.index("requestInterceptor: async (request)") < options
    assert 'request.headers["X-CSRFToken"] = cookie()' in text
    assert 'await fetch("/api/auth/csrf/"' in text
