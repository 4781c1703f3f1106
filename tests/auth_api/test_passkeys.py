"""Passkeys: register, list, rename, delete; sign in with one alone; as a second step; step-up."""

import jwt
import pytest
from rest_framework.test import APIClient

from tests.authenticator import SoftAuthenticator
from tests.two_factor import PASSKEY, access_of, add_passkey, passkey_assertion

pytestmark = pytest.mark.django_db


def _verified(user):
    user.email_verified = True
    user.save()
    return user


def test_register_then_sign_in_with_the_passkey_alone(user):
    _verified(user)
    client = APIClient()
    key = SoftAuthenticator()
    passkey = add_passkey(client, access_of(client), key, name="Laptop")
    assert passkey["name"] == "Laptop"
    browser = APIClient()
    credential = passkey_assertion(browser, key)
    answer = browser.post(PASSKEY + "sign-in/", {"credential": credential}, format="json")
    assert answer.status_code == 200, answer.content
    claims = jwt.decode(answer.json()["accessToken"], options={"verify_signature": False})
    assert claims["amr"] == ["hwk", "mfa"]
    replay = browser.post(PASSKEY + "sign-in/", {"credential": credential}, format="json")
    assert replay.status_code == 401
    assert replay.json()["code"] == "INVALID_PASSKEY"
