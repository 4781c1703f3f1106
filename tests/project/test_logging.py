"""Log lines: one JSON object each, the request id on every line of a request, one access line per
request, and never a password, a code, a token or a cookie value (every flow driven over HTTP)."""

import io
import json
import logging
import re
import sys

import pytest
from rest_framework.test import APIClient

from observability.logs import JsonFormatter, RequestIdFilter
from tests.helpers import bearer, csrf_headers, deliver_and_read_code, refresh, send_code, sign_in


@pytest.fixture
def log_lines():
    """Every record of every logger, at every level, formatted as production formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def test_a_sane_request_id_is_kept_and_echoed(client, log_lines):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="edge-7f3a9c21:0001")
    assert response["X-Request-ID"] == "edge-7f3a9c21:0001"
    (line,) = [line for line in log_lines() if line["name"] == "authsvc.access"]
    assert line["request_id"] == "edge-7f3a9c21:0001"
    assert (line["method"], line["route"], line["path"], line["status"]) == (
        "GET",
        "healthz",
        "/healthz",
        200,
    )
    assert line["client_ip"] == "127.0.0.1" and line["duration_ms"] >= 0
    assert set(line) >= {"time", "level", "message"}


def test_a_unicode_line_separator_in_the_path_stays_inside_its_line(client, log_lines):
    path = '/api/zz\u2028{"level":"CRITICAL"}\x85é'
    client.get(path)
    (line,) = [line for line in log_lines() if line["name"] == "authsvc.access"]  # one record
    assert line["path"] == path and line["level"] == "INFO"


@pytest.mark.parametrize(
    "offered",
    ["", "short", "has space 12345", "line\nbreak-12345", "x" * 129, "é-non-ascii-123", "-lead12"],
)
def test_any_other_request_id_is_replaced(client, offered):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=offered)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_every_line_of_a_request_carries_its_id(client, log_lines, monkeypatch):
    from project import health

    def broken() -> dict:
        logging.getLogger("project.health").warning("checking something that fails")
        raise ConnectionError

    monkeypatch.setattr(health, "CHECKS", {"cache": broken})
    client.get("/readyz?token=abc", HTTP_X_REQUEST_ID="req-0000-1111")
    lines = log_lines()
    # A line from the check's own thread, the access line, and Django's "Service Unavailable"
    # line (written after the middleware returned): all with the request's id.
    names = {line["name"] for line in lines if line["request_id"] == "req-0000-1111"}
    assert names == {"project.health", "authsvc.access", "django.request"}
    assert all(line["request_id"] == "req-0000-1111" for line in lines)
    assert "token=abc" not in json.dumps(lines)  # paths only, never the query string


@pytest.mark.django_db
def test_no_password_code_token_or_cookie_in_any_line(log_lines, mailoutbox, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    secrets: set[str] = set()
    password, new_password = "juniper-violin-orbit-82", "saffron-glacier-meteor-17"
    client = APIClient(enforce_csrf_checks=True)

    def keep(response):
        body = response.json() if response.content else {}
        for key in ("accessToken", "resetToken", "flowToken", "deviceToken", "refreshToken"):
            if isinstance(body, dict) and body.get(key):
                secrets.add(body[key])
        secrets.update(morsel.value for morsel in response.cookies.values() if morsel.value)
        return response

    up = keep(
        client.post(
            "/api/auth/sign-up/",
            {"email": "lin@example.com", "password": password, "name": "Lin"},
            format="json",
        )
    )
    assert up.status_code == 201
    assert sign_in(APIClient(), "lin@example.com", "wrong-but-close-82").status_code == 401
    signed_in = keep(sign_in(client, "lin@example.com", password))
    assert signed_in.status_code == 200
    assert keep(refresh(client)).status_code == 200
    access = signed_in.json()["accessToken"]

    keep(send_code(client, "lin@example.com", "email-verification", **bearer(access)))
    code = deliver_and_read_code(mailoutbox, "lin@example.com")
    verified = client.post(
        "/api/auth/email-otp/verify-email/",
        {"email": "lin@example.com", "otp": code},
        format="json",
        **bearer(access),
    )
    assert keep(verified).status_code == 200
    secrets.add(code)

    stranger = APIClient(enforce_csrf_checks=True)
    keep(send_code(stranger, "lin@example.com", "sign-in"))
    code = deliver_and_read_code(mailoutbox, "lin@example.com")
    body = {"email": "lin@example.com", "otp": "000000" if code != "000000" else "111111"}
    assert stranger.post("/api/auth/email-otp/sign-in/", body, format="json").status_code == 400
    body["otp"] = code
    answer = keep(stranger.post("/api/auth/email-otp/sign-in/", body, format="json"))
    assert answer.status_code == 200
    secrets.add(code)

    keep(send_code(client, "lin@example.com", "forget-password"))
    code = deliver_and_read_code(mailoutbox, "lin@example.com")
    body = {"email": "lin@example.com", "type": "forget-password", "otp": code}
    reset_token = keep(client.post("/api/auth/email-otp/check/", body, format="json"))
    body = {"resetToken": reset_token.json()["resetToken"], "password": new_password}
    answer = keep(client.post("/api/auth/password/reset/", body, format="json"))
    assert answer.status_code == 200
    secrets.add(code)
    assert keep(sign_in(client, "lin@example.com", new_password)).status_code == 200
    headers = csrf_headers(client)
    keep(client.post("/api/auth/sign-out/", format="json", **headers))
    secrets.update({password, new_password, "wrong-but-close-82", headers["HTTP_X_CSRFTOKEN"]})

    lines = log_lines()
    access = [line for line in lines if line["name"] == "authsvc.access"]
    assert len(access) == 16  # one per request: the capture saw the whole run
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    assert len(secrets) >= 14
    leaked = [secret for secret in secrets if secret in text]
    assert leaked == []
    # Nor any part of a token long enough to matter (e.g. a JWT's signature on its own).
    for secret in (s for s in secrets if s.count(".") == 2):
        assert all(part not in text for part in secret.split(".") if len(part) > 20)


@pytest.mark.parametrize("path", ["/api/auth/session/", "/healthz", "/api/auth/jwks/", "/admin/"])
def test_a_disallowed_host_is_one_warning_line_without_a_traceback(client, log_lines, path):
    """Refused on the API's lean path and on pages alike."""
    response = client.get(path, HTTP_HOST="evil.example")
    assert response.status_code == 400 and response.json()["code"] == "BAD_REQUEST"
    (line,) = [line for line in log_lines() if line["name"] == "django.security.DisallowedHost"]
    assert line["level"] == "WARNING" and "exc_info" not in line


