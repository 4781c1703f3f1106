"""Milliseconds per second-factor verification: a TOTP code and a passkey, the library alone and
the whole request.

Run from the repository root:  .venv/bin/python -m bench.second_factor [--iterations N]

In-process (django.test.Client: no sockets, no WSGI server) with `project.settings` (DEBUG off)
on a fresh MariaDB database, rate limits on as shipped. Each iteration times, in a rotating order:

- `pyotp verify`: pyotp.TOTP.verify(code, valid_window=1), the library most TOTP add-ons use, on
  its own: no stored state, so it would accept the same code again;
- `totp second step`: POST two-factor/verify-totp/ answering a pending sign-in (made beforehand,
  untimed): the pending sign-in's attempt count, the account's budget, the single-use step (one
  conditional UPDATE), the new sign-in, its tokens and cookies;
- `webauthn verify`: py_webauthn's verify_authentication_response on its own (ES256);
- `passkey sign-in`: POST passkey/sign-in/ with an assertion for a challenge fetched beforehand
  (untimed): the challenge spent, the signature and flags checked, the sign count moved on, the
  new sign-in, its tokens and cookies.

The service's clock is moved on 30 s per iteration so every TOTP code is a new one.
"""

import argparse
import gc
import json
import os
import statistics
import time

from bench.common import DEFAULT_DB_HOST, bench_env, drop_database, git_revision, recreate_database
from bench.sign_in_overhead import percentile, setup_django

EMAIL = "bench-second-factor@example.com"
PASSWORD = "quartz-lantern-harbor-91"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument(
        "--database-url", default=f"{DEFAULT_DB_HOST}/authsvc_bench_2f", help="dropped!"
    )
    parser.add_argument("--keep-db", action="store_true")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    env = bench_env(args.database_url, rate_limits=True)
    recreate_database(env)
    try:
        setup_django(env)
        import pyotp
        import webauthn
        from django.conf import settings
        from django.db import connection
        from django.test import Client

        import clock
        from auth_api.factors import totp
        from auth_api.tokens.pending import pending_start
        from tests.authenticator import SoftAuthenticator
        from users.models import User

        user = User.objects.create_user(EMAIL, PASSWORD, email_verified=True)
        secret = pyotp.random_base32(32)
        totp.enrol(user=user)
        from auth_api.models import TotpFactor

        TotpFactor.objects.filter(pk=user.pk).update(
            secret=totp.seal(secret), confirmed_at=clock.now()
        )
        User.objects.filter(pk=user.pk).update(two_factor_enabled=True)
        key = SoftAuthenticator(origin=settings.WEBAUTHN_ORIGINS[0], rp_id=settings.WEBAUTHN_RP_ID)
        from auth_api.factors import passkeys

        options = passkeys.registration_options(user=user)
        passkey = passkeys.register(user=user, credential=key.create(options), name="bench")
        client = Client(HTTP_HOST="127.0.0.1")
        cookie = settings.TWO_FACTOR_COOKIE_NAME
        challenge_cookie = settings.PASSKEY_COOKIE_NAME
        print(
            f"revision {git_revision()} | cpus {os.cpu_count()} | "
            f"{connection.display_name} {getattr(connection, 'mysql_server_info', '')} | "
            f"rate limits on | {args.iterations} iterations after {args.warmup} warm-up"
        )

        def pyotp_verify() -> float:
            code = pyotp.TOTP(secret).at(clock.time())
            start = time.perf_counter()
            ok = pyotp.TOTP(secret).verify(code, for_time=clock.time(), valid_window=1)
            elapsed = time.perf_counter() - start
            assert ok
            return elapsed

        def totp_request() -> float:
            clock.advance(30)
            _, token = pending_start(
                user_id=user.pk,
                remember_me=True,
                amr=("pwd",),
                method="password",
                event="signed_in_password",
            )
            client.cookies.clear()
            client.cookies[cookie] = token
            body = json.dumps({"code": pyotp.TOTP(secret).at(clock.time())})
            start = time.perf_counter()
            answer = client.post(
                "/api/auth/two-factor/verify-totp/", body, content_type="application/json"
            )
            elapsed = time.perf_counter() - start
            assert answer.status_code == 200, answer.content
            return elapsed

        def webauthn_verify() -> float:
            challenge = os.urandom(32)
            from webauthn.helpers import bytes_to_base64url

            fake_options = {"challenge": bytes_to_base64url(challenge), "rpId": key.rp_id}
            assertion = key.get(fake_options)
            passkey.refresh_from_db()
            start = time.perf_counter()
            webauthn.verify_authentication_response(
                credential=assertion,
                expected_challenge=challenge,
                expected_rp_id=settings.WEBAUTHN_RP_ID,
                expected_origin=settings.WEBAUTHN_ORIGINS,
                credential_public_key=bytes(passkey.public_key),
                credential_current_sign_count=key.credentials[-1].sign_count - 1,
                require_user_verification=True,
            )
            return time.perf_counter() - start

        def passkey_request() -> float:
            client.cookies.clear()
            got = client.post(
                "/api/auth/passkey/authentication-options/", "{}", content_type="application/json"
            )
            token = got.cookies[challenge_cookie].value
            assertion = key.get(got.json())
            client.cookies.clear()
            client.cookies[challenge_cookie] = token
            body = json.dumps({"credential": assertion})
            start = time.perf_counter()
            answer = client.post(
                "/api/auth/passkey/sign-in/", body, content_type="application/json"
            )
            elapsed = time.perf_counter() - start
            assert answer.status_code == 200, answer.content
            return elapsed

        modes = {
            "pyotp verify": pyotp_verify,
            "totp second step": totp_request,
            "webauthn verify": webauthn_verify,
            "passkey sign-in": passkey_request,
        }
        times: dict[str, list[float]] = {name: [] for name in modes}
        names = list(modes)
        gc.collect()
        for index in range(args.warmup + args.iterations):
            order = names[index % len(names) :] + names[: index % len(names)]
            for name in order:
                elapsed = modes[name]()
                if index >= args.warmup:
                    times[name].append(elapsed * 1000)
        print(f"{'':<18} {'median ms':>10} {'p90 ms':>8}")
        for name, values in times.items():
            print(f"{name:<18} {statistics.median(values):>10.3f} {percentile(values, 90):>8.3f}")
        totp_ratio = statistics.median(times["totp second step"]) / statistics.median(
            times["pyotp verify"]
        )
        passkey_ratio = statistics.median(times["passkey sign-in"]) / statistics.median(
            times["webauthn verify"]
        )
        print(
            f"\nwhole request / library alone: TOTP x{totp_ratio:.0f}, passkey x{passkey_ratio:.1f}"
        )
        return 0
    finally:
        if not args.keep_db:
            drop_database(env)


if __name__ == "__main__":
    raise SystemExit(main())
