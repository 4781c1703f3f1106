"""Sign-in latency minus one password-hash check: what the endpoint costs besides Argon2id.

Run from the repository root:  .venv/bin/python -m bench.sign_in_overhead

In-process (no HTTP server): Django is set up with `project.settings` on a fresh MariaDB database,
one user is created, then every iteration times, in alternating order,
  (a) django.contrib.auth.hashers.check_password(password, user.password)  - the hasher alone
  (b) POST /api/auth/sign-in/ to the WSGI application, as gunicorn calls it - the whole request
    (Django's request signals, middleware, URL routing, DRF, validation, rate limits, user
    lookup, the same hash check, SignIn INSERT, two JWTs, cookie, JSON rendering; everything
    but sockets and HTTP parsing). `--test-client` sends it through django.test.Client instead,
    the method of the figures before 2026-12-07's last (the client adds its own work).
`--stand-ins` then times the request once more, rate limits off, with the Argon2id call inside it
replaced (argon2-cffi's verify patched in this process only): by nothing, and by a sleep as long
as the hasher's median. What the request costs around a pause of the hasher's length, apart from
what it costs warm, with the pause's own time (and CPU) taken out.
Each sign-in comes from a new device (no device cookie: one more trusted device each time);
`--returning-device` sends the cookie of a device that signed in before, as a returning browser
does. Overhead = b - a, paired per iteration. Modes: rate limits off, then on with the default
database counters, then on with Redis counters (limits raised so counting runs but never answers
429).
"""

import argparse
import gc
import json
import os
import socket
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from urllib.parse import urlparse

from bench.common import (
    DEFAULT_DB_HOST,
    ROOT,
    SRC,
    bench_env,
    drop_database,
    git_revision,
    recreate_database,
    wsgi_call,
    wsgi_environ,
)

EMAIL = "bench-sign-in@example.com"
PASSWORD = "quartz-lantern-harbor-91"
TARGET_MS = 3.0  # the goal: sign-in within one hasher call + 3 ms


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]  # nearest-rank


