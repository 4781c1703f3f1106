"""CORS for the SPA on another origin: what django-cors-headers answers, also on the path that
skips reading the headers of a request without an Origin."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

APP = "https://app.example.com"
SESSION = "/api/auth/session/"


def _vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}


@pytest.fixture(autouse=True)
def allowed_origin():
    with override_settings(CORS_ALLOWED_ORIGINS=[APP]):
        yield


def test_an_allowed_origin_gets_the_cors_headers(client):
    response = client.get("/api/auth/jwks/", HTTP_ORIGIN=APP)
    assert response["Access-Control-Allow-Origin"] == APP
    assert response["Access-Control-Allow-Credentials"] == "true"
    assert "origin" in _vary(response)


def test_another_origin_gets_none(client):
    response = client.get("/api/auth/jwks/", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in response
    assert "origin" in _vary(response)


@pytest.mark.parametrize("path", ["/api/auth/jwks/", SESSION, "/api/nowhere/"])
def test_no_origin_no_cors_header_but_vary(client, path):
    response = client.get(path)
    assert "Access-Control-Allow-Origin" not in response
    assert "origin" in _vary(response)  # a cache must not reuse it for a cross-origin read


def test_pages_are_not_cors(client):
    response = client.get("/admin/login/", HTTP_ORIGIN=APP)
    assert "Access-Control-Allow-Origin" not in response
    assert "origin" not in _vary(response)


def test_a_preflight_is_answered_for_an_allowed_origin(client):
    response = client.options(
        SESSION,
        HTTP_ORIGIN=APP,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP
    assert "authorization" in response["Access-Control-Allow-Headers"]
    assert "GET" in response["Access-Control-Allow-Methods"]
    refused = client.options(
        SESSION, HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert "Access-Control-Allow-Origin" not in refused
