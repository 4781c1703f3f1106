"""Input an attacker chooses never gives a 500: huge bodies, deep JSON, wrong JSON types, junk
forwarding headers. Every answer of the auth API is kept out of caches."""

import json

import pytest
from django.conf import settings
from django.test import override_settings

from tests.helpers import bearer, sign_in
from users.models import User

pytestmark = pytest.mark.django_db


def _error(response) -> tuple[int, str]:
    return response.status_code, response.json()["code"]


@pytest.mark.parametrize("megabytes", [3, 10])
def test_oversized_bodies_answer_413(api_client, megabytes):
    body = json.dumps({"email": "a@example.com", "password": "x" * (megabytes * 1024 * 1024)})
    response = api_client.post("/api/auth/sign-in/", data=body, content_type="application/json")
    assert _error(response) == (413, "PAYLOAD_TOO_LARGE")


def test_oversized_form_to_a_django_view_answers_413(client):
    response = client.post("/admin/login/", data="a" * (2 * 1024 * 1024), content_type="text/plain")
    assert _error(response) == (413, "PAYLOAD_TOO_LARGE")


@pytest.mark.parametrize("depth", [33, 1_000, 100_000])
def test_deeply_nested_json_is_invalid_json(api_client, depth):
    body = "[" * depth + "]" * depth
    for path in ("/api/auth/sign-in/", "/api/auth/sign-out/", "/api/auth/email-otp/send/"):
        response = api_client.post(path, data=body, content_type="application/json")
        assert _error(response) == (400, "INVALID_JSON"), path


def test_nesting_within_the_limit_is_a_plain_validation_error(api_client):
    body = {"email": "a@example.com", "password": [[["x"]]]}
    assert _error(api_client.post("/api/auth/sign-in/", body, format="json"))[0] == 400


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/auth/sign-out/", {"refreshToken": 123}),
        ("/api/auth/refresh/", {"refreshToken": 1.5}),
        ("/api/auth/sign-in/", {"email": "ada@example.com", "password": 12345678}),
        ("/api/auth/sign-in/", {"email": "ada@example.com", "password": "p" * 9, "rememberMe": 1}),
        ("/api/auth/sign-up/", {"name": 7, "email": "n@example.com", "password": "long-enough-1"}),
        (
            "/api/auth/sign-up/",
            {"email": "n@example.com", "password": "long-enough-1", "rememberMe": "yes"},
        ),
        ("/api/auth/email-otp/sign-in/", {"email": "ada@example.com", "otp": 123456}),
        ("/api/auth/password/reset/", {"resetToken": ["x"], "password": "long-enough-1"}),
    ],
)
def test_schema_violating_bodies_are_400(api_client, user, path, body):
    response = api_client.post(path, body, format="json")
    assert response.status_code == 400, response.content
    assert User.objects.count() == 1  # nothing was created from a malformed body


@override_settings(NUM_PROXIES=1, RATE_LIMITS={**settings.RATE_LIMITS, "sign_in_ip": (3, 60)})
def test_per_ip_limit_fails_closed_on_junk_forwarded_for(api_client, user):
    # Behind a proxy, a client that puts junk in X-Forwarded-For has no readable address: such
    # clients share one budget instead of escaping the per-IP limit.
    answers = [
        sign_in(api_client, password="wrong-pass-1", HTTP_X_FORWARDED_FOR=f"junk-{n}").status_code
        for n in range(4)
    ]
    assert answers == [401, 401, 401, 429]
    assert sign_in(api_client, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 200


def test_answers_with_tokens_or_user_data_are_never_stored(api_client, user):
    signed_in = sign_in(api_client)
    access = signed_in.json()["accessToken"]
    answers = [
        signed_in,
        api_client.get("/api/auth/session/", **bearer(access)),
        api_client.get("/api/auth/sessions/", **bearer(access)),
        sign_in(api_client, password="wrong-pass-1"),
        api_client.get("/api/auth/csrf/"),
    ]
    for response in answers:
        assert response["Cache-Control"] == "no-store", response.request["PATH_INFO"]
