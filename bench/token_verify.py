"""Microseconds per access-token verification: EdDSA, ES256, RS256 and HS256, cold and cached.

Run from the repository root:  .venv/bin/python -m bench.token_verify [--iterations N]

In-process, with the project's settings (DEBUG off) and a PEM key per algorithm (no database):

- cold: the service's full check of a token it has not seen (signature with the key the kid names,
  algorithm pinned, iss/aud/exp, token type and claims), the verification cache cleared each time;
- cached: the same call for a token this process verified before (what every request after the
  first pays: a dict lookup, the expiry, the key still published);
- HS256: simplejwt's own backend on the shared secret (the refresh-token path, and what access
  tokens cost before key pairs), for comparison.

Interleaved: each round times every mode once, in a rotating order; medians over the rounds.
"""

import argparse
import os
import secrets
import statistics
import sys
import time

from bench.common import SRC, git_revision


def _setup() -> None:
    sys.path.insert(0, str(SRC))
    os.environ.update(
        DEBUG="false",
        SECRET_KEY="bench-" + secrets.token_urlsafe(32),
        JWT_SIGNING_KEY="bench-jwt-" + secrets.token_urlsafe(32),
        ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SETTINGS_MODULE="project.settings",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()


def _pem(algorithm: str) -> str:
    from cryptography.hazmat.primitives import serialization

    from auth_api.tokens.keys import generate_private_key

    return (
        generate_private_key(algorithm)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=2000, help="verifications per round")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    _setup()
    from django.test import override_settings
    from rest_framework_simplejwt.state import token_backend

    from auth_api.tokens import claims
    from auth_api.tokens.keys import forget_keyring
    from users.models import User

    user = User(id="B" * 32, email="bench@example.com", role="student", email_verified=True)
    cases = {}
    for algorithm in ("EdDSA", "ES256", "RS256"):
        overrides = override_settings(JWT_ALGORITHM=algorithm, JWT_PRIVATE_KEY=_pem(algorithm))
        overrides.enable()
        raw, _ = claims.mint_access_token(user=user, sid="S" * 32)
        cases[algorithm] = (overrides, raw)
        overrides.disable()
    hs256 = token_backend.encode({"token_type": "refresh", "sub": user.id, "exp": 4102444800})

    def timed(call, *, cold: bool) -> float:
        started = time.perf_counter()
        for _ in range(args.iterations):
            if cold:
                claims._verify_access_token.cache_clear()
            call()
        return (time.perf_counter() - started) / args.iterations * 1e6

    samples: dict[str, list[float]] = {}
    modes = [(a, c) for a in cases for c in (True, False)]
    for index in range(args.rounds):
        for algorithm, cold in modes[index % len(modes) :] + modes[: index % len(modes)]:
            overrides, raw = cases[algorithm]
            overrides.enable()
            forget_keyring()
            claims.decode_access_token(raw)  # the ring loaded, the token verified once
            label = f"{algorithm} {'cold' if cold else 'cached'}"
            samples.setdefault(label, []).append(
                timed(lambda raw=raw: claims.decode_access_token(raw), cold=cold)
            )
            overrides.disable()
        samples.setdefault("HS256 (simplejwt backend)", []).append(
            timed(lambda: token_backend.decode(hs256), cold=False)
        )
    print(f"revision {git_revision()} | {args.rounds} rounds x {args.iterations} verifications")
    print(f"{'':>28} {'median µs':>10} {'min':>8} {'max':>8}")
    for label, values in samples.items():
        median = statistics.median(values)
        print(f"{label:>28} {median:>10.1f} {min(values):>8.1f} {max(values):>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
