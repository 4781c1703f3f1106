from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from auth_api.http.serializers import SessionResponseSerializer
from auth_api.models import SignIn
from auth_api.tokens.claims import mint_access_token
from tests.factories import UserFactory
from tests.helpers import bearer, sign_in
from users.models import User

pytestmark = pytest.mark.django_db

URL = "/api/auth/session/"


def test_session_returns_fresh_user_and_sign_in(api_client, user):
    access = sign_in(api_client).json()["accessToken"]
    user.name = "Ada, Countess of Lovelace"
    user.save()
    response = api_client.get(URL, **bearer(access))
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["name"] == "Ada, Countess of Lovelace"
    sign_in_row = SignIn.objects.get()
    assert body["session"]["id"] == sign_in_row.id
    assert body["session"]["expiresAt"].startswith(sign_in_row.expires_at.strftime("%Y-%m-%dT%H"))


def test_session_without_token_is_not_authenticated(api_client, db):
    response = api_client.get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "NOT_AUTHENTICATED"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer not.a.jwt", "Bearer ∂∂∂"])
def test_session_with_malformed_token_is_token_invalid(api_client, db, header):
    response = api_client.get(URL, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["code"] == "TOKEN_INVALID"


def test_session_of_a_revoked_sign_in_is_401(api_client, user):
    access = sign_in(api_client).json()["accessToken"]
    SignIn.objects.update(revoke_reason="revoked", revoked_at=SignIn.objects.get().created_at)
    response = api_client.get(URL, **bearer(access))
    assert response.status_code == 401
    assert response.json()["code"] == "TOKEN_INVALID"


def test_session_makes_exactly_one_query(api_client, user, django_assert_num_queries, warm):
    access = sign_in(api_client).json()["accessToken"]
    warm()
    with django_assert_num_queries(1):
        assert api_client.get(URL, **bearer(access)).status_code == 200


def test_authenticating_a_request_makes_zero_queries(rf, user, django_assert_num_queries, warm):
    from rest_framework.request import Request

    from auth_api.authentication import AccessTokenAuthentication
    from auth_api.tokens.claims import mint_access_token

    access, _ = mint_access_token(user=user, sid="s" * 32)
    request = Request(rf.get(URL, HTTP_AUTHORIZATION=f"Bearer {access}"))
    warm()
    with django_assert_num_queries(0):
        principal, claims = AccessTokenAuthentication().authenticate(request)
    assert principal.id == user.id
    assert claims.role == "teacher"


def test_bearer_endpoint_auth_failure_makes_zero_queries(
    api_client, db, django_assert_num_queries, warm
):
    warm()
    with django_assert_num_queries(0):
        assert (
            api_client.get("/api/auth/sessions/", HTTP_AUTHORIZATION="Bearer x.y.z").status_code
            == 401
        )


def _session(api_client, access):
    return api_client.get(URL, **bearer(access))


def test_session_of_an_expired_sign_in_is_401(api_client, user):
    access = sign_in(api_client).json()["accessToken"]
    SignIn.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _session(api_client, access)
    assert response.status_code == 401
    assert response.json()["code"] == "TOKEN_INVALID"


def test_session_of_a_deactivated_user_is_401(api_client, user):
    access = sign_in(api_client).json()["accessToken"]
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = _session(api_client, access)
    assert response.status_code == 401
    assert response.json()["code"] == "TOKEN_INVALID"


def test_session_of_someone_elses_sign_in_is_401(api_client, user):
    """A token whose `sid` names another user's sign-in (a signing-key leak) finds nothing."""
    sign_in(api_client)
    other = UserFactory(email="bob@example.com")
    forged, _ = mint_access_token(user=other, sid=SignIn.objects.get().id)
    response = _session(api_client, forged)
    assert response.status_code == 401
    assert response.json()["code"] == "TOKEN_INVALID"


def test_session_reflects_the_current_user_row(api_client, user):
    access = sign_in(api_client).json()["accessToken"]
    assert _session(api_client, access).json()["user"]["emailVerified"] is False
    User.objects.filter(pk=user.pk).update(
        email_verified=True, name="A. Lovelace", image="https://example.com/ada.png"
    )
    body = _session(api_client, access).json()["user"]
    assert (body["emailVerified"], body["name"]) == (True, "A. Lovelace")
    assert body["image"] == "https://example.com/ada.png"


def test_session_body_is_the_declared_rendering_of_the_rows(api_client, user):
    """Byte for byte what DRF's declared fields render from the full model rows."""
    access = sign_in(api_client).json()["accessToken"]
    sign_in_row = SignIn.objects.select_related("user").get()
    expected = serializers.Serializer.to_representation(
        SessionResponseSerializer(), {"user": sign_in_row.user, "session": sign_in_row}
    )
    response = _session(api_client, access)
    assert response["Content-Type"] == "application/json"
    assert response.content == JSONRenderer().render(expected)
