"""POST introspect/ attacked: a token that outlived its user, secrets guessed at speed, and the
challenge a refused service is sent."""

import base64

import pytest
from rest_framework.test import APIClient

from tests.helpers import bearer, sign_in
from users.models import User

pytestmark = pytest.mark.django_db

URL = "/api/auth/introspect/"
SECRET = "grades-service-secret-0123456789abcdef"  # service secrets are >= 32 characters
LIMIT = 5


@pytest.fixture(autouse=True)
def _services(settings):
    settings.INTROSPECTION_CLIENTS = f"grades:{SECRET},reports:{'r' * 40}"
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "introspect_ip": (LIMIT, 60)}


def _basic(name: str, secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{name}:{secret}".encode()).decode()}


def _introspect(token: str, credential: dict | None = None, **environ):
    credential = _basic("grades", SECRET) if credential is None else credential
    return APIClient().post(URL, {"token": token}, format="json", **credential, **environ)


@pytest.fixture
def access(api_client, user) -> str:
    signed_in = sign_in(api_client, HTTP_X_REFRESH_TOKEN_TRANSPORT="body")
    token = signed_in.json()["accessToken"]
    assert _introspect(token).json()["active"] is True
    return token


# --- a token that outlived its user ---------------------------------------------------------


def test_a_deactivated_users_token_is_inactive(api_client, user, access):
    User.objects.filter(pk=user.pk).update(is_active=False)  # as the admin's "active" box does
    assert api_client.get("/api/auth/session/", **bearer(access)).status_code == 401
    assert _introspect(access).json() == {"active": False}


def test_a_deleted_users_token_is_inactive(api_client, user, access):
    User.objects.filter(pk=user.pk).delete()
    assert _introspect(access).json() == {"active": False}


def test_a_reactivated_users_token_is_active_again(user, access):
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert _introspect(access).json() == {"active": False}
    User.objects.filter(pk=user.pk).update(is_active=True)  # deactivation ended no sign-in
    assert _introspect(access).json()["active"] is True


# --- guessing a service's secret ------------------------------------------------------------


def test_wrong_secrets_from_one_address_are_rate_limited(access):
    guesses = [
        _introspect(access, _basic("grades", f"guess-{n:030d}"), REMOTE_ADDR="203.0.113.9")
        for n in range(LIMIT + 20)
    ]
    assert [r.status_code for r in guesses[:LIMIT]] == [401] * LIMIT
    assert {r.status_code for r in guesses[LIMIT:]} == {429}
    limited = guesses[-1]
    assert limited.json() == {
        "code": "TOO_MANY_REQUESTS",
        "message": "Too many requests. Try again later.",
    }
    assert 1 <= int(limited["Retry-After"]) <= 60
    # Over the limit the right secret is refused as well: the answer is no oracle for a guess.
    assert _introspect(access, REMOTE_ADDR="203.0.113.9").status_code == 429
    # Another address keeps its own budget.
    assert _introspect(access, REMOTE_ADDR="203.0.113.10").json()["active"] is True


@pytest.mark.parametrize(
    "credential",
    [
        _basic("grades", "wrong"),
        _basic("nobody", SECRET),
        {"HTTP_AUTHORIZATION": "Basic !!!not-base64"},
        {"HTTP_AUTHORIZATION": "Bearer " + SECRET},
        {},
    ],
    ids=["wrong-secret", "unknown-name", "not-base64", "another-scheme", "none"],
)
def test_every_kind_of_failed_credential_spends_the_budget(access, credential):
    answers = [
        _introspect(access, credential, REMOTE_ADDR="203.0.113.11").status_code
        for _ in range(LIMIT + 1)
    ]
    assert answers == [401] * LIMIT + [429]


def test_right_credentials_never_spend_the_budget(access):
    answers = [
        _introspect(access, REMOTE_ADDR="203.0.113.12").status_code for _ in range(LIMIT * 3)
    ]
    assert answers == [200] * (LIMIT * 3)
    # The whole budget of failures is still there after them.
    wrong = _basic("grades", "x" * 32)
    answers = [
        _introspect(access, wrong, REMOTE_ADDR="203.0.113.12").status_code for _ in range(LIMIT + 1)
    ]
    assert answers == [401] * LIMIT + [429]


# --- the challenge --------------------------------------------------------------------------


def test_a_refused_service_is_challenged_for_basic_credentials(access, api_client):
    for credential in ({}, _basic("grades", "wrong")):
        refused = _introspect(access, credential)
        assert refused.status_code == 401
        assert refused.json() == {
            "code": "INVALID_CLIENT",
            "message": "The service credential is missing or wrong.",
        }
        assert refused["WWW-Authenticate"] == 'Basic realm="introspect", charset="UTF-8"'
    # The API's own operations still ask for a Bearer token.
    assert api_client.get("/api/auth/session/")["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_non_ascii_credential_is_a_401_not_a_500(api_client, settings):
    answer = api_client.post(
        "/api/auth/introspect/",
        {"token": "x"},
        format="json",
        HTTP_AUTHORIZATION="Basic \u00e9\u00e9\u00e9\u00e9",
    )
    assert (answer.status_code, answer.json()["code"]) == (401, "INVALID_CLIENT")
