"""Recovery codes: 10 per account, 60 bits each (12 characters of a 32-character alphabet), shown
once, stored as keyed hashes, each accepted once. Making a new set ends the old one.

Wrong codes from untrusted clients are counted per account in a window (RECOVERY_ACCOUNT: a
failures-only rate limit, counted before the code is judged): it slows strangers, and because it
lapses it never shuts the owner out for longer than its window, which matters since a recovery
code is what the owner holds when TOTP is closed. At 10 codes of 2^60 the odds stay negligible.
"""

import secrets

from django.utils.crypto import salted_hmac

import clock
from auth_api.limits import rates
from auth_api.limits.rates import Scope
from auth_api.models import RecoveryCode

COUNT = 10
_ALPHABET = "023456789abcdefghjkmnpqrstuvwxyz"  # 32: no 1, i, l or o to misread
_LENGTH = 12  # 12 × 5 bits = 60 bits


def _hash(code: str) -> str:
    return salted_hmac("auth_api.recovery-code", code, algorithm="sha256").hexdigest()


def normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()[:64]


def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))
    return f"{raw[:6]}-{raw[6:]}"


def new_set(*, user_id: str) -> list[str]:
    """A fresh set of codes for the user; every earlier code is dead."""
    codes = [_new_code() for _ in range(COUNT)]
    store(user_id=user_id, codes=codes)
    return codes


def store(*, user_id: str, codes: list[str]) -> None:
    """Make `codes` the user's set, every earlier code dead: new ones, or codes made elsewhere (an
    import). Compared as `normalise` gives them, so a code is case-insensitive here."""
    RecoveryCode.objects.filter(user_id=user_id).delete()
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user_id=user_id, code_hash=_hash(normalise(code))) for code in codes]
    )


def remaining(*, user_id: str) -> int:
    return RecoveryCode.objects.filter(user_id=user_id, used_at__isnull=True).count()


def use(*, user_id: str, code: str, trusted: bool) -> bool:
    """Spend one code: the one UPDATE that marks it used is the check, so it works once. An
    untrusted client's attempt spends the account's budget (TooManyRequests over it) and a
    right code gives it back."""
    spent = None if trusted else rates.hit(Scope.RECOVERY_ACCOUNT, user_id)
    used = RecoveryCode.objects.filter(
        user_id=user_id, code_hash=_hash(normalise(code)), used_at__isnull=True
    ).update(used_at=clock.now())
    if used:
        rates.refund([spent])
    return bool(used)


def remove(*, user_id: str) -> None:
    RecoveryCode.objects.filter(user_id=user_id).delete()