def redis_reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=200, help="measured iterations per mode")
    parser.add_argument("--warmup", type=int, default=10, help="discarded iterations per mode")
    parser.add_argument(
        "--database-url", default=f"{DEFAULT_DB_HOST}/authsvc_bench_signin", help="dropped!"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--no-redis", action="store_true", help="skip the Redis-counter mode")
    parser.add_argument("--no-rate-limits-on", action="store_true", help="only the 'off' mode")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database after")
    parser.add_argument(
        "--returning-device",
        action="store_true",
        help="every sign-in from a device that signed in before (its device cookie): a returning "
        "browser, not a new one",
    )
    parser.add_argument(
        "--stand-ins",
        action="store_true",
        help="also time the request (rate limits off) with the hasher replaced by nothing and by "
        "a sleep of its length",
    )
    parser.add_argument(
        "--test-client",
        action="store_true",
        help="send each sign-in through django.test.Client (the earlier method), not the WSGI call",
    )
    return parser.parse_args()


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    for path in (str(ROOT), str(SRC)):
        if path not in sys.path:
            sys.path.insert(0, path)
    import django

    django.setup()


@contextmanager
def mode_settings(name: str, redis_url: str):
    from django.conf import settings
    from django.test.utils import override_settings

    if name == "off":
        overrides = {"RATE_LIMITS_ENABLED": False}
    else:
        # Same scopes and windows, limits out of reach: every hit is counted, none is refused.
        limits = {scope: (10**9, window) for scope, (_, window) in settings.RATE_LIMITS.items()}
        overrides = {"RATE_LIMITS_ENABLED": True, "RATE_LIMITS": limits}
        if name == "on-redis":
            overrides["CACHES"] = {
                "default": {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": redis_url,
                }
            }
    with override_settings(**overrides):
        yield


def returning_device_token() -> str:
    """The device token of one trusted device of the bench user, from a first sign-in."""
    from django.test import Client

    answer = Client(HTTP_HOST="127.0.0.1").post(
        "/api/auth/sign-in/",
        {"email": EMAIL, "password": PASSWORD},
        content_type="application/json",
        HTTP_X_REFRESH_TOKEN_TRANSPORT="body",
    )
    return answer.json()["deviceToken"]


def sign_in_caller(
    test_client: bool, device_token: str | None
) -> tuple[str, Callable[[], tuple[int, bytes]]]:
    """How (b) is sent, in words, and one sign-in: as gunicorn calls the application (a WSGI
    environ in, status and body out), or through django.test.Client (the method of the figures
    before 2026-12-07's last). With `device_token`, every sign-in carries that device cookie."""
    from django.conf import settings

    body = json.dumps({"email": EMAIL, "password": PASSWORD})
    device = "a returning device (its cookie)" if device_token else "a new device each time"
    if test_client:
        from django.test import Client

        client = Client(HTTP_HOST="127.0.0.1")

        def through_client() -> tuple[int, bytes]:
            client.cookies.clear()  # a new client each time, as the WSGI calls are
            if device_token:
                client.cookies[settings.DEVICE_COOKIE_NAME] = device_token
            response = client.post("/api/auth/sign-in/", body, content_type="application/json")
            return response.status_code, response.content

        return f"django.test.Client (no sockets, no WSGI server), {device}", through_client

    from project.wsgi import application

    def through_wsgi() -> tuple[int, bytes]:
        environ = wsgi_environ("/api/auth/sign-in/", None, body.encode(), "POST")
        if device_token:
            environ["HTTP_COOKIE"] = f"{settings.DEVICE_COOKIE_NAME}={device_token}"
        status, answer = wsgi_call(application, environ)
        return int(status.split()[0]), answer

    return f"the WSGI application called as gunicorn calls it (no sockets), {device}", through_wsgi


def measure(
    iterations: int, warmup: int, hashed: str, sign_in: Callable[[], tuple[int, bytes]]
) -> tuple[list[float], list[float]]:
    from django.contrib.auth.hashers import check_password

    hash_ms: list[float] = []
    request_ms: list[float] = []

    def time_hash() -> float:
        start = time.perf_counter()
        ok = check_password(PASSWORD, hashed)
        elapsed = (time.perf_counter() - start) * 1000
        assert ok, "check_password returned False"
        return elapsed

    def time_request() -> float:
        start = time.perf_counter()
        status, answer = sign_in()
        elapsed = (time.perf_counter() - start) * 1000
        assert status == 200, (status, answer[:300])
        return elapsed

    gc.collect()
    for index in range(warmup + iterations):
        if index % 2 == 0:
            a, b = time_hash(), time_request()
        else:
            b, a = time_request(), time_hash()
        if index >= warmup:
            hash_ms.append(a)
            request_ms.append(b)
    return hash_ms, request_ms


STAND_INS = ("hasher", "nothing", "sleep")


def measure_stand_ins(
    iterations: int, warmup: int, pause_ms: float, sign_in: Callable[[], tuple[int, bytes]]
) -> dict[str, tuple[list[float], list[float]]]:
    """Per stand-in for the Argon2id call inside the request, each iteration's (wall, CPU) in ms
    of the request minus the stand-in's own; the three in turns, the first of each iteration
    rotating. The CPU is this thread's: with the hasher stubbed or asleep, the request's own."""
    import argon2._password_hasher as argon2_hasher

    real_verify = argon2_hasher.verify_secret
    current = ["hasher"]
    inside = [0.0, 0.0]

    def stand_in(*args, **kwargs) -> bool:
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            if current[0] == "hasher":
                return real_verify(*args, **kwargs)
            if current[0] == "sleep":
                time.sleep(pause_ms / 1000)
            return True
        finally:
            inside[:] = [time.perf_counter() - wall, time.thread_time() - cpu]

    results: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in STAND_INS}
    argon2_hasher.verify_secret = stand_in
    try:
        gc.collect()
        for index in range(warmup + iterations):
            shift = index % len(STAND_INS)
            for name in STAND_INS[shift:] + STAND_INS[:shift]:
                current[0] = name
                wall, cpu = time.perf_counter(), time.thread_time()
                status, answer = sign_in()
                wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
                assert status == 200, (status, answer[:300])
                if index >= warmup:
                    results[name][0].append((wall - inside[0]) * 1000)
                    results[name][1].append((cpu - inside[1]) * 1000)
    finally:
        argon2_hasher.verify_secret = real_verify
    return results


