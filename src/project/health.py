"""Liveness, readiness and metrics for the platform running the service.

Plain Django views outside the API: no authentication class, no rate limit, no CSRF, not in the
OpenAPI schema, never cached. Their bodies carry states, counts and latencies, never a secret or
an error message (an exception's class name at most).

- GET /healthz: the process answers (no I/O at all).
- GET /readyz: the database, the cache (Redis when REDIS_URL is set), the signing keys and the
  outbox, each checked in a thread of its own with one shared deadline (READINESS_TIMEOUT_SECONDS),
  so a dead or hanging dependency gives 503 in bounded time instead of a hung probe. Each thread
  uses its own database connection and closes it. Probes within READINESS_CACHE_SECONDS share one
  round of checks. Anyone sees each check's state and latency; the counts behind them (keys,
  outbox backlog) need the metrics token.
- GET /metrics: Prometheus exposition, with a bearer token (METRICS_TOKEN); off without one
  unless DEBUG.
"""

import contextvars
import hmac
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)

from auth_api import errors
from auth_api.http.exception_handler import error_body, json_error
from auth_api.tokens.keys import keyring
from emailing.selectors import outbox_backlog
from observability import metrics

from .spa import require_safe


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return _no_store(HttpResponse(_LIVE, content_type="application/json"))


_LIVE = b'{"status": "ok"}'  # JsonResponse's bytes, encoded once


# --- readiness ---------------------------------------------------------------------------------


def _check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def _check_cache() -> dict:
    cache.get("readyz")  # one read: a round trip to Redis (or the cache table), nothing written
    return {}


def _check_signing_keys() -> dict:
    ring = keyring()  # this process's ring; re-read from the database when it is due
    return {"keys": len(ring.keys)}


def _check_outbox() -> dict:
    backlog = outbox_backlog()
    found: dict[str, Any] = {
        "pending": backlog.pending,
        "oldestPendingSeconds": round(backlog.oldest_age_seconds),
    }
    if (
        backlog.pending > settings.READINESS_OUTBOX_MAX_PENDING
        or backlog.oldest_age_seconds > settings.READINESS_OUTBOX_MAX_AGE_SECONDS
    ):
        found["status"] = "fail"
    return found


CHECKS: dict[str, Callable[[], dict]] = {
    "database": _check_database,
    "cache": _check_cache,
    "signingKeys": _check_signing_keys,
    "outbox": _check_outbox,
}


def _timed(check: Callable[[], dict]) -> dict:
    started = time.perf_counter()
    try:
        result: dict[str, Any] = {"status": "ok", **check()}
    except Exception as exc:  # any failure of a dependency is a state to report, not a 500
        result = {"status": "fail", "error": type(exc).__name__}
    finally:
        connections.close_all()  # this thread's own connection: none is left half-broken
    result["latencyMs"] = round((time.perf_counter() - started) * 1000, 1)
    return result


@dataclass
class _Run:
    check: Callable[[], dict]
    started: float = field(default_factory=time.perf_counter)
    result: dict = field(default_factory=dict)
    thread: threading.Thread | None = None

    def run(self) -> None:
        self.result.update(_timed(self.check))

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()


_runs: dict[str, _Run] = {}
_runs_lock = threading.Lock()


@dataclass(frozen=True)
class _Round:
    started: float
    runs: dict[str, _Run]


_latest: _Round | None = None


def _start(name: str, check: Callable[[], dict]) -> _Run:
    """(Under _runs_lock.) The check's run still under way, else a new one in a daemon thread: a
    hung dependency holds at most one thread per check and never delays the process's exit, and
    a probe waits for a check in flight rather than calling it failed."""
    previous = _runs.get(name)
    if previous is not None and previous.running:
        return previous
    run = _runs[name] = _Run(check)
    # In the probe's context: what the check logs carries the request id.
    context = contextvars.copy_context()
    run.thread = threading.Thread(
        target=context.run, args=(run.run,), daemon=True, name=f"readyz-{name}"
    )
    run.thread.start()
    return run


def _round() -> _Round:
    # Probes close together share one round: a flood of anonymous probes costs one set of
    # connections per READINESS_CACHE_SECONDS, not one per probe.
    global _latest
    with _runs_lock:
        now = time.perf_counter()
        if _latest is None or now - _latest.started >= settings.READINESS_CACHE_SECONDS:
            runs = {name: _start(name, check) for name, check in CHECKS.items()}
            _latest = _Round(now, runs)
        return _latest


def forget_readiness() -> None:
    """The next probe checks afresh (tests)."""
    global _latest
    with _runs_lock:
        _latest = None


def readiness() -> dict[str, dict]:
    current = _round()
    deadline = current.started + settings.READINESS_TIMEOUT_SECONDS
    results = {}
    for name, run in current.runs.items():
        if run.thread is not None:
            run.thread.join(max(0.0, deadline - time.perf_counter()))
        if not run.running:
            results[name] = run.result
        else:
            waited = round((time.perf_counter() - run.started) * 1000, 1)
            results[name] = {"status": "fail", "error": "timeout", "latencyMs": waited}
    return results


# What anyone may see of a check; the rest (counts) only with the metrics token: a backlog count
# read right after a send would tell a delivered message from a suppressed one (enumeration).
_PUBLIC_FIELDS = frozenset({"status", "error", "latencyMs"})


def _shown(checks: dict[str, dict], *, details: bool) -> dict[str, dict]:
    if details:
        return checks
    return {
        name: {key: value for key, value in check.items() if key in _PUBLIC_FIELDS}
        for name, check in checks.items()
    }


@csrf_exempt
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    checks = readiness()
    ready = all(check["status"] == "ok" for check in checks.values())
    shown = _shown(checks, details=_metrics_allowed(request) is True)
    body: dict[str, Any] = {"status": "ok" if ready else "fail", "checks": shown}
    if not ready:
        body = {**error_body(errors.ServiceUnavailable()), **body}
    return _no_store(JsonResponse(body, status=200 if ready else 503))


# --- metrics -----------------------------------------------------------------------------------


def _metrics_allowed(request: HttpRequest) -> bool | None:
    """True: serve. False: a token is set and the caller's is wrong. None: metrics are off."""
    token = settings.METRICS_TOKEN
    if not token:
        return True if settings.DEBUG else None
    scheme, _, offered = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    # The scheme is case-insensitive (RFC 9110); the token is compared in constant time.
    return scheme.lower() == "bearer" and hmac.compare_digest(offered.encode(), token.encode())


def _read_outbox() -> None:
    try:
        backlog = outbox_backlog()
    except DatabaseError:
        return  # the database is down: /readyz says so; the gauges keep their last values
    metrics.OUTBOX_PENDING.set(backlog.pending)
    metrics.OUTBOX_OLDEST_PENDING_SECONDS.set(backlog.oldest_age_seconds)
    metrics.OUTBOX_RETRYING.set(backlog.retrying)


def _registry() -> CollectorRegistry:
    if not settings.PROMETHEUS_MULTIPROC_DIR:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # every worker's values, added up
    return registry


@csrf_exempt
@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    allowed = _metrics_allowed(request)
    if allowed is None:
        return json_error(errors.NotFound())
    if not allowed:
        return json_error(errors.NotAuthenticated())
    _read_outbox()
    response = HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
    return _no_store(response)
