"""Every failure answers {code, message}: unknown routes, wrong methods, bad bodies, DB outages."""

from contextlib import contextmanager

import pytest
from django.db import DatabaseError, connection

from auth_api.models import SignIn
from tests.helpers import sign_in
from users.models import User

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    return body


@pytest.mark.parametrize("path", ["/api/nope/", "/api/auth/nope/", "/nothing-here"])
def test_unknown_routes_answer_json_404(api_client, path, monkeypatch, tmp_path):
    from project import spa

    monkeypatch.setattr(spa, "DIST_DIR", tmp_path / "not-built")  # no web app build
    assert_error(api_client.get(path), 404, "NOT_FOUND")


def test_wrong_method_answers_json_405(api_client):
    body = assert_error(api_client.get("/api/auth/sign-in/"), 405, "METHOD_NOT_ALLOWED")
    assert "GET" in body["message"]


def test_malformed_json_is_invalid_json(api_client):
    response = api_client.post(
        "/api/auth/sign-in/", data="{not json", content_type="application/json"
    )
    assert_error(response, 400, "INVALID_JSON")


def test_form_encoded_body_is_415(api_client):
    response = api_client.post("/api/auth/sign-in/", {"email": "a@b.co", "password": "x"})
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


@pytest.mark.parametrize("body", ['["a"]', '"text"', "42", "null"])
def test_non_object_json_is_validation_error(api_client, body):
    response = api_client.post("/api/auth/sign-in/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] in {"VALIDATION_ERROR", "INVALID_EMAIL"}


def test_lone_surrogate_is_rejected_not_a_500(api_client):
    raw = '{"name": "\\ud800", "email": "s@example.com", "password": "surrogate-pass-1"}'
    response = api_client.post("/api/auth/sign-up/", data=raw, content_type="application/json")
    assert_error(response, 400, "INVALID_JSON")
    assert not User.objects.exists()


def test_wrong_types_are_validation_errors(api_client):
    response = api_client.post(
        "/api/auth/sign-up/",
        {"name": ["x"], "email": "a@b.co", "password": 12345678},
        format="json",
    )
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert "name" in body["fields"]


@contextmanager
def _failing_insert(model):
    """The database refuses every INSERT into the model's table (as a lost connection would)."""
    table = model._meta.db_table

    def refuse(execute, sql, params, many, context):
        if sql.startswith("INSERT") and table in sql:
            raise DatabaseError("connection lost")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


def test_database_failure_is_generic_503_with_no_token_and_no_partial_row(api_client, user):
    with _failing_insert(SignIn):
        response = sign_in(api_client)
    body = assert_error(response, 503, "SERVICE_UNAVAILABLE")
    assert "connection lost" not in str(body)
    assert "accessToken" not in body
    assert not response.cookies
    assert not SignIn.objects.exists()


def test_sign_up_database_failure_leaves_no_user(api_client, db):
    with _failing_insert(SignIn):
        response = api_client.post(
            "/api/auth/sign-up/",
            {"name": "", "email": "half@example.com", "password": "half-written-pass-1"},
            format="json",
        )
    assert_error(response, 503, "SERVICE_UNAVAILABLE")
    assert not User.objects.filter(email="half@example.com").exists()


def test_unexpected_exception_is_generic_500(api_client, user, monkeypatch):
    from auth_api.views import sign_in as sign_in_views

    monkeypatch.setattr(sign_in_views, "sign_in_by_password", lambda **kw: 1 / 0)
    body = assert_error(sign_in(api_client), 500, "INTERNAL_ERROR")
    assert "division" not in body["message"]


def test_secrets_never_echoed_in_errors(api_client, user):
    response = sign_in(api_client, password="my-secret-guess-77")
    assert "my-secret-guess-77" not in response.content.decode()