def report_stand_ins(results: dict[str, tuple[list[float], list[float]]], pause_ms: float) -> None:
    print(
        f"\nthe request with the Argon2id call inside it replaced, rate limits off "
        f"(its own time and CPU taken out; sleep = {pause_ms:.1f} ms):"
    )
    print(
        f"{'stand-in':<10} {'overhead med':>13} {'overhead p90':>13} {'CPU med':>9} {'wait med':>9}"
    )
    for name, (wall, cpu) in results.items():
        waits = [w - c for w, c in zip(wall, cpu, strict=True)]
        print(
            f"{name:<10} {statistics.median(wall):>13.2f} {percentile(wall, 90):>13.2f} "
            f"{statistics.median(cpu):>9.2f} {statistics.median(waits):>9.2f}"
        )


def main() -> int:
    args = parse_args()
    env = bench_env(args.database_url)
    recreate_database(env)
    try:
        setup_django(env)
        from django.conf import settings
        from django.db import connection

        from users.models import User

        user = User.objects.create_user(EMAIL, PASSWORD, name="Bench User", role="student")
        hashed = User.objects.get(pk=user.pk).password
        algorithm, variant, version, params, *_ = hashed.split("$")
        print(
            f"revision {git_revision()} | cpus {os.cpu_count()} | "
            f"{connection.display_name} {getattr(connection, 'mysql_server_info', '')}"
        )
        device_token = returning_device_token() if args.returning_device else None
        method, sign_in = sign_in_caller(args.test_client, device_token)
        print(
            f"method: in-process, {method}; "
            f"{args.iterations} iterations/mode after {args.warmup} warm-up, (a)/(b) alternating"
        )
        print(
            f"Argon2 settings: ARGON2_TIME_COST={settings.ARGON2_TIME_COST} "
            f"ARGON2_MEMORY_COST_KIB={settings.ARGON2_MEMORY_COST_KIB} "
            f"ARGON2_PARALLELISM={settings.ARGON2_PARALLELISM}; "
            f"stored hash: {algorithm}${variant}${version}${params}$..."
        )
        print(
            f"hasher: {settings.PASSWORD_HASHERS[0]}; DB CONN_MAX_AGE="
            f"{settings.DATABASES['default']['CONN_MAX_AGE']}; DEBUG={settings.DEBUG}\n"
        )

        modes = ["off"]
        if not args.no_rate_limits_on:
            modes.append("on-db")
            if args.no_redis:
                pass
            elif redis_reachable(args.redis_url):
                modes.append("on-redis")
            else:
                print(f"(Redis at {args.redis_url} unreachable: skipping the on-redis mode)")
        header = (
            f"{'rate limits':<12} {'hash med':>9} {'hash p90':>9} {'sign-in med':>12} "
            f"{'sign-in p90':>12} {'overhead med':>13} {'overhead p90':>13} {'med(b)-med(a)':>14}"
        )
        print("all figures in ms")
        print(header)
        verdicts = {}
        hasher_median = 0.0
        for mode in modes:
            with mode_settings(mode, args.redis_url):
                hash_ms, request_ms = measure(args.iterations, args.warmup, hashed, sign_in)
            overhead = [b - a for a, b in zip(hash_ms, request_ms, strict=True)]
            median_overhead = statistics.median(overhead)
            if mode == "off":
                hasher_median = statistics.median(hash_ms)
            verdicts[mode] = median_overhead
            print(
                f"{mode:<12} {statistics.median(hash_ms):>9.2f} {percentile(hash_ms, 90):>9.2f} "
                f"{statistics.median(request_ms):>12.2f} {percentile(request_ms, 90):>12.2f} "
                f"{median_overhead:>13.2f} {percentile(overhead, 90):>13.2f} "
                f"{statistics.median(request_ms) - statistics.median(hash_ms):>14.2f}"
            )
        if args.stand_ins:
            with mode_settings("off", args.redis_url):
                results = measure_stand_ins(args.iterations, args.warmup, hasher_median, sign_in)
            report_stand_ins(results, hasher_median)
        print()
        for mode, value in verdicts.items():
            verdict = "PASS" if value < TARGET_MS else "FAIL"
            print(
                f"median overhead, rate limits {mode}: {value:.2f} ms (target < {TARGET_MS:g})"
                f" -> {verdict}"
            )
        connection.close()
        return 0 if verdicts["off"] < TARGET_MS else 1
    finally:
        if not args.keep_db:
            drop_database(env)


if __name__ == "__main__":
    sys.exit(main())
