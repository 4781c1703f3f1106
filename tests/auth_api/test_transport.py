"""How the refresh token travels: a cookie sign-in never gets it in a JSON body, whatever header
a later request sends, and the transport header takes its one documented value or a 400."""

import pytest
from rest_framework.test import APIClient

from auth_api.models import OneTimeCode
from tests.helpers import PASSWORD, bearer, sign_in

pytestmark = pytest.mark.django_db

BODY = {"HTTP_X_REFRESH_TOKEN_TRANSPORT": "body"}


def test_step_up_of_a_cookie_sign_in_never_puts_the_refresh_token_in_json(
    api_client, user, settings
):
    access = sign_in(api_client).json()["accessToken"]  # a browser: the cookie
    answer = api_client.post(
        "/api/auth/reauthenticate/", {"password": PASSWORD}, format="json", **bearer(access), **BODY
    )
    assert answer.status_code == 200
    assert "refreshToken" not in answer.json()


@pytest.mark.parametrize("transport", [{}, BODY])
def test_an_access_token_never_buys_its_sign_ins_refresh_token(user, settings, transport):
    """A thief with a fresh access token alone (no cookie): step-up answers new access tokens,
    never the refresh token, in a body or a cookie, whatever transport the sign-in has."""
    signed_in = sign_in(APIClient(), **transport).json()
    thief = APIClient()
    answer = thief.post(
        "/api/auth/reauthenticate/",
        {"password": PASSWORD},
        format="json",
        **bearer(signed_in["accessToken"]),
        **transport,
    )
    assert answer.status_code == 200 and answer.json()["accessToken"]
    assert "refreshToken" not in answer.json()
    assert settings.REFRESH_COOKIE_NAME not in answer.cookies


def test_a_refresh_of_a_cookie_sign_in_answers_with_the_cookie(api_client, user, settings):
    sign_in(api_client)
    token = api_client.cookies[settings.REFRESH_COOKIE_NAME].value
    answer = api_client.post("/api/auth/refresh/", {"refreshToken": token}, format="json")
    assert answer.status_code == 200
    assert "refreshToken" not in answer.json()


@pytest.mark.parametrize("value", ["cookie", "BODY!", "json"])
def test_another_transport_value_is_refused_before_anything_is_done(api_client, user, value):
    answer = api_client.post(
        "/api/auth/email-otp/send/",
        {"email": "ada@example.com", "type": "sign-in"},
        format="json",
        HTTP_X_REFRESH_TOKEN_TRANSPORT=value,
    )
    assert (answer.status_code, answer.json()["code"]) == (400, "VALIDATION_ERROR")
    assert "X-Refresh-Token-Transport" in answer.json()["fields"]
    assert not OneTimeCode.objects.exists()
