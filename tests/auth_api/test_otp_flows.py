from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from auth_api.models import OneTimeCode, SignIn
from auth_api.tokens.claims import decode_access_token
from tests.helpers import (
    PASSWORD,
    bearer,
    deliver_and_read_code,
    refresh,
    send_code,
    sign_in,
)
from users.models import User

pytestmark = pytest.mark.django_db

OTP_SIGN_IN = "/api/auth/email-otp/sign-in/"
VERIFY = "/api/auth/email-otp/verify-email/"
CHECK = "/api/auth/email-otp/check/"


@pytest.fixture
def code_for(api_client, mailoutbox):
    def issue(email: str, type: str) -> str:
        assert send_code(api_client, email, type).status_code == 200
        return deliver_and_read_code(mailoutbox, email)

    return issue


def post(client, url, **body):
    return client.post(url, body, format="json")


# --- sign-in by code ---------------------------------------------------------------------------


def test_code_signs_in_a_verified_user_and_keeps_the_password(api_client, user, code_for):
    user.email_verified = True
    user.save()
    code = code_for("ada@example.com", "sign-in")
    response = post(api_client, OTP_SIGN_IN, email="ada@example.com", otp=code)
    assert response.status_code == 200
    assert decode_access_token(response.json()["accessToken"]).user_id == user.id
    assert sign_in(APIClient()).status_code == 200  # password untouched


def test_code_creates_unknown_user_verified_without_password(api_client, db, code_for):
    code = code_for("New@Example.com", "sign-in")
    response = post(
        api_client, OTP_SIGN_IN, email="new@example.com", otp=code, name=" Nia ", role="teacher"
    )
    assert response.status_code == 200
    body = response.json()["user"]
    assert (body["email"], body["name"], body["role"], body["emailVerified"]) == (
        "new@example.com",
        " Nia ",
        "teacher",
        True,
    )
    assert not User.objects.get(email="new@example.com").has_usable_password()


def test_code_created_user_defaults(api_client, db, code_for):
    code = code_for("plain@example.com", "sign-in")
    body = post(api_client, OTP_SIGN_IN, email="plain@example.com", otp=code).json()["user"]
    assert (body["name"], body["role"]) == ("", "student")


def test_code_sign_in_of_unverified_user_drops_password_and_other_sign_ins(
    api_client, user, code_for
):
    squatter = APIClient(enforce_csrf_checks=True)
    sign_in(squatter)  # whoever pre-registered with a password
    code = code_for("ada@example.com", "sign-in")
    response = post(api_client, OTP_SIGN_IN, email="ada@example.com", otp=code)
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email_verified and not user.has_usable_password()
    assert refresh(squatter).json()["code"] == "INVALID_REFRESH_TOKEN"
    assert sign_in(APIClient()).status_code == 401
    assert SignIn.objects.filter(user=user, revoked_at__isnull=True).count() == 1


def test_code_works_once(api_client, user, code_for):
    code = code_for("ada@example.com", "sign-in")
    assert post(api_client, OTP_SIGN_IN, email="ada@example.com", otp=code).status_code == 200
    again = post(api_client, OTP_SIGN_IN, email="ada@example.com", otp=code)
    assert again.status_code == 400 and again.json()["code"] == "INVALID_OTP"


def test_wrong_code_then_three_strikes(api_client, user, code_for):
    code = code_for("ada@example.com", "sign-in")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        response = post(api_client, OTP_SIGN_IN, email="ada@example.com", otp=wrong)
        assert response.json()["code"] == "INVALID_OTP"
    dead = post(api_client, OTP_SIGN_IN, email="ada@example.com", otp=code)
    assert dead.status_code == 403 and dead.json()["code"] == "TOO_MANY_ATTEMPTS"
    fresh = code_for("ada@example.com", "sign-in")  # a new send revives
    assert post(api_client, OTP_SIGN_IN, email="ada@example.com", otp=fresh).status_code == 200


def test_expired_code(api_client, user, code_for):
    code = code_for("ada@example.com", "sign-in")
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = post(api_client, OTP_SIGN_IN, email="ada@example.com", otp=code)
    assert response.status_code == 400 and response.json()["code"] == "OTP_EXPIRED"


def test_code_of_another_type_or_email_is_invalid(api_client, user, code_for, known_codes):
    known_codes.extend(["123456", "654321"])
    code = code_for("ada@example.com", "email-verification")
    assert post(api_client, OTP_SIGN_IN, email="ada@example.com", otp=code).json()["code"] == (
        "INVALID_OTP"
    )
    User.objects.create_user("bob@example.com", None)
    other = code_for("bob@example.com", "sign-in")
    assert other != code
    response = post(api_client, OTP_SIGN_IN, email="ada@example.com", otp=other)
    assert response.json()["code"] == "INVALID_OTP"


def test_no_code_sent_is_invalid_otp(api_client, db):
    response = post(api_client, OTP_SIGN_IN, email="ada@example.com", otp="123456")
    assert response.status_code == 400 and response.json()["code"] == "INVALID_OTP"


@pytest.mark.parametrize("otp", ["", "12345", "abcdef", "1234567", None])
def test_malformed_codes_are_invalid_otp(api_client, user, code_for, otp):
    code_for("ada@example.com", "sign-in")
    response = post(api_client, OTP_SIGN_IN, email="ada@example.com", otp=otp)
    assert response.status_code == 400 and response.json()["code"] == "INVALID_OTP"


def test_invalid_role_on_code_sign_up(api_client, db, code_for):
    code = code_for("r@example.com", "sign-in")
    response = post(api_client, OTP_SIGN_IN, email="r@example.com", otp=code, role="admin")
    assert response.json()["code"] == "INVALID_ROLE"
    assert post(api_client, OTP_SIGN_IN, email="r@example.com", otp=code).status_code == 200


