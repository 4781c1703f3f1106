"""Recovery codes: 10 per account, 60 bits each (12 characters of a 32-character alphabet), shown
once, stored as keyed hashes, each accepted once. Making a new set ends the old one.

Wrong codes from untrusted clients are counted per account and client address in a window
(RECOVERY_ACCOUNT_IP: a failures-only rate limit, counted before the code is judged). It slows
strangers, and since it is per address, what strangers spend never stops the owner's own client:
a recovery code is what the owner holds when strangers closed TOTP. At 10 codes of 2^60 the odds
stay negligible however many addresses guess (docs/security-model.md has the arithmetic).
"""

from django.conf import settings
from django.utils.crypto import salted_hmac

import clock
from auth_api.limits import rates
from auth_api.limits.rates import Scope
from auth_api.models import RecoveryCode
from users.ids import random_string

COUNT = 10
_ALPHABET = "023456789abcdefghjkmnpqrstuvwxyz"  # 32: no 1, i, l or o to misread
_LENGTH = 12  # 12 × 5 bits = 60 bits


def _hash(code: str, secret: str | None = None) -> str:
    return salted_hmac(
        "auth_api.recovery-code", code, secret=secret, algorithm="sha256"
    ).hexdigest()


def _hashes(code: str) -> list[str]:
    """The code's hash under SECRET_KEY and each of SECRET_KEY_FALLBACKS (a rotated key)."""
    return [_hash(code, key) for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]]


def normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()[:64]


def _new_code() -> str:
    raw = random_string(_ALPHABET, _LENGTH)
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


def use(*, user_id: str, code: str, untrusted_client: str | None) -> bool:
    """Spend one code: the one UPDATE that marks it used is the check, so it works once. An
    untrusted client's attempt (`untrusted_client`: its address key) spends that account and
    address's budget (TooManyRequests over it); a right code gives it back."""
    spent = None
    if untrusted_client is not None:
        spent = rates.hit(Scope.RECOVERY_ACCOUNT_IP, f"{user_id}\n{untrusted_client}")
    used = RecoveryCode.objects.filter(
        user_id=user_id, code_hash__in=_hashes(normalise(code)), used_at__isnull=True
    ).update(used_at=clock.now())
    if used:
        rates.refund([spent])
    return bool(used)


def remove(*, user_id: str) -> None:
    RecoveryCode.objects.filter(user_id=user_id).delete()
