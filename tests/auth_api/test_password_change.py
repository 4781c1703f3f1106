import pytest
from rest_framework.test import APIClient

from tests.helpers import PASSWORD, bearer, refresh, sign_in

pytestmark = pytest.mark.django_db

URL = "/api/auth/password/change/"
NEW = "lemon-harbour-railway-9"


def change(client, access, **body):
    payload = {"currentPassword": PASSWORD, "newPassword": NEW, **body}
    return client.post(URL, payload, format="json", **bearer(access))


def test_change_password_then_sign_in_with_new(api_client, user):
    access = sign_in(api_client).json()["accessToken"]
    response = change(api_client, access)
    assert response.status_code == 200
    assert response.json()["user"]["email"] == "ada@example.com"
    assert sign_in(APIClient(), password=NEW).status_code == 200
    assert sign_in(APIClient(), password=PASSWORD).status_code == 401


def test_change_revokes_other_sign_ins_by_default_but_keeps_this_one(api_client, user):
    other = APIClient(enforce_csrf_checks=True)
    sign_in(other)
    access = sign_in(api_client).json()["accessToken"]
    change(api_client, access)
    assert refresh(other).json()["code"] == "INVALID_REFRESH_TOKEN"
    assert refresh(api_client).status_code == 200


def test_change_can_keep_other_sign_ins(api_client, user):
    other = APIClient(enforce_csrf_checks=True)
    sign_in(other)
    access = sign_in(api_client).json()["accessToken"]
    change(api_client, access, revokeOtherSessions=False)
    assert refresh(other).status_code == 200


def test_wrong_current_password_is_invalid_password(api_client, user):
    access = sign_in(api_client).json()["accessToken"]
    response = change(api_client, access, currentPassword="not-my-password")
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_PASSWORD"
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("new", "code"),
    [
        ("short", "PASSWORD_TOO_SHORT"),
        ("y" * 129, "PASSWORD_TOO_LONG"),
        ("qwerty123", "PASSWORD_TOO_COMMON"),
        ("ada@example.com", "PASSWORD_TOO_SIMILAR"),
    ],
)
def test_new_password_rules(api_client, user, new, code):
    access = sign_in(api_client).json()["accessToken"]
    response = change(api_client, access, newPassword=new)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert "newPassword" in response.json()["fields"]


def test_change_needs_bearer(api_client, user):
    response = api_client.post(
        URL, {"currentPassword": PASSWORD, "newPassword": NEW}, format="json"
    )
    assert response.status_code == 401


def test_the_new_password_must_differ_from_the_current_one(api_client, user):
    from tests.helpers import PASSWORD, bearer, sign_in

    access = sign_in(api_client).json()["accessToken"]
    for same in (PASSWORD, "ｖｉｏｌｅｔ-ｔａｎｇｅｒｉｎｅ-４７"):  # NFKC: the same password
        answer = api_client.post(
            "/api/auth/password/change/",
            {"currentPassword": PASSWORD, "newPassword": same},
            format="json",
            **bearer(access),
        )
        assert (answer.status_code, answer.json()["code"]) == (400, "PASSWORD_UNCHANGED")
