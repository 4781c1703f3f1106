"""The authenticator-app factor (TOTP, RFC 6238: SHA-1, 6 digits, 30 s steps, ±1 step).

The secret is stored encrypted (Fernet, keyed from SECRET_KEY). A code is accepted once: the step
it belongs to must be later than the last accepted step, and that check and the write are one
UPDATE, so two workers given the same code cannot both accept it. Consecutive wrong codes from
untrusted clients are counted per account (`untrusted_failures`), before the code is judged, and
at TOTP_CLOSE_AFTER_FAILURES the factor closes to them until the owner proves it is them
otherwise: a recovery code or a passkey (`reopen`). A right code from an untrusted client resets
the count; a device its owner trusted at a second step never meets TOTP at all.
"""

import base64
import hmac
from dataclasses import dataclass
from enum import Enum

import pyotp
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db.models import F
from django.utils.crypto import salted_hmac

import clock
from auth_api.models import TotpFactor
from users.models import User

DIGITS, STEP_SECONDS, WINDOW = 6, 30, 1


def _fernet() -> MultiFernet:
    """Encrypts with SECRET_KEY, decrypts with it or any of SECRET_KEY_FALLBACKS: rotating the
    key (the old one kept as a fallback) locks no owner out."""
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet(
        [
            Fernet(
                base64.urlsafe_b64encode(
                    salted_hmac(
                        "auth_api.totp-secret", "fernet-key", secret=key, algorithm="sha256"
                    ).digest()
                )
            )
            for key in keys
        ]
    )


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str | None:
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)


def uri(*, secret: str, email: str) -> str:
    """The otpauth:// URI an authenticator app scans (as a QR code) or takes as text."""
    return _totp(secret).provisioning_uri(name=email, issuer_name=settings.TOTP_ISSUER)


def enrol(*, user: User) -> str:
    """A new, unconfirmed secret for `user` (replacing an unconfirmed one); its URI."""
    secret = pyotp.random_base32(32)  # 160 bits, RFC 4226's recommendation
    TotpFactor.objects.update_or_create(
        user=user,
        defaults={
            "secret": seal(secret),
            "confirmed_at": None,
            "last_used_step": 0,
            "untrusted_failures": 0,
            "created_at": clock.now(),
        },
    )
    return uri(secret=secret, email=user.email)


def matching_step(secret: str, code: str, *, at: float | None = None) -> int | None:
    """The step (±WINDOW around now) whose code is `code`, the latest if several; constant work."""
    now = clock.time() if at is None else at
    current = int(now // STEP_SECONDS)
    totp = _totp(secret)
    found = None
    candidate = code.strip().replace(" ", "")
    for step in range(current - WINDOW, current + WINDOW + 1):
        expected = totp.generate_otp(step)
        if hmac.compare_digest(expected.encode(), candidate.encode()[:16]):
            found = step
    return found if len(candidate) == DIGITS and candidate.isdigit() else None


class Verdict(Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"  # a wrong code, or one already used
    CLOSED = "closed"  # too many untrusted failures in a row: closed to untrusted clients
    ABSENT = "absent"  # no (such) factor


@dataclass(frozen=True)
class Factor:
    confirmed: bool
    secret: str


def factor_of(user_id: str) -> Factor | None:
    row = TotpFactor.objects.filter(pk=user_id).values_list("secret", "confirmed_at").first()
    if row is None:
        return None
    secret = unseal(row[0])
    return None if secret is None else Factor(confirmed=row[1] is not None, secret=secret)


def check(*, user_id: str, code: str, trusted: bool, confirming: bool = False) -> Verdict:
    """Judge `code` for the user's factor (`confirming`: its unconfirmed enrolment). An untrusted
    client's attempt is counted before it is judged and given back on success."""
    factor = factor_of(user_id)
    if factor is None or factor.confirmed == confirming:
        return Verdict.ABSENT
    rows = TotpFactor.objects.filter(pk=user_id)
    if not trusted and settings.RATE_LIMITS_ENABLED:
        counted = rows.filter(untrusted_failures__lt=settings.TOTP_CLOSE_AFTER_FAILURES).update(
            untrusted_failures=F("untrusted_failures") + 1
        )
        if not counted:
            return Verdict.CLOSED
    step = matching_step(factor.secret, code)
    # Single use: the step must be later than the last one accepted, checked and written at once
    # (with what an accepted code changes besides: the strangers' count, the confirmation).
    accepted: dict = {"last_used_step": step}
    if not trusted:
        accepted["untrusted_failures"] = 0
    if confirming:
        accepted["confirmed_at"] = clock.now()
    if step is None or not rows.filter(last_used_step__lt=step).update(**accepted):
        return Verdict.WRONG
    return Verdict.ACCEPTED


def reopen(*, user_id: str) -> None:
    """The owner proved it is them with something unguessable: strangers' failures forgotten."""
    TotpFactor.objects.filter(pk=user_id, untrusted_failures__gt=0).update(untrusted_failures=0)


def remove(*, user_id: str) -> bool:
    return TotpFactor.objects.filter(pk=user_id).delete()[0] > 0
