"""The cached CSP header and the Accept fast path answer exactly as the stock code would."""

import pytest
from csp.utils import build_policy
from django.test import override_settings

pytestmark = pytest.mark.django_db

JWKS = "/api/auth/jwks/"


def test_api_answers_carry_the_settings_policy(client):
    response = client.get(JWKS)
    assert response["Content-Security-Policy"] == build_policy()
    assert "Content-Security-Policy-Report-Only" not in response


def test_a_views_own_policy_still_applies(client):
    response = client.get("/api/docs/")
    assert "'unsafe-inline'" in response["Content-Security-Policy"]
    assert client.get(JWKS)["Content-Security-Policy"] == build_policy()


def test_the_cached_policy_follows_the_settings(client):
    client.get(JWKS)
    policy = {"DIRECTIVES": {"default-src": ["'none'"]}}
    with override_settings(
        CONTENT_SECURITY_POLICY=policy, CONTENT_SECURITY_POLICY_REPORT_ONLY=policy
    ):
        response = client.get(JWKS)
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["Content-Security-Policy-Report-Only"] == "default-src 'none'"
    assert client.get(JWKS)["Content-Security-Policy"] == build_policy()


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
        assert client.get(JWKS)["Content-Security-Policy"] == "x"
    assert len(calls) == 2  # the policy and the report-only one, once
