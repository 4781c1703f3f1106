"""/healthz and /readyz: in process, and on a live gunicorn server whose database or Redis is a
closed port (refused at once) or a port that accepts and never answers (a hung server)."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.urls import resolve
from django.utils import timezone

from emailing.models import EmailKind, OutboxMessage
from emailing.services import email_enqueue

ROOT = Path(__file__).resolve().parents[2]
CHECKS = {"database", "cache", "signingKeys", "outbox"}
METRICS_TOKEN = "in-process-metrics-token-0123456789"
WITH_TOKEN = {"HTTP_AUTHORIZATION": f"Bearer {METRICS_TOKEN}"}


@pytest.fixture(autouse=True)
def fresh_readiness(settings):
    """Every probe of these tests runs its own round of checks (unless a test says otherwise)."""
    from project import health

    settings.READINESS_CACHE_SECONDS = 0
    settings.METRICS_TOKEN = METRICS_TOKEN
    health.forget_readiness()
    yield
    health.forget_readiness()


def closed_port() -> int:
    """A loopback port nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def silent_port():
    """A loopback port that accepts connections (the kernel's backlog) and never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


def test_healthz_answers_without_touching_the_database_or_cache(client):
    # No `db` fixture: any query (the cache is the database here) would fail the test.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.parametrize("path", ["/readyz/", "/healthz/", "/metrics/", "/readyz/x"])
def test_near_misses_of_the_platform_routes_are_json_404s_not_the_web_app(client, path):
    # A probe written with a trailing slash must fail, not pass on the web app's index page.
    response = client.get(path)
    assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"


def test_health_routes_take_no_other_method(client):
    response = client.post("/healthz", {}, content_type="application/json")
    assert response.status_code == 405 and response.json()["code"] == "METHOD_NOT_ALLOWED"


@pytest.mark.django_db(transaction=True)
def test_readyz_reports_each_check_with_its_latency(client):
    response = client.get("/readyz", **WITH_TOKEN)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok" and set(body["checks"]) == CHECKS
    for check in body["checks"].values():
        assert check["status"] == "ok"
        assert isinstance(check["latencyMs"], float | int) and check["latencyMs"] >= 0
    assert body["checks"]["outbox"]["pending"] == 0
    assert body["checks"]["signingKeys"]["keys"] >= 1
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db(transaction=True)
def test_readyz_fails_on_an_outbox_backlog(client, settings):
    settings.READINESS_OUTBOX_MAX_PENDING = 1
    for _ in range(2):
        email_enqueue(kind=EmailKind.OTP_SIGN_IN, to_email="ada@example.com", secrets={"code": "1"})
    response = client.get("/readyz", **WITH_TOKEN)
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "SERVICE_UNAVAILABLE" and body["status"] == "fail"
    assert body["checks"]["outbox"]["status"] == "fail"
    assert body["checks"]["outbox"]["pending"] == 2
    assert {name for name, c in body["checks"].items() if c["status"] == "ok"} == CHECKS - {
        "outbox"
    }


@pytest.mark.django_db(transaction=True)
def test_readyz_fails_when_the_oldest_pending_message_waited_too_long(client, settings):
    settings.READINESS_OUTBOX_MAX_AGE_SECONDS = 60
    message = email_enqueue(kind=EmailKind.OTP_SIGN_IN, to_email="ada@example.com")
    assert client.get("/readyz").status_code == 200
    OutboxMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(minutes=2)
    )
    outbox = client.get("/readyz", **WITH_TOKEN).json()["checks"]["outbox"]
    assert outbox["status"] == "fail" and outbox["oldestPendingSeconds"] >= 120


@pytest.mark.django_db(transaction=True)
def test_readyz_shows_anyone_states_and_latencies_but_no_counts(client):
    # A backlog count read right after a send would tell a delivered message (an account) from a
    # suppressed one: without the metrics token, no count is shown.
    email_enqueue(kind=EmailKind.OTP_SIGN_IN, to_email="ada@example.com", secrets={"code": "1"})
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer wrong-token-0123456789abcdef"}):
        checks = client.get("/readyz", **headers).json()["checks"]
        assert set(checks) == CHECKS
        for check in checks.values():
            assert set(check) == {"status", "latencyMs"}, check
    detailed = client.get("/readyz", **WITH_TOKEN).json()["checks"]
    assert detailed["outbox"]["pending"] == 1 and detailed["signingKeys"]["keys"] >= 1


def test_probes_close_together_share_one_round_of_checks(client, settings, monkeypatch):
    from project import health

    settings.READINESS_CACHE_SECONDS = 30
    calls = []
    monkeypatch.setattr(
        health, "CHECKS", {"database": lambda: calls.append(1) or time.sleep(0.2) or {}}
    )
    with ThreadPoolExecutor(20) as pool:  # a flood of parallel anonymous probes
        statuses = list(pool.map(lambda _: client.get("/readyz").status_code, range(40)))
    assert statuses == [200] * 40  # each waited for the check in flight: none called it failed
    assert len(calls) == 1
    health.forget_readiness()
    assert client.get("/readyz").status_code == 200 and len(calls) == 2


def test_a_probe_waits_for_a_check_another_probe_started(client, settings, monkeypatch):
    from project import health

    monkeypatch.setattr(health, "CHECKS", {"database": lambda: time.sleep(0.3) or {}})
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(client.get, "/readyz")
        time.sleep(0.1)  # the first probe's check is under way; this one starts a new round
        second = client.get("/readyz")
        assert first.result().status_code == 200
    assert second.status_code == 200, second.json()  # it joined the run in flight


@pytest.mark.django_db(transaction=True)
def test_readyz_with_redis_at_a_closed_port(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/14",
        }
    }
    started = time.perf_counter()
    response = client.get("/readyz")
    elapsed = time.perf_counter() - started
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["cache"] == {
        "status": "fail",
        "error": "ConnectionError",
        "latencyMs": checks["cache"]["latencyMs"],
    }
    assert checks["database"]["status"] == "ok" and checks["outbox"]["status"] == "ok"
    assert elapsed < 1.0, elapsed
    assert client.get("/healthz").status_code == 200


def test_readyz_gives_up_on_a_check_at_the_deadline(client, settings, monkeypatch):
    from project import health

    settings.READINESS_TIMEOUT_SECONDS = 0.2
    monkeypatch.setattr(
        health, "CHECKS", {"database": lambda: time.sleep(1) or {}, "cache": lambda: {}}
    )
    started = time.perf_counter()
    response = client.get("/readyz")
    elapsed = time.perf_counter() - started
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["status"] == "fail" and checks["database"]["error"] == "timeout"
    assert checks["cache"]["status"] == "ok"
    assert 0.2 <= elapsed < 0.9, elapsed
    # The next probe does not start a second thread on the stuck check: it is still timing out.
    stuck = health._runs["database"]
    started = time.perf_counter()
    again = client.get("/readyz").json()["checks"]["database"]
    assert again["error"] == "timeout" and again["latencyMs"] >= 200
    assert health._runs["database"] is stuck and time.perf_counter() - started < 0.5
    stuck.thread.join()
    client.get("/readyz")  # once it has ended, the next probe checks afresh
    assert health._runs["database"] is not stuck
    health._runs["database"].thread.join()


# --- a live server --------------------------------------------------------------------------


def _get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes, float]:
    started = time.perf_counter()
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback only
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            status, answer_headers, raw = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, answer_headers, raw = error.code, dict(error.headers), error.read()
    return status, answer_headers, raw, time.perf_counter() - started


@contextmanager
def live_server(tmp_path: Path, **env: str):
    """gunicorn as the image runs it (its config file, two workers, multiprocess metrics)."""
    port = closed_port()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    environ = {
        k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    environ.update(
        DEBUG="false",
        SECRET_KEY="live-health-secret-key-0123456789abcdefghij",
        JWT_SIGNING_KEY="live-health-jwt-signing-key-0123456789abcdefghij",
        ALLOWED_HOSTS="127.0.0.1",
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        METRICS_TOKEN="live-metrics-token-0123456789",
        READINESS_TIMEOUT_SECONDS="1",
        **env,
    )
    log_path = tmp_path / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(ROOT / "src/project/gunicorn_conf.py"),
                "--chdir",
                str(ROOT / "src"),
                "project.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
            ],
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                _get(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"the server did not start:\n{log_path.read_text()}")
        yield base, log_path
    finally:
        server.terminate()
        server.wait(timeout=20)


def _readiness(base: str) -> tuple[int, dict, float]:
    """The slowest of three probes (the first one of a worker starts its check threads)."""
    answers = [_get(f"{base}/readyz") for _ in range(3)]
    status, _, raw, _ = answers[-1]
    return status, json.loads(raw), max(answer[3] for answer in answers)


def test_live_server_with_the_database_at_a_closed_port(tmp_path):
    database = f"mysql://root@127.0.0.1:{closed_port()}/authsvc"
    with live_server(tmp_path, DATABASE_URL=database) as (base, log_path):
        status, body, slowest = _readiness(base)
        assert status == 503 and body["status"] == "fail"
        checks = body["checks"]
        assert checks["database"]["status"] == "fail"
        assert checks["database"]["error"] == "OperationalError"  # a class name, no message
        # Without REDIS_URL the cache is a database table; keys and outbox live there too.
        assert {name for name, c in checks.items() if c["status"] == "fail"} == CHECKS
        assert slowest < 1.0, slowest
        assert _get(f"{base}/healthz")[0] == 200
        print(f"readyz, database at a closed port: slowest of 3 probes {slowest * 1000:.0f} ms")
        # The scrape still answers (the outbox gauges keep their values while the database is down).
        token = {"Authorization": "Bearer live-metrics-token-0123456789"}
        assert _get(f"{base}/metrics", token)[0] == 200
        text = log_path.read_text()
    assert "127.0.0.1:" not in json.dumps(body)  # no connection detail in the answer
    assert "Traceback" not in text


def test_live_server_with_the_database_not_answering(tmp_path):
    with silent_port() as port:
        database = f"mysql://root@127.0.0.1:{port}/authsvc"
        with live_server(tmp_path, DATABASE_URL=database) as (base, _):
            status, _, raw, elapsed = _get(f"{base}/readyz")
            checks = json.loads(raw)["checks"]
            assert status == 503
            assert checks["database"]["status"] == "fail"
            assert checks["database"]["error"] == "timeout"
            assert checks["database"]["latencyMs"] >= 1000
            assert 1.0 <= elapsed < 2.0, elapsed
            assert _get(f"{base}/healthz")[0] == 200
            print(f"readyz, database not answering: {elapsed * 1000:.0f} ms (deadline 1 s)")


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("mysql://"),
    reason="a live server on the test run's MySQL database",
)
@pytest.mark.django_db(transaction=True)
def test_live_server_with_redis_at_a_closed_port(tmp_path):
    from django.db import connection

    name = connection.settings_dict["NAME"]
    database = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"
    redis = f"redis://127.0.0.1:{closed_port()}/14"
    with live_server(tmp_path, DATABASE_URL=database, REDIS_URL=redis) as (base, _):
        status, body, slowest = _readiness(base)
        assert status == 503
        checks = body["checks"]
        assert checks["cache"]["status"] == "fail" and checks["cache"]["error"] == "ConnectionError"
        assert {name for name, c in checks.items() if c["status"] == "ok"} == CHECKS - {"cache"}
        assert slowest < 1.0, slowest
        assert _get(f"{base}/healthz")[0] == 200
        print(f"readyz, Redis at a closed port: slowest of 3 probes {slowest * 1000:.0f} ms")


def test_live_server_logs_json_lines_and_adds_up_its_workers_metrics(tmp_path):
    database = f"mysql://root@127.0.0.1:{closed_port()}/authsvc"
    with live_server(tmp_path, DATABASE_URL=database) as (base, log_path):
        served = [_get(f"{base}/healthz", {"X-Request-ID": f"probe-{n:04d}"}) for n in range(8)]
        assert [answer[1]["X-Request-ID"] for answer in served] == [
            f"probe-{n:04d}" for n in range(8)
        ]
        token = {"Authorization": "Bearer live-metrics-token-0123456789"}
        assert _get(f"{base}/metrics")[0] == 401
        status, headers, raw, _ = _get(f"{base}/metrics", token)
        assert status == 200 and headers["Content-Type"].startswith("text/plain")
        time.sleep(0.3)  # the last access line is written after the answer
        lines = [json.loads(line) for line in log_path.read_text().splitlines() if line]
    samples = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in raw.decode().splitlines()
        if line and not line.startswith("#")
    }
    key = 'authsvc_http_request_duration_seconds_count{method="GET",route="healthz",status="200"}'
    startup_probes = sum(
        1 for line in lines if line.get("route") == "healthz" and line["request_id"][:6] != "probe-"
    )
    assert samples[key] == 8 + startup_probes  # both workers' requests, added up
    access = [line for line in lines if line["name"] == "authsvc.access"]
    assert {line["request_id"] for line in access} >= {f"probe-{n:04d}" for n in range(8)}
    for line in access:
        assert set(line) >= {"time", "level", "method", "route", "status", "duration_ms"}
        assert line["client_ip"] == "127.0.0.1" and "?" not in line["path"]
    assert any(line["name"] == "gunicorn.error" for line in lines)  # gunicorn's own lines too


def test_image_and_compose_health_checks_use_healthz():
    dockerfile = (ROOT / "Dockerfile").read_text()
    healthcheck = dockerfile[dockerfile.index("HEALTHCHECK") :].split("\n\n")[0]
    assert "http://127.0.0.1:8000/healthz" in healthcheck and "== 200" in healthcheck
    assert "gunicorn -c /app/src/project/gunicorn_conf.py" in dockerfile
    assert "ENV PROMETHEUS_MULTIPROC_DIR=" in dockerfile
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    api = compose["services"]["api"]
    assert "http://127.0.0.1:8000/healthz" in " ".join(api["healthcheck"]["test"])
    assert "127.0.0.1" in api["environment"]["ALLOWED_HOSTS"].split(",")
    assert compose["services"]["worker"]["depends_on"]["api"]["condition"] == "service_healthy"
    assert "METRICS_TOKEN" in compose["x-app-environment"]
    assert resolve("/healthz").url_name == "healthz"
    assert resolve("/readyz").url_name == "readyz"
