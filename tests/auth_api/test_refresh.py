from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from auth_api.models import SignIn
from auth_api.tokens.claims import decode_access_token, decode_refresh_token
from tests.helpers import bearer, csrf_headers, refresh, sign_in

pytestmark = pytest.mark.django_db

URL = "/api/auth/refresh/"


def test_refresh_rotates_cookie_and_returns_access_token(api_client, user, cookie_name):
    first = sign_in(api_client).cookies[cookie_name].value
    response = refresh(api_client)
    assert response.status_code == 200
    assert set(response.json()) == {"accessToken", "accessTokenExpiresAt"}
    second = response.cookies[cookie_name].value
    assert second != first
    assert decode_refresh_token(second).sid == decode_refresh_token(first).sid
    assert decode_access_token(response.json()["accessToken"]).user_id == user.id


def test_refresh_keeps_session_cookie_semantics(api_client, user, cookie_name):
    sign_in(api_client, rememberMe=False)
    assert refresh(api_client).cookies[cookie_name]["max-age"] == ""


def test_refresh_rereads_role_and_verification(api_client, user):
    sign_in(api_client)
    user.role = "student"
    user.email_verified = True
    user.save()
    claims = decode_access_token(refresh(api_client).json()["accessToken"])
    assert claims.role == "student"
    assert claims.email_verified is True


@pytest.mark.parametrize("change", ["deactivate", "delete"])
def test_refresh_fails_for_deactivated_or_deleted_user(api_client, user, change):
    sign_in(api_client)
    if change == "delete":
        user.delete()
    else:
        user.is_active = False
        user.save()
    response = refresh(api_client)
    assert response.status_code == 401
    assert response.json()["code"] == "INVALID_REFRESH_TOKEN"


def test_refresh_without_cookie_is_401(api_client, db):
    response = api_client.post(URL, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "INVALID_REFRESH_TOKEN"


def test_refresh_with_garbage_cookie_is_401(api_client, db, cookie_name):
    api_client.cookies[cookie_name] = "not-a-jwt"
    response = refresh(api_client)
    assert response.json()["code"] == "INVALID_REFRESH_TOKEN"


def test_replaying_a_rotated_token_revokes_the_family(api_client, user, cookie_name):
    old = sign_in(api_client).cookies[cookie_name].value
    newest = refresh(api_client).cookies[cookie_name].value
    with override_settings(REFRESH_REUSE_GRACE=timedelta(seconds=0)):
        _age_rotation(user)
        api_client.cookies[cookie_name] = old
        response = refresh(api_client)
    assert response.status_code == 401
    assert response.json()["code"] == "REFRESH_TOKEN_REUSED"
    assert SignIn.objects.get().revoke_reason == "reuse"
    api_client.cookies[cookie_name] = newest
    response = refresh(api_client)
    assert response.status_code == 401
    assert response.json()["code"] == "INVALID_REFRESH_TOKEN"


def _age_rotation(user, seconds: int = 60) -> None:
    SignIn.objects.filter(user=user).update(rotated_at=timezone.now() - timedelta(seconds=seconds))


def test_replay_of_a_token_two_rotations_old_revokes_even_within_grace(
    api_client, user, cookie_name
):
    oldest = sign_in(api_client).cookies[cookie_name].value
    refresh(api_client)
    refresh(api_client)
    api_client.cookies[cookie_name] = oldest
    assert refresh(api_client).json()["code"] == "REFRESH_TOKEN_REUSED"


def test_honest_race_within_grace_gets_the_same_newest_token(api_client, user, cookie_name):
    old = sign_in(api_client).cookies[cookie_name].value
    newest = refresh(api_client).cookies[cookie_name].value
    api_client.cookies[cookie_name] = old
    response = refresh(api_client)
    assert response.status_code == 200
    assert response.cookies[cookie_name].value == newest  # no second live branch
    assert SignIn.objects.get().revoked_at is None
    api_client.cookies[cookie_name] = newest
    assert refresh(api_client).status_code == 200


def test_refresh_after_sign_out_fails(api_client, user):
    sign_in(api_client)
    api_client.post("/api/auth/sign-out/", format="json", **csrf_headers(api_client))
    assert refresh(api_client).status_code == 401


def test_expired_refresh_token_is_401(api_client, user, cookie_name):
    sign_in(api_client)
    SignIn.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert refresh(api_client).json()["code"] == "INVALID_REFRESH_TOKEN"


def test_body_transport_refresh_needs_no_cookie_or_csrf(api_client, user, cookie_name):
    token = sign_in(api_client, HTTP_X_REFRESH_TOKEN_TRANSPORT="body").json()["refreshToken"]
    response = api_client.post(URL, {"refreshToken": token}, format="json")
    assert response.status_code == 200
    assert response.json()["refreshToken"] != token
    assert cookie_name not in response.cookies
    again = api_client.post(URL, {"refreshToken": token}, format="json")
    assert again.json()["refreshToken"] == response.json()["refreshToken"]  # grace: same token


def test_access_token_is_refused_as_refresh_token(api_client, user):
    access = sign_in(api_client, HTTP_X_REFRESH_TOKEN_TRANSPORT="body").json()["accessToken"]
    response = api_client.post(URL, {"refreshToken": access}, format="json")
    assert response.json()["code"] == "INVALID_REFRESH_TOKEN"


def test_cookie_refresh_never_puts_the_refresh_token_in_the_body(api_client, user):
    sign_in(api_client)
    response = refresh(api_client, HTTP_X_REFRESH_TOKEN_TRANSPORT="body")
    assert "refreshToken" not in response.json()


def test_refreshed_access_token_works(api_client, user):
    sign_in(api_client)
    access = refresh(api_client).json()["accessToken"]
    assert api_client.get("/api/auth/session/", **bearer(access)).status_code == 200


def test_a_sign_in_ends_at_its_absolute_lifetime_however_often_it_rotates(
    api_client, user, cookie_name, clock
):
    sign_in(api_client)
    started = timezone.now() - timedelta(days=30) + timedelta(minutes=1)
    SignIn.objects.update(created_at=started)  # signed in 30 days minus a minute ago
    assert refresh(api_client).status_code == 200  # rotated, as every day before
    assert SignIn.objects.get().expires_at <= started + timedelta(days=30)
    assert int(api_client.cookies[cookie_name]["max-age"]) <= 60
    clock.advance(2 * 60)
    assert refresh(api_client).json()["code"] == "INVALID_REFRESH_TOKEN"
