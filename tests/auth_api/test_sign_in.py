import pytest
from django.contrib.auth.hashers import make_password

from auth_api.models import SignIn
from auth_api.tokens.claims import decode_access_token
from tests.helpers import PASSWORD, sign_in
from users.models import User

pytestmark = pytest.mark.django_db


def test_sign_in_returns_user_and_access_token(api_client, user):
    response = sign_in(api_client)
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["id"] == user.id
    claims = decode_access_token(body["accessToken"])
    assert claims.user_id == user.id
    assert claims.role == "teacher"
    assert claims.email == "ada@example.com"
    assert "refreshToken" not in body  # browsers never see it


def test_sign_in_email_is_case_insensitive(api_client, user):
    assert sign_in(api_client, email="  ADA@Example.com").status_code == 200


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("ada@example.com", "wrong-password-123"),
        ("nobody@example.com", PASSWORD),
        ("ada@example.com", ""),
    ],
)
def test_sign_in_failures_are_indistinguishable(api_client, user, email, password):
    response = sign_in(api_client, email=email, password=password)
    assert response.status_code == 401
    assert response.json() == {
        "code": "INVALID_EMAIL_OR_PASSWORD",
        "message": "Invalid email or password.",
    }


def test_password_less_account_cannot_sign_in(api_client, db):
    User.objects.create_user("otp@example.com", None)
    response = sign_in(api_client, email="otp@example.com", password="!")
    assert response.status_code == 401
    assert response.json()["code"] == "INVALID_EMAIL_OR_PASSWORD"


def test_inactive_user_cannot_sign_in(api_client, user):
    user.is_active = False
    user.save()
    assert sign_in(api_client).json()["code"] == "INVALID_EMAIL_OR_PASSWORD"


@pytest.mark.real_hashers
def test_unknown_email_still_runs_the_hasher(api_client, db, monkeypatch):
    from auth_api.flows import sign_in as flow

    calls = []
    real = flow.check_password
    monkeypatch.setattr(flow, "check_password", lambda *a: calls.append(a) or real(*a))
    sign_in(api_client, email="ghost@example.com")
    assert len(calls) == 1
    assert calls[0][1].startswith("argon2$argon2id$")


def test_invalid_email_shape_is_400(api_client, db):
    response = sign_in(api_client, email="nope")
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_EMAIL"


@pytest.mark.real_hashers
def test_weaker_hash_is_upgraded_to_argon2_on_sign_in(api_client, user):
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save()
    assert sign_in(api_client).status_code == 200
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")


def test_body_transport_opt_in_returns_refresh_token_and_no_cookie(api_client, user, cookie_name):
    response = sign_in(api_client, HTTP_X_REFRESH_TOKEN_TRANSPORT="body")
    body = response.json()
    assert body["refreshToken"] and body["refreshTokenExpiresAt"]
    assert cookie_name not in response.cookies


def test_sign_in_records_client_details(api_client, user):
    sign_in(api_client, HTTP_USER_AGENT="pytest-agent/1.0", REMOTE_ADDR="203.0.113.9")
    sign_in_row = user.sign_ins.get()
    assert sign_in_row.user_agent == "pytest-agent/1.0"
    assert sign_in_row.ip_address == "203.0.113.9"


@pytest.mark.parametrize("change", ["password-reset", "account-closed"])
def test_a_change_while_the_password_is_hashed_starts_no_sign_in(
    api_client, user, monkeypatch, change
):
    """The account changes while the right (old) password is checked, as a reset or a claim of
    the address ends every sign-in: this one, proven against what was, does not start after it."""
    check = User.check_password

    def changed_while_hashing(self, raw):
        right = check(self, raw)
        fresh = User.objects.get(pk=self.pk)
        if change == "password-reset":
            fresh.set_password("a-brand-new-passphrase-7")
        else:
            fresh.is_active = False
        fresh.save()
        return right

    monkeypatch.setattr(User, "check_password", changed_while_hashing)
    response = sign_in(api_client)
    assert response.status_code == 401
    assert response.json()["code"] == "INVALID_EMAIL_OR_PASSWORD"
    assert not SignIn.objects.exists()
