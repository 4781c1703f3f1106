"""Input an attacker chooses never gives a 500: huge bodies, deep JSON, wrong JSON types, junk
forwarding headers, a NUL or undecodable bytes in a path. Every answer of the auth API is kept out
of caches."""

import json
import logging
import socket
import time

import pytest
from django.conf import settings
from django.test import override_settings

from tests.helpers import bearer, sign_in
from tests.project.test_health import _get as http_get
from tests.project.test_health import closed_port, live_server
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


# --- paths no file or route can have ------------------------------------------------------------

# A NUL, or bytes that are not UTF-8 (a lone 0xFF, an overlong NUL), anywhere in a path: on the
# web app's assets, its client routes, the API, the admin, the platform's routes and static/.
UNREADABLE_PATHS = [
    "/assets/a%00b.js",
    "/assets/%00",
    "/assets/%ff",
    "/assets/%C0%80.js",
    "/%00",
    "/sign-in%00",
    "/%ff",
    "/robots.txt%00",
    "/api/auth/%00",
    "/api/auth/session/%00",
    "/api/auth/%ff",
    "/admin/%00",
    "/admin/login/%ff",
    "/static/%00",
    "/healthz%00",
]


@pytest.mark.parametrize("path", UNREADABLE_PATHS)
def test_a_nul_or_undecodable_byte_in_any_path_is_a_json_404(client, path, caplog):
    response = client.get(path)
    assert _error(response) == (404, "NOT_FOUND"), path
    assert response.json() == {"code": "NOT_FOUND", "message": "Not found."}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_readable_paths_next_to_them_still_answer(client, built_spa):
    assert client.get("/sign-in").status_code == 200  # the web app's page
    assert client.get("/%E2%9C%93").status_code == 200  # UTF-8 (a check mark) is a fine path
    assert _error(client.get("/api/auth/nothing-here/")) == (404, "NOT_FOUND")


def test_a_live_server_answers_nul_and_undecodable_paths_with_404(tmp_path):
    # Through gunicorn, as production runs it: the path reaches Django as the server decoded it.
    database = f"mysql://root@127.0.0.1:{closed_port()}/authsvc"  # no path here needs it
    with live_server(tmp_path, DATABASE_URL=database) as (base, log_path):
        answers = {path: http_get(base + path) for path in UNREADABLE_PATHS}
        raw = _raw_get(base, b"/assets/\xff\xfe.js")  # bytes sent as they are, not %-encoded
        time.sleep(0.3)  # the last access line is written after the answer
        log = log_path.read_text()
    for path, (status, headers, body, _) in answers.items():
        assert status == 404, (path, status, body[:200])
        assert json.loads(body)["code"] == "NOT_FOUND", path
        assert headers["Content-Type"] == "application/json", path
    # Raw bytes outside ASCII never reach Django: gunicorn refuses the request line itself.
    assert raw.startswith(b"HTTP/1.1 400 "), raw[:200]
    assert "Traceback" not in log and '"status": 500' not in log


def _raw_get(base: str, path: bytes) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(
            b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer
