"""Sign-in answers take the same time whatever hash the account has, or whether it exists.

Imported better-auth hashes (scrypt, N=16384 r=16: about four times the cost of our Argon2id
here) would make a failed sign-in of a not-yet-migrated account stand out from an unknown email's
dummy Argon2id check. While any such hash remains, every credential check is padded to just above
the cost of one scrypt check; once all are upgraded, nothing is padded.
"""

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import clock
from users.hashers import BetterAuthScryptHasher
from users.selectors import user_legacy_hashes_remain

RECHECK_SECONDS = 300.0
_state = {"checked_at": -math.inf, "floor": 0.0}


@lru_cache(maxsize=1)
def _legacy_check_cost() -> float:
    """Seconds of one legacy check on this machine, measured once per process, with a margin."""
    hasher = BetterAuthScryptHasher()
    encoded = hasher.encode("calibration", hasher.salt())
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        hasher.verify("not the password", encoded)
        runs.append(time.perf_counter() - started)
    return max(runs) * 1.15


def credential_check_floor() -> float:
    now = clock.monotonic()
    if now - _state["checked_at"] > RECHECK_SECONDS:
        _state["floor"] = _legacy_check_cost() if user_legacy_hashes_remain() else 0.0
        _state["checked_at"] = now
    return _state["floor"]


def forget_floor() -> None:
    _state["checked_at"] = -math.inf


def is_legacy_hash(encoded: str) -> bool:
    return encoded.startswith(f"{BetterAuthScryptHasher.algorithm}$")


@contextmanager
def constant_time_check(*, legacy_hash_seen: bool = False) -> Iterator[None]:
    """Pad the block to the floor. A check that meets an imported hash while the floor is zero
    (an import ran since the last recheck) recalibrates at once instead of at the next recheck."""
    if legacy_hash_seen and _state["floor"] == 0.0:
        forget_floor()
    started = time.perf_counter()
    try:
        yield
    finally:
        remaining = credential_check_floor() - (time.perf_counter() - started)
        if remaining > 0:
            time.sleep(remaining)
