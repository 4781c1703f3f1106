"""Enumeration by timing at sign-in, during a migration: unknown email vs Argon2id account vs a
not-yet-upgraded better-auth (scrypt) account, all with a wrong password.

Run from the repository root:  .venv/bin/python -m bench.sign_in_timing

In-process (django.test.Client) on a fresh MariaDB database, rate limits off, the three kinds
interleaved (rotating order), medians compared with the unknown-email case (target: within 10 %).
Run twice: with the imported account present (checks padded to the scrypt cost) and after it is
gone (no padding: unknown vs Argon2id only).
"""

import argparse
import json
import os
import statistics
import time

from bench.common import DEFAULT_DB_HOST, bench_env, drop_database, git_revision, recreate_database
from bench.sign_in_overhead import setup_django

KINDS = ("unknown", "argon2id", "legacy-scrypt")


def measure(kinds: tuple[str, ...], iterations: int) -> dict[str, list[float]]:
    from django.test import Client

    emails = {
        "unknown": "nobody@example.com",
        "argon2id": "modern@example.com",
        "legacy-scrypt": "legacy@example.com",
    }
    client = Client(HTTP_HOST="127.0.0.1")
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    for index in range(iterations + 5):
        order = kinds[index % len(kinds) :] + kinds[: index % len(kinds)]
        for kind in order:
            body = json.dumps({"email": emails[kind], "password": "wrong-password-0"})
            started = time.perf_counter()
            response = client.post("/api/auth/sign-in/", body, content_type="application/json")
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 401, response.content
            if index >= 5:
                times[kind].append(elapsed)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=40)
    parser.add_argument("--database-url", default=f"{DEFAULT_DB_HOST}/authsvc_bench_timing")
    args = parser.parse_args()
    env = bench_env(args.database_url)
    recreate_database(env)
    failed = False
    try:
        setup_django(env)
        from users.models import User

        User.objects.create_user("modern@example.com", "modern-password-1")
        legacy = User.objects.create_user("legacy@example.com", None)
        from tests.users.test_better_auth_hasher import better_auth_hash  # hashlib, as better-auth
        from users.hashers import better_auth_to_django

        legacy.password = better_auth_to_django(better_auth_hash("legacy-password-1"))
        legacy.save()
        print(
            f"revision {git_revision()} | cpus {os.cpu_count()} | in-process, wrong passwords, "
            f"{args.iterations} rounds"
        )
        for label, kinds in (("legacy hash present", KINDS), ("all upgraded", KINDS[:2])):
            if label == "all upgraded":
                legacy.delete()
                from auth_api.limits import timing

                timing.forget_floor()
            times = measure(kinds, args.iterations)
            base = statistics.median(times["unknown"])
            cells = []
            for kind in kinds:
                ratio = statistics.median(times[kind]) / base
                failed |= abs(ratio - 1) > 0.10
                cells.append(f"{kind} {statistics.median(times[kind]):.1f} ms ({ratio:.3f})")
            print(f"{label:<20} " + " | ".join(cells))
        print(f"ratios vs unknown email; target within 10 % -> {'FAIL' if failed else 'PASS'}")
    finally:
        drop_database(env)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
