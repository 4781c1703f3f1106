import pytest

from auth_api.models import SignIn
from auth_api.tokens.claims import mint_access_token
from tests.helpers import bearer, csrf_headers, refresh, sign_in

pytestmark = pytest.mark.django_db

URL = "/api/auth/sign-out/"


def test_sign_out_revokes_family_and_clears_cookie(api_client, user, cookie_name):
    sign_in(api_client)
    response = api_client.post(URL, format="json", **csrf_headers(api_client))
    assert response.status_code == 204
    cleared = response.cookies[cookie_name]
    assert cleared.value == "" and cleared["max-age"] == 0 and cleared["path"] == "/api/auth/"
    assert SignIn.objects.get().revoke_reason == "sign_out"


def test_sign_out_then_refresh_with_the_old_cookie_fails(api_client, user, cookie_name):
    token = sign_in(api_client).cookies[cookie_name].value
    api_client.post(URL, format="json", **csrf_headers(api_client))
    api_client.cookies[cookie_name] = token
    assert refresh(api_client).json()["code"] == "INVALID_REFRESH_TOKEN"


def test_sign_out_works_with_an_expired_access_token(api_client, user):
    from datetime import timedelta

    from django.utils import timezone

    sign_in(api_client)
    sid = SignIn.objects.get().id
    expired, _ = mint_access_token(user=user, sid=sid, now=timezone.now() - timedelta(hours=1))
    response = api_client.post(URL, format="json", **csrf_headers(api_client), **bearer(expired))
    assert response.status_code == 204
    assert SignIn.objects.get().revoked_at is not None


def test_sign_out_without_cookie_is_idempotent(api_client, db):
    assert api_client.post(URL, format="json").status_code == 204


def test_sign_out_leaves_other_sign_ins_alone(api_client, user):
    from rest_framework.test import APIClient

    other = APIClient(enforce_csrf_checks=True)
    sign_in(other)
    sign_in(api_client)
    api_client.post(URL, format="json", **csrf_headers(api_client))
    assert refresh(other).status_code == 200


def test_sign_out_body_transport(api_client, user):
    token = sign_in(api_client, HTTP_X_REFRESH_TOKEN_TRANSPORT="body").json()["refreshToken"]
    assert api_client.post(URL, {"refreshToken": token}, format="json").status_code == 204
    again = api_client.post("/api/auth/refresh/", {"refreshToken": token}, format="json")
    assert again.json()["code"] == "INVALID_REFRESH_TOKEN"
