"""The one code-verification process every email-code flow uses.

Six digits from `secrets`, valid OTP_TTL_SECONDS, stored as an HMAC keyed by the server (a database
leak does not let anyone test the 10^6 codes offline), compared in constant time, single use.
Attempts are counted under a row lock, so parallel guesses are serialised: after OTP_MAX_ATTEMPTS
wrong guesses no further guess is ever evaluated, however many arrive at once.

A code is bound to the client flow that asked for it (see code_flows): a client finds only its own
code (or one carried over by the import, bound to none), so nobody else can spend its guesses. A
wrong guess by a client that is not a trusted device of the account also spends the address's
allowance of untrusted guesses (see guard).
"""

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum, StrEnum

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from auth_api.errors import InvalidOtp, OtpExpired, TooManyAttempts, TooManyRequests
from auth_api.limits import guard
from auth_api.models import OneTimeCode
from observability import metrics


class OtpType(StrEnum):
    SIGN_IN = "sign-in"
    EMAIL_VERIFICATION = "email-verification"
    FORGET_PASSWORD = "forget-password"  # noqa: S105 - a code type, not a secret
    REAUTHENTICATION = "reauthentication"
    EMAIL_CHANGE = "email-change"  # sent by email/change/ only, never by email-otp/send/


@dataclass(frozen=True)
class IssuedCode:
    code: str
    expires_at: datetime


def _digest(*, email: str, otp_type: str, code: str) -> str:
    return salted_hmac(
        "auth_api.otp", f"{otp_type}\n{email}\n{code}", algorithm="sha256"
    ).hexdigest()


def random_code() -> str:
    return f"{secrets.randbelow(10**settings.OTP_LENGTH):0{settings.OTP_LENGTH}d}"


# The seam tests replace to know the code in advance (like Django's `_now()` for time).
new_code: Callable[[], str] = random_code


def otp_issue(*, email: str, otp_type: OtpType, flow_id: str) -> IssuedCode:
    """A fresh code for (email, otp_type) bound to `flow_id`, replacing that flow's earlier one
    and its attempt count (other clients' codes stay as they are)."""
    code, now = new_code(), timezone.now()
    expires_at = now + timedelta(seconds=settings.OTP_TTL_SECONDS)
    OneTimeCode.objects.update_or_create(
        email=email,
        otp_type=otp_type.value,
        flow_id=flow_id,
        defaults={
            "code_hash": _digest(email=email, otp_type=otp_type.value, code=code),
            "attempts": 0,
            "created_at": now,
            "expires_at": expires_at,
            "consumed_at": None,
        },
    )
    metrics.CODES_SENT.labels(otp_type.value).inc()
    return IssuedCode(code=code, expires_at=expires_at)


class _Verdict(Enum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"
    MISSING = "missing"


def _judge(row: OneTimeCode | None, code: str, now: datetime) -> _Verdict:
    if row is None or row.consumed_at is not None:
        return _Verdict.MISSING
    if row.attempts >= settings.OTP_MAX_ATTEMPTS:
        row.attempts += 1  # counted, never evaluated
        return _Verdict.EXHAUSTED
    if row.expires_at <= now:
        return _Verdict.EXPIRED
    expected = _digest(email=row.email, otp_type=row.otp_type, code=code)
    if not hmac.compare_digest(expected, row.code_hash):
        row.attempts += 1
        return _Verdict.WRONG
    return _Verdict.OK


def _open_for_guessing(row: OneTimeCode) -> bool:
    """A guess on this code will be evaluated (it is unused, unexpired, not exhausted)."""
    return (
        row.consumed_at is None
        and row.expires_at > timezone.now()
        and row.attempts < settings.OTP_MAX_ATTEMPTS
    )


def _locked_row(email: str, otp_type: str, flow_id: str | None) -> OneTimeCode | None:
    """The client's own code, else an unbound (imported) one; locked."""
    flows = ["", flow_id] if flow_id else [""]
    rows = OneTimeCode.objects.select_for_update().filter(
        email=email, otp_type=otp_type, flow_id__in=flows
    )
    return max(rows, key=lambda row: row.flow_id != "", default=None)


def otp_verify(
    *,
    email: str,
    otp_type: OtpType,
    code: str,
    consume: bool,
    flow_id: str | None,
    trusted: bool = False,
) -> None:
    """Raise InvalidOtp, OtpExpired or TooManyAttempts (or TooManyRequests when the address's
    untrusted allowance is spent), or return with the code accepted (and used up when `consume`).
    Runs in its own transaction so a failed guess is counted though the caller gets an error."""
    limited = not trusted and settings.RATE_LIMITS_ENABLED
    if limited:
        guard.prepare(email=email)
    with transaction.atomic():
        row = _locked_row(email, otp_type.value, flow_id)
        allowance = None
        if limited and row is not None and _open_for_guessing(row):
            try:
                allowance = guard.code_guess_allowed(email=email)
            except TooManyRequests:
                metrics.CODES_REFUSED.labels(otp_type.value, "rate_limited").inc()
                raise
        verdict = _judge(row, code, timezone.now())
        if row is not None and verdict != _Verdict.MISSING:
            row.consumed_at = timezone.now() if verdict == _Verdict.OK and consume else None
            row.save(update_fields=["attempts", "consumed_at"])
        if allowance is not None and verdict == _Verdict.WRONG:
            guard.spend_code_guess(allowance)
    _count(otp_type, verdict)
    if verdict in (_Verdict.MISSING, _Verdict.WRONG):
        raise InvalidOtp()
    if verdict == _Verdict.EXPIRED:
        raise OtpExpired()
    if verdict == _Verdict.EXHAUSTED:
        raise TooManyAttempts()


def _count(otp_type: OtpType, verdict: _Verdict) -> None:
    if verdict == _Verdict.OK:
        metrics.CODES_VERIFIED.labels(otp_type.value).inc()
    else:
        metrics.CODES_REFUSED.labels(otp_type.value, verdict.value).inc()


def otp_import(
    *, email: str, otp_type: OtpType, code: str, attempts: int, expires_at: datetime
) -> None:
    """Carry over a still-valid code from the legacy system, hashed like ours (idempotent)."""
    OneTimeCode.objects.update_or_create(
        email=email,
        otp_type=otp_type.value,
        flow_id="",
        defaults={
            "code_hash": _digest(email=email, otp_type=otp_type.value, code=code),
            "attempts": attempts,
            "expires_at": expires_at,
            "consumed_at": None,
            "created_at": expires_at - timedelta(seconds=settings.OTP_TTL_SECONDS),
        },
    )