def test_the_development_servers_own_line_per_request_is_dropped(log_lines):
    # As runserver's request handler logs each answer (a 4xx at WARNING), after the access line.
    server = logging.getLogger("django.server")
    request_line = "GET /api/auth/session/ HTTP/1.1"
    server.warning('"%s" %s %s', request_line, "401", "61", extra={"status_code": 401})
    server.error("You're accessing the development server over HTTPS.", extra={"status_code": 500})
    assert [(line["name"], line["message"]) for line in log_lines()] == [
        ("django.server", "You're accessing the development server over HTTPS.")
    ]


@pytest.mark.parametrize(
    ("path", "route"),
    [
        ("/settings", "spa"),
        ("/", "spa"),
        ("/assets/app-abc123.js", "spa-asset"),
        ("/robots.txt", "robots"),
    ],
)
def test_web_app_requests_are_logged_by_a_readable_route(client, built_spa, log_lines, path, route):
    client.get(path)
    (line,) = [line for line in log_lines() if line["name"] == "authsvc.access"]
    assert (line["route"], line["path"]) == (route, path)


@pytest.mark.parametrize(
    ("message", "args", "extra"),
    [
        ("%s %s %s", ("GET", "healthz", 200), {"method": "GET", "status": 200, "duration_ms": 0.4}),
        ("plain", (), {}),
        ("%d%%", (5,), {"request": object(), "_private": 1, "client_ip": None}),
        ("path %s", ("/a\u2028b",), {"path": "/é\u2029", "request_id": "req-0000-2222"}),
        ("nested", (), {"fields": {"email": ["Enter a valid email."]}, "count": [1, 2]}),
        ("a number for a key", (), {1: "x"}),
    ],
)
def test_the_direct_line_is_python_json_loggers_line(message, args, extra):
    """The formatter's direct path writes what python-json-logger's own path writes."""
    formatter = JsonFormatter()
    record = logging.getLogger("authsvc.test").makeRecord(
        "authsvc.test", logging.INFO, "(unknown file)", 0, message, args, None, extra=extra
    )
    RequestIdFilter().filter(record)
    direct = formatter.format(record)
    formatter._direct = False
    assert direct == formatter.format(record)
    assert direct.isascii() and json.loads(direct)["message"] == record.getMessage()


