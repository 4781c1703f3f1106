import pytest
from rest_framework.test import APIClient

from auth_api.models import SignIn
from tests.factories import SignInFactory
from tests.helpers import bearer, refresh, sign_in
from users.models import User

pytestmark = pytest.mark.django_db

URL = "/api/auth/sessions/"


def test_list_shows_live_sign_ins_and_marks_current(api_client, user):
    other = APIClient(enforce_csrf_checks=True)
    sign_in(other, HTTP_USER_AGENT="phone")
    access = sign_in(api_client, HTTP_USER_AGENT="laptop").json()["accessToken"]
    response = api_client.get(URL, **bearer(access))
    assert response.status_code == 200
    items = response.json()
    assert len(items) == 2
    assert set(items[0]) == {
        "id",
        "createdAt",
        "lastUsedAt",
        "expiresAt",
        "ipAddress",
        "userAgent",
        "device",
        "current",
    }
    current = [i for i in items if i["current"]]
    assert len(current) == 1 and current[0]["userAgent"] == "laptop"
    assert current[0]["device"] == "Unknown device"  # "laptop" names no browser or system


def test_list_hides_revoked_and_other_users(api_client, user):
    stranger = SignInFactory().user  # another user's live sign-in
    access = sign_in(api_client).json()["accessToken"]
    sign_in(APIClient())
    SignIn.objects.filter(user=user).exclude(id=_sid(api_client, access)).update(
        revoked_at=SignIn.objects.first().created_at
    )
    items = api_client.get(URL, **bearer(access)).json()
    assert [i["id"] for i in items] == [_sid(api_client, access)]
    assert stranger.sign_ins.count() == 1


def _sid(client, access) -> str:
    return client.get("/api/auth/session/", **bearer(access)).json()["session"]["id"]


def test_revoke_other_sign_in_kills_its_refresh(api_client, user):
    other = APIClient(enforce_csrf_checks=True)
    sign_in(other)
    access = sign_in(api_client).json()["accessToken"]
    target = next(i for i in api_client.get(URL, **bearer(access)).json() if not i["current"])
    response = api_client.delete(f"{URL}{target['id']}/", **bearer(access))
    assert response.status_code == 204
    assert refresh(other).json()["code"] == "INVALID_REFRESH_TOKEN"
    assert refresh(api_client).status_code == 200


def test_revoking_another_users_sign_in_is_404_and_harmless(api_client, user):
    User.objects.create_user("eve@example.com", "eve-password-12345")
    eve = APIClient(enforce_csrf_checks=True)
    sign_in(eve, email="eve@example.com", password="eve-password-12345")
    eve_sid = SignIn.objects.get(user__email="eve@example.com").id
    access = sign_in(api_client).json()["accessToken"]
    response = api_client.delete(f"{URL}{eve_sid}/", **bearer(access))
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert refresh(eve).status_code == 200


def test_revoking_unknown_or_already_revoked_is_404(api_client, user):
    other = APIClient(enforce_csrf_checks=True)
    sign_in(other)
    access = sign_in(api_client).json()["accessToken"]
    assert api_client.delete(f"{URL}{'z' * 32}/", **bearer(access)).status_code == 404
    target = SignIn.objects.exclude(id=_sid(api_client, access)).get().id
    assert api_client.delete(f"{URL}{target}/", **bearer(access)).status_code == 204
    assert api_client.delete(f"{URL}{target}/", **bearer(access)).status_code == 404


def test_revoking_the_current_sign_in_ends_it(api_client, user):
    access = sign_in(api_client).json()["accessToken"]
    sid = _sid(api_client, access)
    assert api_client.delete(f"{URL}{sid}/", **bearer(access)).status_code == 204
    assert api_client.get("/api/auth/session/", **bearer(access)).status_code == 401
    assert refresh(api_client).json()["code"] == "INVALID_REFRESH_TOKEN"


def test_sessions_need_a_bearer_token(api_client, db):
    assert api_client.get(URL).json()["code"] == "NOT_AUTHENTICATED"
    assert api_client.delete(f"{URL}abc/").status_code == 401


def test_a_revoked_sign_ins_access_token_cannot_manage_sessions_or_password(api_client, user):
    access = sign_in(api_client).json()["accessToken"]
    sid = _sid(api_client, access)
    SignIn.objects.filter(id=sid).update(revoked_at=SignIn.objects.get(id=sid).created_at)
    assert api_client.get(URL, **bearer(access)).json()["code"] == "TOKEN_INVALID"
    assert api_client.delete(f"{URL}{sid}/", **bearer(access)).status_code == 401
    response = api_client.post(
        "/api/auth/password/change/",
        {"currentPassword": "violet-tangerine-47", "newPassword": "fresh-new-password-3"},
        format="json",
        **bearer(access),
    )
    assert response.json()["code"] == "TOKEN_INVALID"
