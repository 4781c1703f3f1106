from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from auth_api.tokens.claims import mint_password_reset_token
from emailing.delivery import deliver_due
from tests.helpers import PASSWORD, bearer, deliver_and_read_code, refresh, send_code, sign_in
from users.models import User

pytestmark = pytest.mark.django_db

RESET = "/api/auth/password/reset/"
CHECK = "/api/auth/email-otp/check/"
NEW = "sunflower-bicycle-tundra-5"


@pytest.fixture
def reset_code(api_client, user, mailoutbox):
    send_code(api_client, "ada@example.com", "forget-password")
    return deliver_and_read_code(mailoutbox, "ada@example.com")


@pytest.fixture
def reset_token(api_client, reset_code):
    body = {"email": "ada@example.com", "type": "forget-password", "otp": reset_code}
    return api_client.post(CHECK, body, format="json").json()["resetToken"]


def reset(client, **body):
    return client.post(RESET, body, format="json")


def test_reset_with_token_changes_password_verifies_email_and_ends_sign_ins(
    api_client, user, reset_token, mailoutbox
):
    other = APIClient(enforce_csrf_checks=True)
    sign_in(other)
    response = reset(api_client, resetToken=reset_token, password=NEW)
    assert response.status_code == 200 and response.json() == {"success": True}
    user.refresh_from_db()
    assert user.email_verified and user.check_password(NEW)
    assert refresh(other).json()["code"] == "INVALID_REFRESH_TOKEN"
    assert sign_in(APIClient(), password=PASSWORD).status_code == 401
    assert sign_in(APIClient(), password=NEW).status_code == 200
    deliver_due()
    notice = mailoutbox[-1]
    assert notice.subject == "Your password was changed" and "was reset" in notice.body


def test_reset_in_one_call_with_email_and_code(api_client, user, reset_code):
    response = reset(api_client, email="ada@example.com", otp=reset_code, password=NEW)
    assert response.status_code == 200
    assert sign_in(APIClient(), password=NEW).status_code == 200
    again = reset(api_client, email="ada@example.com", otp=reset_code, password=NEW + "x")
    assert again.json()["code"] == "INVALID_OTP"


def test_a_rejected_password_does_not_burn_the_code(api_client, user, reset_code):
    short = reset(api_client, email="ada@example.com", otp=reset_code, password="short")
    assert short.json()["code"] == "PASSWORD_TOO_SHORT"
    assert (
        reset(api_client, email="ada@example.com", otp=reset_code, password=NEW).status_code == 200
    )


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short", "PASSWORD_TOO_SHORT"),
        ("p" * 129, "PASSWORD_TOO_LONG"),
        ("iloveyou1", "PASSWORD_TOO_COMMON"),
        ("ada@example.com", "PASSWORD_TOO_SIMILAR"),
    ],
)
def test_reset_password_rules(api_client, user, reset_token, password, code):
    response = reset(api_client, resetToken=reset_token, password=password)
    assert response.status_code == 400 and response.json()["code"] == code
    assert reset(api_client, resetToken=reset_token, password=NEW).status_code == 200


def test_reset_token_works_once(api_client, user, reset_token):
    assert reset(api_client, resetToken=reset_token, password=NEW).status_code == 200
    second = reset(api_client, resetToken=reset_token, password=NEW + "-again")
    assert second.status_code == 400 and second.json()["code"] == "INVALID_TOKEN"


def test_a_reset_token_dies_when_the_address_changes(api_client, user, reset_token):
    """Issued through the old address, it must not reset the password once the owner moved."""
    from users.services import user_change_email

    user_change_email(user=User.objects.get(pk=user.pk), new_email="ada.moved@example.com")
    answer = reset(api_client, resetToken=reset_token, password=NEW)
    assert (answer.status_code, answer.json()["code"]) == (400, "INVALID_TOKEN")
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