def test_a_traceback_takes_python_json_loggers_path():
    formatter = JsonFormatter()
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("t").makeRecord(
            "t", logging.ERROR, "(unknown file)", 0, "failed", (), sys.exc_info()
        )
    line = json.loads(formatter.format(record))
    assert line["message"] == "failed" and "ValueError: boom" in line["exc_info"]


def test_gunicorns_own_access_fields_are_gathered_only_for_its_access_log():
    """The app writes the access line; gunicorn's logger builds its own only when asked to."""
    from gunicorn.config import Config

    from project import gunicorn_conf

    logger = gunicorn_conf.AppAccessLog.__new__(gunicorn_conf.AppAccessLog)  # no logging set-up
    logger.cfg = Config()
    logger.cfg.set("logconfig_dict", gunicorn_conf.logconfig_dict)
    assert logger.access_log_enabled is False
    logger.cfg.set("accesslog", "-")
    assert logger.access_log_enabled is True


@pytest.mark.parametrize("path", ["/healthz", "/api/zz\u2028é"])
def test_the_direct_access_line_is_the_logging_calls_line(path):
    """Under the service's own configuration the access line skips the logging call; what it
    writes is that call's line, and any other configuration gets the call itself."""
    from observability.logs import AccessLog, bind_request_id, unbind_request_id

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    access = AccessLog("authsvc.access")
    fields = {"method": "GET", "route": "r", "path": path, "status": 200, "duration_ms": 0.3}
    handlers, level = logging.root.handlers, access.logger.level
    logging.root.handlers = [handler]
    access.logger.setLevel(logging.INFO)
    bound = bind_request_id("req-1234-5678")
    try:
        assert access._direct_handler() is handler
        access.write("GET", "r", 200, fields)
        logging.root.handlers = [handler, logging.NullHandler()]
        assert access._direct_handler() is None
        access.write("GET", "r", 200, fields)
    finally:
        unbind_request_id(bound)
        logging.root.handlers = handlers
        access.logger.setLevel(level)
    direct, logged = stream.getvalue().splitlines()
    # The same line but for the time, which may have passed a second in between.
    strip = re.compile(r'"time": ?"[^"]+"')
    assert strip.sub("", direct) == strip.sub("", logged)
    assert re.match(r'\{"time": ?"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", ?"level"', direct)
    assert json.loads(direct)["request_id"] == "req-1234-5678" and direct.isascii()


@pytest.mark.parametrize(
    "change",
    [
        lambda handler, logger: handler.addFilter(logging.Filter("other")),
        lambda handler, logger: handler.setLevel(logging.WARNING),
        lambda handler, logger: handler.setFormatter(logging.Formatter("%(message)s")),
        lambda handler, logger: logger.addFilter(logging.Filter("other")),
        lambda handler, logger: logger.addHandler(logging.NullHandler()),
        lambda handler, logger: setattr(logger, "propagate", False),
    ],
)
def test_any_other_configuration_takes_the_logging_call(change):
    from observability.logs import AccessLog

    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    access = AccessLog("authsvc.test-access")
    handlers = logging.root.handlers
    logging.root.handlers = [handler]
    try:
        assert access._direct_handler() is handler
        change(handler, access.logger)
        assert access._direct_handler() is None
    finally:
        logging.root.handlers = handlers
        access.logger.handlers, access.logger.filters, access.logger.propagate = [], [], True


def test_a_failing_log_stream_never_fails_the_request(client):
    """A closed or full pipe loses the access line (logging reports it), not the answer."""

    class Broken(io.StringIO):
        def write(self, text):
            raise BrokenPipeError

    handler = logging.StreamHandler(Broken())
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    access = logging.getLogger("authsvc.access")
    handlers, level, raising = logging.root.handlers, access.level, logging.raiseExceptions
    logging.root.handlers = [handler]
    access.setLevel(logging.INFO)
    logging.raiseExceptions = False  # logging's own report of the failure: not under test
    try:
        assert client.get("/healthz").status_code == 200
    finally:
        logging.root.handlers = handlers
        access.setLevel(level)
        logging.raiseExceptions = raising
