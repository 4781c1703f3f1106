import pytest

from auth_api.models import SignIn
from tests.helpers import bearer, sign_in

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
    from auth_api.sessions.tokens import mint_access_token

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