def test_expired_reset_token(api_client, user):
    token = mint_password_reset_token(user=user, now=timezone.now() - timedelta(minutes=11))
    assert reset(api_client, resetToken=token, password=NEW).json()["code"] == "INVALID_TOKEN"


def test_reset_token_cannot_be_moved_to_another_user(api_client, user, reset_token):
    other = User.objects.create_user("eve@example.com", "eve-password-9876")
    claims = jwt.decode(reset_token, options={"verify_signature": False})
    forged = jwt.encode({**claims, "sub": other.pk}, "attacker-key-" * 3, algorithm="HS256")
    assert reset(api_client, resetToken=forged, password=NEW).json()["code"] == "INVALID_TOKEN"
    # Even correctly signed, a token bound to one user's password does not fit another's.
    resigned = jwt.encode({**claims, "sub": other.pk}, settings.JWT_SIGNING_KEY, algorithm="HS256")
    assert reset(api_client, resetToken=resigned, password=NEW).json()["code"] == "INVALID_TOKEN"
    other.refresh_from_db()
    assert other.check_password("eve-password-9876")


def test_reset_token_is_not_an_access_token(api_client, user, reset_token):
    response = api_client.get("/api/auth/session/", **bearer(reset_token))
    assert response.status_code == 401 and response.json()["code"] == "TOKEN_INVALID"


def test_access_and_refresh_tokens_are_not_reset_tokens(api_client, user):
    body = sign_in(api_client, HTTP_X_REFRESH_TOKEN_TRANSPORT="body").json()
    for token in (body["accessToken"], body["refreshToken"], "garbage"):
        response = reset(api_client, resetToken=token, password=NEW)
        assert response.status_code == 400 and response.json()["code"] == "INVALID_TOKEN"
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_access_token_in_header_does_not_authorise_a_reset(api_client, user):
    access = sign_in(api_client).json()["accessToken"]
    response = api_client.post(RESET, {"password": NEW}, format="json", **bearer(access))
    assert response.status_code == 400 and response.json()["code"] == "INVALID_TOKEN"


def test_reset_for_otp_only_user_sets_a_first_password(api_client, db, mailoutbox):
    User.objects.create_user("otp@example.com", None, email_verified=True)
    send_code(api_client, "otp@example.com", "forget-password")
    code = deliver_and_read_code(mailoutbox, "otp@example.com")
    assert reset(api_client, email="otp@example.com", otp=code, password=NEW).status_code == 200
    assert sign_in(APIClient(), email="otp@example.com", password=NEW).status_code == 200


def test_forgotten_password_never_locks_the_account(api_client, user, mailoutbox):
    for _ in range(3):
        reset(api_client, email="ada@example.com", otp="000000", password=NEW)
    assert sign_in(APIClient()).status_code == 200


def test_password_change_sends_a_notification(api_client, user, mailoutbox):
    access = sign_in(api_client).json()["accessToken"]
    api_client.post(
        "/api/auth/password/change/",
        {"currentPassword": PASSWORD, "newPassword": NEW},
        format="json",
        **bearer(access),
    )
    deliver_due()
    assert [m.subject for m in mailoutbox] == ["Your password was changed"]
    assert "was changed, and every other sign-in was ended" in mailoutbox[0].body


@pytest.mark.parametrize("email", ["john.smith@example.com", "nobody@example.com"])
def test_one_call_reset_does_not_judge_the_password_before_the_code(api_client, db, email):
    # An attacker guesses a code and sends a password built from a guessed name: the answer must
    # not differ between an existing John Smith and an unknown address.
    User.objects.create_user("john.smith@example.com", "john-original-pass-1", name="John Smith")
    send_code(api_client, email, "forget-password")
    for password in ("John Smith", "john.smith@example.com", "short"):  # 3 guesses per code
        response = reset(api_client, email=email, otp="000000", password=password)
        assert (response.status_code, response.json()["code"]) == (400, "INVALID_OTP")
