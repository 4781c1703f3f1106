"""Recovery codes: 10 per account, 60 bits each (12 characters of a 32-character alphabet), shown
once, stored as keyed hashes, each accepted once. Making a new set ends the old one.

Wrong codes from untrusted clients are counted per account (`TotpFactor.recovery_failures`, before
the code is judged); at RECOVERY_CLOSE_AFTER_FAILURES in a row recovery codes close to them until
the owner proves it is them otherwise. At 10 codes of 2^60 the odds stay negligible long before.
"""

import secrets
from enum import Enum

from django.conf import settings
from django.db.models import F
from django.utils.crypto import salted_hmac

import clock
from auth_api.models import RecoveryCode, TotpFactor

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
    RecoveryCode.objects.filter(user_id=user_id).delete()
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user_id=user_id, code_hash=_hash(normalise(code))) for code in codes]
    )
    return codes


def remaining(*, user_id: str) -> int:
    return RecoveryCode.objects.filter(user_id=user_id, used_at__isnull=True).count()


class Verdict(Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    CLOSED = "closed"


def use(*, user_id: str, code: str, trusted: bool) -> Verdict:
    """Spend one code: the one UPDATE that marks it used is the check, so it works once."""
    factor = TotpFactor.objects.filter(pk=user_id)
    if not trusted and settings.RATE_LIMITS_ENABLED:
        counted = factor.filter(
            recovery_failures__lt=settings.RECOVERY_CLOSE_AFTER_FAILURES
        ).update(recovery_failures=F("recovery_failures") + 1)
        if not counted:
            return Verdict.CLOSED
    spent = RecoveryCode.objects.filter(
        user_id=user_id, code_hash=_hash(normalise(code)), used_at__isnull=True
    ).update(used_at=clock.now())
    if not spent:
        return Verdict.WRONG
    if not trusted:
        factor.update(recovery_failures=0)
    return Verdict.ACCEPTED


def remove(*, user_id: str) -> None:
    RecoveryCode.objects.filter(user_id=user_id).delete()
