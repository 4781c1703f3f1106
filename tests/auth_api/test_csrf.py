"""Calls authenticated by the refresh cookie must carry a same-origin CSRF token."""

import pytest
from django.test import override_settings

from auth_api.models import SignIn
from tests.helpers import csrf_headers, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(api_client, user):
    sign_in(api_client)
    return api_client


@pytest.mark.parametrize("path", ["/api/auth/refresh/", "/api/auth/sign-out/"])
def test_missing_csrf_token_is_403(signed_in, path):
    response = signed_in.post(path, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "CSRF_FAILED"
    assert SignIn.objects.get().revoked_at is None


@pytest.mark.parametrize("path", ["/api/auth/refresh/", "/api/auth/sign-out/"])
def test_wrong_csrf_token_is_403(signed_in, path):
    signed_in.get("/api/auth/csrf/")
    response = signed_in.post(path, format="json", HTTP_X_CSRFTOKEN="x" * 32)
    assert response.json()["code"] == "CSRF_FAILED"


@pytest.mark.parametrize("path", ["/api/auth/refresh/", "/api/auth/sign-out/"])
def test_foreign_origin_is_403_even_with_a_token(signed_in, path):
    headers = csrf_headers(signed_in)
    response = signed_in.post(path, format="json", HTTP_ORIGIN="https://evil.example", **headers)
    assert response.status_code == 403
    assert response.json()["code"] == "CSRF_FAILED"


def test_same_origin_with_token_passes(signed_in):
    headers = csrf_headers(signed_in)
    response = signed_in.post(
        "/api/auth/refresh/", format="json", HTTP_ORIGIN="http://testserver", **headers
    )
    assert response.status_code == 200


@override_settings(CSRF_TRUSTED_ORIGINS=["https://app.example.com"])
def test_trusted_origin_from_settings_passes(signed_in):
    headers = csrf_headers(signed_in)
    response = signed_in.post(
        "/api/auth/refresh/", format="json", HTTP_ORIGIN="https://app.example.com", **headers
    )
    assert response.status_code == 200


def test_csrf_endpoint_sets_readable_cookie(api_client, db):
    response = api_client.get("/api/auth/csrf/")
    assert response.status_code == 204
    cookie = response.cookies["csrftoken"]
    assert cookie.value and cookie["httponly"] == ""
    assert cookie["samesite"] == "Strict"


def test_bearer_calls_need_no_csrf(api_client, user):
    access = sign_in(api_client).json()["accessToken"]
    response = api_client.post(
        "/api/auth/password/change/",
        {"currentPassword": "violet-tangerine-47", "newPassword": "a-brand-new-phrase-8"},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {access}",
    )
    assert response.status_code == 200


def test_a_sign_out_with_a_body_token_also_ends_the_cookies_sign_in(signed_in):
    """The answer clears the refresh cookie: the sign-in it held must not live on unseen, even
    when the body names another token (or a dead one)."""
    headers = csrf_headers(signed_in)
    body = {"refreshToken": "not-a-token"}
    response = signed_in.post("/api/auth/sign-out/", body, format="json", **headers)
    assert response.status_code == 204
    assert SignIn.objects.get().revoked_at is not None


def test_a_cookie_without_its_csrf_token_is_not_ended_by_a_body_sign_out(signed_in):
    response = signed_in.post("/api/auth/sign-out/", {"refreshToken": "x"}, format="json")
    assert response.status_code == 204
    assert SignIn.objects.get().revoked_at is None  # a cross-site request ends nothing