def test_resending_never_buys_unbounded_guesses(api_client, user, code_for, settings):
    """better-auth #11162: each resend resets the 3 tries; the address's allowance of untrusted
    wrong guesses spans codes."""
    settings.RATE_LIMITS_ENABLED = True
    settings.CODE_GUESS_BURST = 7
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "otp_send_address_client": (100, 600)}
    guesses = []
    for _ in range(4):
        code = code_for("ada@example.com", "sign-in")
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(3):
            guesses.append(post(api_client, OTP_SIGN_IN, email="ada@example.com", otp=wrong))
    evaluated = [g for g in guesses if g.json()["code"] == "INVALID_OTP"]
    assert len(evaluated) == 7
    assert guesses[-1].json()["code"] == "TOO_MANY_REQUESTS"


# --- verify email ------------------------------------------------------------------------------


def test_verify_email_with_the_owners_bearer_only_verifies(api_client, user, code_for):
    access = sign_in(api_client).json()["accessToken"]
    code = code_for("ada@example.com", "email-verification")
    response = api_client.post(
        VERIFY, {"email": "ada@example.com", "otp": code}, format="json", **bearer(access)
    )
    assert response.status_code == 200
    assert set(response.json()) == {"user"}
    assert response.json()["user"]["emailVerified"] is True
    assert refresh(api_client).status_code == 200  # the caller's sign-in goes on
    token = sign_in(APIClient()).json()["accessToken"]  # and the password stays
    assert decode_access_token(token).email_verified is True


def test_verify_email_without_bearer_is_a_code_sign_in(user, mailoutbox):
    """Pre-registration: an attacker signed up with the victim's address and a password, then
    had a verification code sent; the victim enters it on the public page."""
    attacker = APIClient()
    assert sign_in(attacker).status_code == 200
    victim = APIClient()
    send_code(victim, "ada@example.com", "email-verification")
    code = deliver_and_read_code(mailoutbox, "ada@example.com")
    response = post(victim, VERIFY, email="ada@example.com", otp=code)
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["emailVerified"] is True and body["accessToken"]
    assert refresh(victim).status_code == 200  # the victim is signed in
    assert refresh(attacker).json()["code"] == "INVALID_REFRESH_TOKEN"  # the attacker is not
    assert sign_in(APIClient()).json()["code"] == "INVALID_EMAIL_OR_PASSWORD"
    assert not User.objects.get(pk=user.pk).has_usable_password()


def test_verify_email_with_someone_elses_bearer_is_a_code_sign_in(api_client, user, code_for):
    other = User.objects.create_user("bob@example.com", PASSWORD)
    access = sign_in(api_client, email=other.email).json()["accessToken"]
    code = code_for("ada@example.com", "email-verification")
    response = api_client.post(
        VERIFY, {"email": "ada@example.com", "otp": code}, format="json", **bearer(access)
    )
    assert decode_access_token(response.json()["accessToken"]).user_id == user.pk


def test_verify_email_with_a_bad_bearer_is_401(api_client, user, code_for):
    code = code_for("ada@example.com", "email-verification")
    response = api_client.post(
        VERIFY, {"email": "ada@example.com", "otp": code}, format="json", **bearer("x.y.z")
    )
    assert response.status_code == 401


def test_verify_email_errors(api_client, user, code_for):
    code = code_for("ada@example.com", "email-verification")
    assert post(api_client, VERIFY, email="ada@example.com", otp="99999x").json()["code"] == (
        "INVALID_OTP"
    )
    assert post(api_client, VERIFY, email="ada@example.com", otp=code).status_code == 200
    assert post(api_client, VERIFY, email="ada@example.com", otp=code).json()["code"] == (
        "INVALID_OTP"
    )


# --- check -------------------------------------------------------------------------------------


def test_check_does_not_use_up_sign_in_codes(api_client, user, code_for):
    code = code_for("ada@example.com", "sign-in")
    response = post(api_client, CHECK, email="ada@example.com", type="sign-in", otp=code)
    assert response.json() == {"success": True}
    assert post(api_client, OTP_SIGN_IN, email="ada@example.com", otp=code).status_code == 200


def test_check_of_forget_password_consumes_and_returns_reset_token(api_client, user, code_for):
    code = code_for("ada@example.com", "forget-password")
    body = post(api_client, CHECK, email="ada@example.com", type="forget-password", otp=code).json()
    assert body["success"] is True and body["resetToken"]
    again = post(api_client, CHECK, email="ada@example.com", type="forget-password", otp=code)
    assert again.json()["code"] == "INVALID_OTP"


def test_check_errors(api_client, user, code_for):
    code_for("ada@example.com", "sign-in")
    bad_type = post(api_client, CHECK, email="ada@example.com", type="other", otp="123456")
    assert bad_type.json()["code"] == "INVALID_OTP_TYPE"
    wrong = post(api_client, CHECK, email="ada@example.com", type="sign-in", otp="1")
    assert wrong.json()["code"] == "INVALID_OTP"


def test_forget_password_code_for_unknown_email_never_yields_a_token(api_client, db, monkeypatch):
    from auth_api.codes import store

    monkeypatch.setattr(store, "new_code", lambda: "424242")  # as if the attacker guessed right
    send_code(api_client, "ghost@example.com", "forget-password")
    response = post(
        api_client, CHECK, email="ghost@example.com", type="forget-password", otp="424242"
    )
    assert response.json()["code"] == "INVALID_OTP"


def test_password_still_works_alongside_codes(api_client, user, code_for):
    code_for("ada@example.com", "sign-in")
    assert sign_in(APIClient(), password=PASSWORD).status_code == 200
