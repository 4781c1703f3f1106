import pytest
from rest_framework.test import APIClient

from auth_api.tokens.claims import decode_access_token
from emailing.delivery import deliver_due
from tests.helpers import bearer, deliver_and_read_code, send_code
from users.models import User

pytestmark = pytest.mark.django_db

URL = "/api/auth/sign-up/"


def sign_up(client, **overrides):
    body = {"name": "Grace Hopper", "email": "grace@example.com", "password": "cobol-compiler-1959"}
    body.update(overrides)
    return client.post(URL, body, format="json")


@pytest.mark.real_hashers
def test_sign_up_creates_student_and_signs_in(api_client, cookie_name):
    response = sign_up(api_client)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"user", "accessToken", "accessTokenExpiresAt"}
    assert body["user"]["role"] == "student"
    assert body["user"]["emailVerified"] is False
    assert set(body["user"]) == {
        "id",
        "email",
        "name",
        "role",
        "emailVerified",
        "twoFactorEnabled",
        "image",
        "createdAt",
        "updatedAt",
    }
    assert body["user"]["twoFactorEnabled"] is False
    assert cookie_name in response.cookies
    user = User.objects.get(email="grace@example.com")
    assert user.check_password("cobol-compiler-1959")
    assert user.password.startswith("argon2$argon2id$")
    assert len(user.id) == 32 and user.id.isalnum()


def test_sign_up_teacher_role_is_stored_and_in_the_token(api_client):
    response = sign_up(api_client, role="teacher")
    assert response.json()["user"]["role"] == "teacher"
    claims = decode_access_token(response.json()["accessToken"])
    assert claims.role == "teacher"
    assert claims.email_verified is False


def test_sign_up_lower_cases_and_trims_email(api_client):
    response = sign_up(api_client, email="  Grace.HOPPER@Example.COM ")
    assert response.json()["user"]["email"] == "grace.hopper@example.com"


@pytest.mark.parametrize("email", ["grace@example.com", "GRACE@EXAMPLE.COM", " Grace@Example.com"])
def test_sign_up_existing_email_in_any_case_is_422(api_client, email):
    assert sign_up(api_client).status_code == 201
    response = sign_up(api_client, email=email, password="another-pass-phrase-2")
    assert response.status_code == 422
    assert response.json()["code"] == "USER_ALREADY_EXISTS"
    assert User.objects.count() == 1


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@b.com", "a b@c.com", "a..b@c.com", ""])
def test_sign_up_invalid_email(api_client, email):
    response = sign_up(api_client, email=email)
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_EMAIL"
    assert "email" in response.json()["fields"]


def test_sign_up_missing_email_is_invalid_email(api_client):
    response = api_client.post(URL, {"name": "x", "password": "cobol-compiler-1959"}, format="json")
    assert response.json()["code"] == "INVALID_EMAIL"


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short1!", "PASSWORD_TOO_SHORT"),
        ("", "PASSWORD_TOO_SHORT"),
        ("x" * 129, "PASSWORD_TOO_LONG"),
        ("password123", "PASSWORD_TOO_COMMON"),
        ("grace@example.com", "PASSWORD_TOO_SIMILAR"),
        ("Grace Hopper", "PASSWORD_TOO_SIMILAR"),
    ],
)
def test_sign_up_password_rules_each_have_a_code(api_client, password, code):
    response = sign_up(api_client, password=password)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["fields"]["password"]
    assert not User.objects.exists()


def test_password_of_exactly_8_and_128_characters_is_accepted(api_client):
    assert sign_up(api_client, password="qz8!kv3m").status_code == 201
    assert sign_up(api_client, email="b@example.com", password="k" * 127 + "q").status_code == 201


def test_sign_up_invalid_role(api_client):
    response = sign_up(api_client, role="admin")
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_ROLE"


def test_sign_up_does_not_enumerate_via_password_errors_before_duplicate(api_client):
    sign_up(api_client)
    response = sign_up(api_client, password="short")
    assert response.json()["code"] == "PASSWORD_TOO_SHORT"


def test_sign_up_remember_me_false_gives_session_cookie(api_client, cookie_name):
    response = sign_up(api_client, rememberMe=False)
    assert response.cookies[cookie_name]["max-age"] == ""


VERIFY_URL = "/api/auth/email-otp/verify-email/"


def test_sign_up_mails_a_verification_code_bound_to_the_client(api_client, mailoutbox):
    body = sign_up(api_client).json()
    code = deliver_and_read_code(mailoutbox, "grace@example.com")
    assert "verify your email" in mailoutbox[0].body
    # Another client (no flow cookie) cannot spend it; the signing-up browser can.
    stranger = APIClient()
    answer = stranger.post(VERIFY_URL, {"email": "grace@example.com", "otp": code}, format="json")
    assert answer.json()["code"] == "INVALID_OTP"
    verified = api_client.post(
        VERIFY_URL,
        {"email": "grace@example.com", "otp": code},
        format="json",
        **bearer(body["accessToken"]),
    )
    assert verified.status_code == 200
    assert verified.json()["user"]["emailVerified"] is True


def test_body_transport_sign_up_gets_a_flow_token(api_client, mailoutbox):
    response = api_client.post(
        URL,
        {"name": "G", "email": "grace@example.com", "password": "cobol-compiler-1959"},
        format="json",
        HTTP_X_REFRESH_TOKEN_TRANSPORT="body",
    )
    body = response.json()
    code = deliver_and_read_code(mailoutbox, "grace@example.com")
    verified = APIClient().post(
        VERIFY_URL,
        {"email": "grace@example.com", "otp": code, "flowToken": body["flowToken"]},
        format="json",
        **bearer(body["accessToken"]),
    )
    assert verified.status_code == 200
    assert verified.json()["user"]["emailVerified"] is True


def test_no_code_when_verification_on_sign_up_is_off(api_client, mailoutbox, settings):
    settings.SEND_VERIFICATION_ON_SIGN_UP = False
    response = sign_up(api_client)
    assert response.status_code == 201
    assert "flowToken" not in response.json()
    deliver_due()
    assert mailoutbox == []


def test_the_sign_up_code_counts_against_the_addresss_mail_ceiling(mailoutbox, settings):
    # Sign up, delete, sign up again ...: each sign-up's code is mail to that address like any
    # other, so the per-address ceiling bounds it; over it the account is made, no code is sent.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "otp_send_address_no_sign_in": (2, 3600)}
    for index in range(2):
        stranger = {"REMOTE_ADDR": f"127.0.0.{index + 2}"}
        answer = send_code(APIClient(), "grace@example.com", "email-verification", **stranger)
        assert answer.status_code == 200  # for no account yet: counted, never mailed
    deliver_due()
    response = sign_up(APIClient(REMOTE_ADDR="127.0.0.9"))
    assert response.status_code == 201 and "flowToken" not in response.json()
    deliver_due()
    assert mailoutbox == []
