"""Where one request's time goes: in-process WSGI calls through project.wsgi.application with the
service's default production settings (DEBUG off, the access log on at INFO, metrics on), under
cProfile, on a fresh MariaDB database.

Run from the repository root:

    .venv/bin/python -m bench.request_profile                       # claims/, healthz, session/
    .venv/bin/python -m bench.request_profile --path /api/auth/session/ --calls 5000 --top 40

Per path: CPU time per call (time.process_time over --calls calls, without the profiler), then the
profile of as many calls again: the functions with the most time of their own, then by cumulative
time (every middleware, the view, the access log, the signals). Log lines and the development
mail go to /dev/null (under gunicorn they go to a pipe).
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

from bench.common import DEFAULT_DB_HOST, bench_env, drop_database, recreate_database

DEFAULT_PATHS = ["/healthz", "/api/auth/claims/", "/api/auth/session/"]


def environ(path: str, token: str | None, body: bytes = b"", method: str = "GET") -> dict:
    env = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT": "*/*",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)) if body else "",
        "CONTENT_TYPE": "application/json" if body else "",
    }
    if token:
        env["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return env


def call(application, env: dict) -> tuple[str, bytes]:
    status: list[str] = []
    result = application(env, lambda s, headers, exc_info=None: status.append(s))
    try:
        body = b"".join(result)
    finally:
        getattr(result, "close", lambda: None)()
    return status[0], body


def sign_up(application) -> str:
    import json

    user = {
        "name": "Profile User",
        "email": f"profile-{os.getpid()}@example.com",
        "password": "quartz-lantern-harbor-91",
        "role": "student",
    }
    body = json.dumps(user).encode()
    status, answer = call(application, environ("/api/auth/sign-up/", None, body, "POST"))
    if not status.startswith("201"):
        raise RuntimeError(f"sign-up answered {status}: {answer[:300]!r}")
    return json.loads(answer)["accessToken"]


# (label, file name ending, function name): cumulative time of these, as shares of the request.
PARTS = [
    ("the whole WSGI call", "django/core/handlers/wsgi.py", "__call__"),
    ("request_started/finished signals", "django/dispatch/dispatcher.py", "send"),
    ("URL resolving", "django/core/handlers/base.py", "resolve_request"),
    (
        "the view (DRF dispatch, or the plain view)",
        "django/views/decorators/csrf.py",
        "_view_wrapper",
    ),
    ("  token check (DRF's request.user)", "rest_framework/request.py", "_authenticate"),
    ("  DRF's rendering of the body", "rest_framework/response.py", "rendered_content"),
    ("access log line", "logging/__init__.py", "info"),
    ("latency histogram", "prometheus_client/metrics.py", "observe"),
    ("request id", "observability/logs.py", "accepted_request_id"),
    ("SecurityMiddleware", "django/middleware/security.py", "process_response"),
    ("CSRF middleware (request, view, response)", "django/middleware/csrf.py", "process_request"),
]


def breakdown(stats: pstats.Stats) -> None:
    """Shares of the request's profiled time (the profiler inflates call-heavy code alike)."""
    cumulative: dict[str, float] = {}
    for (filename, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        for label, ending, function in PARTS:
            if filename.endswith(ending) and name == function:
                cumulative[label] = cumulative.get(label, 0.0) + ct
    whole = cumulative.get(PARTS[0][0]) or 1.0
    for label, _ending, _function in PARTS:
        if label in cumulative:
            print(f"  {cumulative[label] / whole * 100:5.1f} %  {label}")


def profile(application, path: str, token: str | None, calls: int, top: int) -> None:
    env_token = token if path.startswith("/api/") else None
    status, body = call(application, environ(path, env_token))
    print(f"\n== {path}: {status}, {len(body)} B")
    for _ in range(200):
        call(application, environ(path, env_token))
    started = time.process_time()
    for _ in range(calls):
        call(application, environ(path, env_token))
    per_call = (time.process_time() - started) / calls * 1000
    print(f"CPU per call, no profiler: {per_call:.3f} ms over {calls} calls")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        call(application, environ(path, env_token))
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    print("shares of the profiled request:")
    breakdown(stats)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    print(out.getvalue().replace(str(Path.cwd()) + "/", ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--path", action="append", help="path to profile (repeatable)")
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--database", default="authsvc_bench_profile", help="dropped and recreated")
    parser.add_argument("--log-level", default=None, help="LOG_LEVEL (default: the service's)")
    args = parser.parse_args()
    env = bench_env(f"{DEFAULT_DB_HOST}/{args.database}")
    del env["LOG_LEVEL"]  # the service's default
    if args.log_level:
        env["LOG_LEVEL"] = args.log_level
    recreate_database(env)
    os.environ.update(env)
    sys.path[:0] = [p for p in env["PYTHONPATH"].split(os.pathsep)]
    devnull = open(os.devnull, "w")  # noqa: SIM115 - the process's stderr from here on
    os.dup2(devnull.fileno(), 2)
    try:
        from project.wsgi import application

        token = sign_up(application)
        for path in args.path or DEFAULT_PATHS:
            profile(application, path, token, args.calls, args.top)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
