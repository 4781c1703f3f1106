"""Where one request's time goes: in-process WSGI calls through project.wsgi.application with the
service's default production settings (DEBUG off, the access log on at INFO, metrics on), under
cProfile, on a fresh MariaDB database.

Run from the repository root:

    .venv/bin/python -m bench.request_profile                       # claims/, healthz, session/
    .venv/bin/python -m bench.request_profile --path /api/auth/session/ --calls 5000 --top 40
    .venv/bin/python -m bench.request_profile --path sign-in --path sign-up --path code-send \
        --calls 200

Per path: CPU time per call (time.process_time over --calls calls, without the profiler), then the
profile of as many calls again: the functions with the most time of their own, then by cumulative
time (every middleware, the view, the access log, the signals). Log lines and the development
mail go to /dev/null (under gunicorn they go to a pipe).
"""

import argparse
import cProfile
import io
import itertools
import json
import os
import pstats
import sys
import time
from pathlib import Path

from bench.common import (
    DEFAULT_DB_HOST,
    bench_env,
    drop_database,
    recreate_database,
    wait_outbox_drained,
    wsgi_call,
    wsgi_environ,
)

DEFAULT_PATHS = ["/healthz", "/api/auth/claims/", "/api/auth/session/"]
PASSWORD = "quartz-lantern-harbor-91"
# POSTs, each call with a body of its own: a new account, the profiling user's sign-in, a sign-in
# code sent to the profiling user (rate limits are off in the bench's settings).
FLOWS = {
    "sign-up": "/api/auth/sign-up/",
    "sign-in": "/api/auth/sign-in/",
    "code-send": "/api/auth/email-otp/send/",
}


def profiling_user() -> str:
    return f"profile-{os.getpid()}@example.com"


def sign_up(application) -> str:
    user = {
        "name": "Profile User",
        "email": profiling_user(),
        "password": PASSWORD,
        "role": "student",
    }
    body = json.dumps(user).encode()
    status, answer = wsgi_call(application, wsgi_environ("/api/auth/sign-up/", None, body, "POST"))
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
    ("the view on the lean path (auth_api.http.lean)", "auth_api/http/lean.py", "lean_view"),
    ("  token check", "auth_api/authentication.py", "authenticate"),
    ("  rendering the body", "auth_api/http/renderers.py", "render"),
    ("access log line", "observability/logs.py", "write"),
    ("latency histogram", "prometheus_client/metrics.py", "observe"),
    ("  database queries", "django/db/backends/utils.py", "execute"),
    ("  password hashing (Argon2id)", "argon2/_password_hasher.py", "hash"),
    ("  password check (Argon2id)", "argon2/_password_hasher.py", "verify"),
    ("  mail queued (outbox)", "emailing/services.py", "email_enqueue"),
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


def request_maker(target: str, token: str | None):
    """A function that makes the next call's WSGI environ for a path (GET) or a flow (POST)."""
    if target not in FLOWS:
        bearer = token if target.startswith("/api/") else None
        return lambda: wsgi_environ(target, bearer)
    counter = itertools.count()

    def post() -> dict:
        n = next(counter)
        body = {
            "sign-up": lambda: {
                "name": "Profile User",
                "email": f"profile-{os.getpid()}-{n}@example.com",
                "password": PASSWORD,
                "role": "student",
            },
            "sign-in": lambda: {"email": profiling_user(), "password": PASSWORD},
            "code-send": lambda: {"email": profiling_user(), "type": "sign-in"},
        }[target]()
        return wsgi_environ(FLOWS[target], None, json.dumps(body).encode(), "POST")

    return post


def profile(application, target: str, token: str | None, calls: int, top: int) -> None:
    make = request_maker(target, token)
    status, body = wsgi_call(application, make())
    print(f"\n== {target}: {status}, {len(body)} B")
    for _ in range(min(200, calls)):
        wsgi_call(application, make())
    started = time.process_time()
    for _ in range(calls):
        wsgi_call(application, make())
    per_call = (time.process_time() - started) / calls * 1000
    print(f"CPU per call, no profiler: {per_call:.3f} ms over {calls} calls")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        wsgi_call(application, make())
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
    parser.add_argument(
        "--path",
        action="append",
        help=f"a path to GET, or a flow to POST ({', '.join(FLOWS)}); repeatable",
    )
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
            wait_outbox_drained(env["DATABASE_URL"])
            profile(application, path, token, args.calls, args.top)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
