from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    return yaml.safe_load(out.read_text())


def test_committed_openapi_matches_generated(schema):
    committed = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    assert committed == schema, "openapi.yaml is stale: run ./scripts/openapi"


EXPECTED = {
    ("/api/auth/sign-up/", "post"),
    ("/api/auth/sign-in/", "post"),
    ("/api/auth/refresh/", "post"),
    ("/api/auth/sign-out/", "post"),
    ("/api/auth/session/", "get"),
    ("/api/auth/csrf/", "get"),
    ("/api/auth/password/change/", "post"),
    ("/api/auth/sessions/", "get"),
    ("/api/auth/sessions/{id}/", "delete"),
    ("/api/auth/email-otp/send/", "post"),
    ("/api/auth/email-otp/sign-in/", "post"),
    ("/api/auth/email-otp/verify-email/", "post"),
    ("/api/auth/email-otp/check/", "post"),
    ("/api/auth/password/reset/", "post"),
}


def test_every_endpoint_is_documented_with_error_schemas(schema):
    operations = {(p, m) for p, item in schema["paths"].items() for m in item}
    assert operations >= EXPECTED
    for path, method in EXPECTED:
        responses = schema["paths"][path][method]["responses"]
        errors = [s for s in responses if s.startswith(("4", "5"))]
        if path != "/api/auth/csrf/":
            assert errors, f"{method} {path} documents no error"
        for status in errors:
            content = responses[status]["content"]["application/json"]
            assert content["schema"]["$ref"].endswith("/Error")
            assert content["examples"], f"{method} {path} {status} has no example"


def test_docs_and_schema_are_served(client, db):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


def test_every_error_code_of_the_contract_is_documented(schema):
    text = yaml.safe_dump(schema)
    for code in [
        "INVALID_OTP",
        "OTP_EXPIRED",
        "TOO_MANY_ATTEMPTS",
        "INVALID_TOKEN",
        "INVALID_OTP_TYPE",
        "USER_ALREADY_EXISTS",
        "REFRESH_TOKEN_REUSED",
        "CSRF_FAILED",
        "INVALID_EMAIL_OR_PASSWORD",
        "INVALID_PASSWORD",
        "NOT_FOUND",
        "TOO_MANY_REQUESTS",
    ]:
        assert f"code: {code}" in text, code
