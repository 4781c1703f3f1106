"""Helpers for tests of second factors: enrol a user's authenticator, compute its codes, answer
a pending sign-in, register passkeys with the software authenticator."""

import time
from urllib.parse import parse_qs, urlsplit

import pyotp
from rest_framework.test import APIClient

import clock
from tests.authenticator import SoftAuthenticator
from tests.helpers import PASSWORD, bearer, sign_in

TWO_FACTOR = "/api/auth/two-factor/"
PASSKEY = "/api/auth/passkey/"


def secret_of(totp_uri: str) -> str:
    return parse_qs(urlsplit(totp_uri).query)["secret"][0]


def code_at(secret: str, offset_steps: int = 0) -> str:
    """The authenticator app's code now (by the service's clock), or `offset_steps` away. A code
    of an earlier step is at the edge of the service's ±1 window: it is computed clear of a step's
    end, so that the request which carries it is judged in the same step."""
    if offset_steps < 0:
        left = 30 - clock.time() % 30
        if left < 1:
            time.sleep(left + 0.05)
    return pyotp.TOTP(secret).at(clock.time(), counter_offset=offset_steps)


def access_of(client: APIClient, email: str = "ada@example.com", password: str = PASSWORD) -> str:
    answer = sign_in(client, email, password)
    assert answer.status_code == 200, answer.content
    return answer.json()["accessToken"]


def enable_totp(client: APIClient, access: str, password: str | None = PASSWORD) -> dict:
    """Turn two-factor on for the signed-in caller: {secret, backupCodes}. It confirms with the
    previous step's code (inside the ±1 step window), so the current step's code is still
    unused for the test's next sign-in."""
    body = {"password": password} if password is not None else {}
    enabled = client.post(TWO_FACTOR + "enable/", body, format="json", **bearer(access))
    assert enabled.status_code == 200, enabled.content
    secret = secret_of(enabled.json()["totpURI"])
    confirmed = client.post(
        TWO_FACTOR + "verify-totp/", {"code": code_at(secret, -1)}, format="json", **bearer(access)
    )
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["user"]["twoFactorEnabled"] is True
    return {"secret": secret, "backupCodes": enabled.json()["backupCodes"]}


def add_passkey(client: APIClient, access: str, key: SoftAuthenticator, name: str = "") -> dict:
    options = client.post(PASSKEY + "registration-options/", **bearer(access))
    assert options.status_code == 200, options.content
    body = {"credential": key.create(options.json()), "name": name}
    added = client.post(PASSKEY + "register/", body, format="json", **bearer(access))
    assert added.status_code == 201, added.content
    return added.json()["passkey"]


def passkey_assertion(client: APIClient, key: SoftAuthenticator, **kwargs) -> dict:
    """Request options for this client, then the authenticator's answer to them."""
    options = client.post(PASSKEY + "authentication-options/", {}, format="json")
    assert options.status_code == 200, options.content
    return key.get(options.json(), **kwargs)


class JsonClient(APIClient):
    """A client whose bodies are JSON unless a call says otherwise."""

    default_format = "json"
