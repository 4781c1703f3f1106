"""The API skips what only pages need; pages keep the cached CSP header; the Accept fast path
answers exactly as the stock code would."""

import pytest
from csp.utils import build_policy
from django.test import override_settings

pytestmark = pytest.mark.django_db

JWKS = "/api/auth/jwks/"


PAGE = "/admin/login/"  # an HTML page with the settings' policy


@pytest.mark.parametrize("path", [JWKS, "/api/auth/session/", "/api/nowhere/", "/healthz"])
def test_api_answers_skip_the_page_middleware(client, path):
    """JSON answers get the fixed API policy, a length, and nothing only pages need."""
    response = client.get(path)
    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response["Content-Length"] == str(len(response.content))
    assert "X-Frame-Options" not in response  # frame-ancestors says it
    assert "Cookie" not in response.get("Vary", "") and not response.cookies
    assert response["X-Content-Type-Options"] == "nosniff"  # the security headers stay


@pytest.mark.parametrize(
    ("path", "api"),
    [
        ("/api/auth/session/", True),
        ("/api/nowhere/", True),
        ("/healthz", True),
        ("/readyz/", True),  # a near miss: the API's JSON 404
        ("/.well-known/jwks.json", True),
        ("/api/docs/", False),
        ("/healthzone", False),  # a page of the web app, not a probe
        ("/metrics-dashboard", False),
        ("/admin/login/", False),
        ("/", False),
    ],
)
def test_which_paths_are_the_apis(path, api):
    from project.stack import is_api_path

    assert is_api_path(path) is api


@pytest.mark.parametrize("path", [PAGE, "/api/docs/"])
def test_pages_keep_the_page_middleware(client, path):
    response = client.get(path)
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_pages_carry_the_settings_policy(client):
    response = client.get(PAGE)
    assert response["Content-Security-Policy"] == build_policy()
    assert "Content-Security-Policy-Report-Only" not in response


def test_a_views_own_policy_still_applies(client):
    response = client.get("/api/docs/")
    assert "'unsafe-inline'" in response["Content-Security-Policy"]
    assert client.get(PAGE)["Content-Security-Policy"] == build_policy()


def test_the_cached_policy_follows_the_settings(client):
    client.get(PAGE)
    policy = {"DIRECTIVES": {"default-src": ["'none'"]}}
    with override_settings(
        CONTENT_SECURITY_POLICY=policy, CONTENT_SECURITY_POLICY_REPORT_ONLY=policy
    ):
        response = client.get(PAGE)
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["Content-Security-Policy-Report-Only"] == "default-src 'none'"
    assert client.get(PAGE)["Content-Security-Policy"] == build_policy()


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/*"])
def test_json_for_clients_that_accept_it(client, accept):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    response = client.get(JWKS, **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("path", "accept", "status", "code"),
    [
        (JWKS, "text/html", 406, "NOT_ACCEPTABLE"),
        (JWKS + "?format=xml", "*/*", 404, "NOT_FOUND"),  # DRF: no renderer for that format
    ],
)
def test_refusals_are_drfs(client, path, accept, status, code):
    response = client.get(path, HTTP_ACCEPT=accept)
    assert response.status_code == status
    assert response.json()["code"] == code


def test_the_policy_is_built_once(client, monkeypatch):
    from project import middleware

    calls = []
    monkeypatch.setattr(middleware, "build_policy", lambda **kw: calls.append(kw) or "x")
    for _ in range(3):
        assert client.get(PAGE)["Content-Security-Policy"] == "x"
    assert len(calls) == 2  # the policy and the report-only one, once
