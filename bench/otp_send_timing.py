"""Enumeration by timing: does `POST email-otp/send/` answer as fast for unknown emails?

Run from the repository root:  .venv/bin/python -m bench.otp_send_timing

In-process (django.test.Client, no sockets) on a fresh MariaDB database with one known user. For
each code type, requests for the known address and for never-seen unknown addresses alternate (ABBA
order), rate limits on with limits out of reach (so counting runs), and the median response time of
each side is compared: |unknown/known - 1| should stay within 10 %. Two delivery modes: "worker"
(the request only queues) and "thread" (a background thread also delivers each message through the
locmem backend right after commit, as `runserver` does without a worker).
"""

import argparse
import json
import os
import statistics
import time

from bench.common import DEFAULT_DB_HOST, bench_env, drop_database, git_revision, recreate_database
from bench.sign_in_overhead import setup_django

KNOWN = "known-user@example.com"
TYPES = ("sign-in", "email-verification", "forget-password")
TARGET = 0.10


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=300, help="requests per side and type")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument(
        "--database-url", default=f"{DEFAULT_DB_HOST}/authsvc_bench_otp", help="dropped!"
    )
    parser.add_argument("--keep-db", action="store_true")
    return parser.parse_args()


def measure(code_type: str, iterations: int, warmup: int) -> tuple[list[float], list[float]]:
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    known_ms: list[float] = []
    unknown_ms: list[float] = []

    def timed(email: str) -> float:
        body = json.dumps({"email": email, "type": code_type})
        start = time.perf_counter()
        response = client.post("/api/auth/email-otp/send/", body, content_type="application/json")
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, response.content[:200]
        return elapsed

    for index in range(warmup + iterations):
        unknown = f"nobody-{code_type}-{index}@example.com"
        if index % 4 in (0, 3):
            k, u = timed(KNOWN), timed(unknown)
        else:
            u, k = timed(unknown), timed(KNOWN)
        if index >= warmup:
            known_ms.append(k)
            unknown_ms.append(u)
    return known_ms, unknown_ms


def main() -> int:
    args = parse_args()
    env = bench_env(args.database_url, rate_limits=True)
    env["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    recreate_database(env)
    failed = False
    try:
        setup_django(env)
        from django.conf import settings
        from django.test.utils import override_settings

        from users.models import User

        User.objects.create_user(KNOWN, "known-user-password-1", email_verified=True)
        limits = {scope: (10**9, window) for scope, (_, window) in settings.RATE_LIMITS.items()}
        print(
            f"revision {git_revision()} | cpus {os.cpu_count()} | in-process, ABBA order, "
            f"{args.iterations} requests per side after {args.warmup} warm-up"
        )
        print(
            f"{'delivery':<8} {'type':<19} {'known med':>10} {'unknown med':>12} "
            f"{'known p90':>10} {'unknown p90':>12} {'unknown/known':>14}"
        )
        for delivery in ("worker", "thread"):
            with override_settings(EMAIL_DELIVERY=delivery, RATE_LIMITS=limits):
                for code_type in TYPES:
                    known, unknown = measure(code_type, args.iterations, args.warmup)
                    ratio = statistics.median(unknown) / statistics.median(known)
                    failed |= abs(ratio - 1) > TARGET
                    print(
                        f"{delivery:<8} {code_type:<19} {statistics.median(known):>10.2f} "
                        f"{statistics.median(unknown):>12.2f} "
                        f"{statistics.quantiles(known, n=10)[-1]:>10.2f} "
                        f"{statistics.quantiles(unknown, n=10)[-1]:>12.2f} {ratio:>14.3f}"
                    )
            time.sleep(1)  # let background deliveries finish before the next mode
        print(
            f"all figures in ms; target |unknown/known - 1| <= {TARGET:.0%} -> "
            f"{'FAIL' if failed else 'PASS'}"
        )
    finally:
        if not args.keep_db:
            drop_database(env)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
