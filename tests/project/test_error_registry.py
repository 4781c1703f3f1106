"""One code, one status, one message: the registry, the contract and every layer agree."""

from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from auth_api.permissions import HasRole, IsEmailVerified
from tests.helpers import csrf_headers, sign_in
from users.errors import DomainError

ROOT = Path(__file__).resolve().parents[2]


def _documented_examples() -> dict[str, set[tuple[int, str]]]:
    """code -> {(status, message)} over every error example of the committed openapi.yaml."""
    schema = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    found: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for item in schema["paths"].values():
        for operation in item.values():
            for status, response in operation.get("responses", {}).items():
                examples = response.get("content", {}).get("application/json", {})
                for example in examples.get("examples", {}).values():
                    value = example["value"]
                    if isinstance(value, dict) and "code" in value:
                        found[value["code"]].add((int(status), value["message"]))
    return found


def _declared_statuses(error: type[DomainError]) -> set[int]:
    """The registered class's status, and those of its subclasses that keep its code (the one
    case: INVALID_PASSKEY is 401 at a sign-in and 400 when a new passkey is refused)."""
    return {error.status} | {
        status for sub in error.__subclasses__() for status in _declared_statuses(sub)
    }


def test_every_documented_code_has_one_message_and_only_declared_statuses():
    documented = _documented_examples()
    assert documented, "openapi.yaml documents no error example"
    for code, variants in documented.items():
        registered = DomainError.registry[code]
        assert {message for _, message in variants} == {registered.example_text()}, code
        statuses = {status for status, _ in variants}
        assert registered.status in statuses, code
        assert statuses <= _declared_statuses(registered), f"{code}: {sorted(statuses)}"


def test_only_invalid_passkey_has_a_second_status():
    several = {
        code for code, error in DomainError.registry.items() if len(_declared_statuses(error)) > 1
    }
    assert several == {"INVALID_PASSKEY"}


def test_every_code_is_defined_once():
    # __init_subclass__ refuses a second class for a code; make sure that guard bites.
    with pytest.raises(TypeError, match="NOT_FOUND"):

        class Again(DomainError):
            code = "NOT_FOUND"


def _answer(response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["code"], body["message"]


def _registered(code: str, **params: str) -> tuple[int, str, str]:
    error = DomainError.registry[code]
    return error.status, code, error(**params).text


@pytest.mark.django_db
def test_not_found_reads_the_same_from_every_layer(api_client, user, monkeypatch, tmp_path):
    from project import spa

    monkeypatch.setattr(spa, "DIST_DIR", tmp_path)  # no web app build
    access = sign_in(api_client).json()["accessToken"]
    answers = {
        _answer(api_client.get("/api/nope/")),  # Django's handler404
        _answer(api_client.get("/no-such-page")),  # the web app's catch-all
        _answer(api_client.get("/assets/missing.js")),
        _answer(
            api_client.delete("/api/auth/sessions/unknown/", HTTP_AUTHORIZATION=f"Bearer {access}")
        ),  # a flow's domain error
    }
    assert answers == {_registered("NOT_FOUND")}


@pytest.mark.django_db
def test_csrf_failure_reads_the_same_from_every_layer(api_client, user):
    sign_in(api_client)
    from_api = _answer(api_client.post("/api/auth/refresh/", format="json"))
    # The admin login form is a plain Django view: Django's CSRF middleware answers there.
    from_django = _answer(api_client.post("/admin/login/", {"username": "x", "password": "y"}))
    assert from_api == from_django == _registered("CSRF_FAILED")


@pytest.mark.django_db
def test_method_not_allowed_reads_the_same_from_every_layer(api_client, client):
    from_api = _answer(api_client.get("/api/auth/sign-in/"))
    from_spa = _answer(client.delete("/anything"))  # no CSRF check in the way
    assert from_api == _registered("METHOD_NOT_ALLOWED", method="GET")
    assert from_spa == _registered("METHOD_NOT_ALLOWED", method="DELETE")


@pytest.mark.django_db
def test_token_and_validation_errors_answer_their_registered_message(api_client, user):
    headers = csrf_headers(api_client)
    cases = {
        "TOKEN_INVALID": api_client.get("/api/auth/session/", HTTP_AUTHORIZATION="Bearer x.y.z"),
        "NOT_AUTHENTICATED": api_client.get("/api/auth/session/"),
        "INVALID_REFRESH_TOKEN": api_client.post("/api/auth/refresh/", format="json", **headers),
        "INVALID_EMAIL": sign_in(api_client, email="not-an-email"),
        "INVALID_EMAIL_OR_PASSWORD": sign_in(api_client, password="wrong-password-1"),
        "INVALID_JSON": api_client.post(
            "/api/auth/sign-in/", data="{", content_type="application/json"
        ),
        "VALIDATION_ERROR": api_client.post(
            "/api/auth/sign-in/", {"email": "ada@example.com"}, format="json"
        ),
        "PASSWORD_TOO_SHORT": api_client.post(
            "/api/auth/sign-up/",
            {"name": "", "email": "short@example.com", "password": "short"},
            format="json",
        ),
    }
    for code, response in cases.items():
        assert _answer(response) == _registered(code), code


class _VerifiedTeachersOnly(APIView):
    permission_classes = [HasRole("teacher"), IsEmailVerified]

    def get(self, request):
        return Response({"ok": True})


@pytest.mark.django_db
def test_authentication_and_permission_refusals_answer_their_registered_message(api_client, user):
    # authentication.py and permissions.py write no text of their own: the registry's it is.
    unverified = sign_in(api_client).json()["accessToken"]
    malformed = api_client.get("/api/auth/session/", HTTP_AUTHORIZATION="Bearer two parts")
    assert _answer(malformed) == _registered("TOKEN_INVALID")
    refused = _VerifiedTeachersOnly.as_view()(
        APIRequestFactory().get("/x", HTTP_AUTHORIZATION=f"Bearer {unverified}")
    )
    assert (refused.status_code, refused.data["code"], refused.data["message"]) == _registered(
        "PERMISSION_DENIED"
    )
