"""The codes' table: a code issued, judged under a row lock, carried over from the import.

Six digits from `secrets`, valid OTP_TTL_SECONDS, stored as an HMAC keyed by the server (a database
leak does not let anyone test the 10^6 codes offline), compared in constant time, single use.
Attempts are counted under a row lock, so parallel guesses are serialised: after OTP_MAX_ATTEMPTS
wrong guesses no further guess is ever evaluated, however many arrive at once.

A code is bound to the flow of the client that asked for it: a client finds only its own code (or
one carried over by the import, bound to none), so nobody else can spend its guesses. Who may
send and guess, and the budgets around it, are `codes.process`.
"""

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from django.conf import settings
from django.db.models import Q
from django.utils.crypto import salted_hmac

import clock
from auth_api.codes.types import CodeType
from auth_api.errors import InvalidOtp, OtpExpired, TooManyAttempts
from auth_api.models import OneTimeCode


@dataclass(frozen=True)
class IssuedCode:
    code: str
    link_token: str  # the one-click link's token (the mail carries it in a URL fragment)
    expires_at: datetime


def _digest(*, email: str, type: str, code: str) -> str:
    # The HMAC's salt and layout are those codes were stored with since the first release.
    return salted_hmac("auth_api.otp", f"{type}\n{email}\n{code}", algorithm="sha256").hexdigest()


def random_code() -> str:
    return f"{secrets.randbelow(10**settings.OTP_LENGTH):0{settings.OTP_LENGTH}d}"


# The seam tests replace to know the code in advance (as `clock` is for time).
new_code: Callable[[], str] = random_code


def _link_digest(token: str) -> str:
    return salted_hmac("auth_api.email-link", token, algorithm="sha256").hexdigest()


def code_issue(
    *,
    email: str,
    type: CodeType,
    flow_id: str,
    account_id: str = "",
    ttl: timedelta | None = None,
    link_only: bool = False,
) -> IssuedCode:
    """A fresh code and link for (email, type) bound to `flow_id`, replacing that flow's earlier
    ones and its attempt count (other clients' codes stay as they are). `link_only`: a code no
    mail will ever carry (random, never the test seam's)."""
    code = random_code() if link_only else new_code()
    link_token, now = secrets.token_urlsafe(24), clock.now()
    expires_at = now + (ttl or timedelta(seconds=settings.OTP_TTL_SECONDS))
    OneTimeCode.objects.update_or_create(
        email=email,
        type=type.value,
        flow_id=flow_id,
        defaults={
            "code_hash": _digest(email=email, type=type.value, code=code),
            "link_hash": _link_digest(link_token),
            "account_id": account_id,
            "attempts": 0,
            "created_at": now,
            "expires_at": expires_at,
            "consumed_at": None,
        },
    )
    return IssuedCode(code=code, link_token=link_token, expires_at=expires_at)


def locked_link(token: str) -> OneTimeCode | None:
    """The live code whose link this is, locked (inside a transaction): unused and unexpired.
    A link is judged before any budget and whatever its code's wrong guesses: a stranger who asked
    for a code and spent its guesses must not kill the link that reached the owner's mailbox."""
    if not token or len(token) > 128:
        return None
    row = OneTimeCode.objects.select_for_update().filter(link_hash=_link_digest(token)).first()
    if row is None or row.consumed_at is not None or row.expires_at <= clock.now():
        return None
    return row


def code_use_up(row: OneTimeCode) -> None:
    row.consumed_at = clock.now()
    row.save(update_fields=["consumed_at"])


def code_import(
    *, email: str, type: CodeType, code: str, attempts: int, expires_at: datetime
) -> None:
    """Carry over a still-valid code from the legacy system, hashed like ours (idempotent)."""
    OneTimeCode.objects.update_or_create(
        email=email,
        type=type.value,
        flow_id="",
        defaults={
            "code_hash": _digest(email=email, type=type.value, code=code),
            "attempts": attempts,
            "expires_at": expires_at,
            "consumed_at": None,
            "created_at": expires_at - timedelta(seconds=settings.OTP_TTL_SECONDS),
        },
    )


def codes_pending_end(*, user_id: str, email: str) -> int:
    """A pending proof dies when the password or address it was issued for changes, or the owner
    ends every sign-in: the account's email-change codes and links, and the codes and links of
    its address that act on the account (forgotten password, step-up, verification)."""
    acting = [CodeType.FORGET_PASSWORD, CodeType.REAUTHENTICATION, CodeType.EMAIL_VERIFICATION]
    pending = OneTimeCode.objects.filter(
        Q(account_id=user_id, type=CodeType.EMAIL_CHANGE.value)
        | Q(email=email, type__in=[t.value for t in acting])
    )
    return pending.delete()[0]


def address_reserved(*, email: str) -> bool:
    """An address an account moved away from stays its own while the undo link works: nobody
    else can make an account of it (a squatter would block the owner's undo)."""
    return OneTimeCode.objects.filter(
        email=email,
        type=CodeType.EMAIL_CHANGE_UNDO.value,
        consumed_at__isnull=True,
        expires_at__gt=clock.now(),
    ).exists()


def undos_after_end(*, user_id: str, issued_at: datetime) -> int:
    """An undo used: the undo links of later changes die (a thief who chained changes holds
    one), earlier ones stay (the owner's, when the thief undid first)."""
    return OneTimeCode.objects.filter(
        account_id=user_id, type=CodeType.EMAIL_CHANGE_UNDO.value, created_at__gt=issued_at
    ).delete()[0]


class Verdict(Enum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"
    MISSING = "missing"

    def raise_unless_ok(self) -> None:
        if self in (Verdict.MISSING, Verdict.WRONG):
            raise InvalidOtp()
        if self == Verdict.EXPIRED:
            raise OtpExpired()
        if self == Verdict.EXHAUSTED:
            raise TooManyAttempts()


def locked_code(*, email: str, type: CodeType, flow_id: str | None) -> OneTimeCode | None:
    """The client's own code, else an unbound (imported) one; locked (inside a transaction)."""
    flows = ["", flow_id] if flow_id else [""]
    rows = OneTimeCode.objects.select_for_update().filter(
        email=email, type=type.value, flow_id__in=flows
    )
    return max(rows, key=lambda row: row.flow_id != "", default=None)


def open_for_guessing(row: OneTimeCode) -> bool:
    """A guess on this code will be evaluated (it is unused, unexpired, not exhausted)."""
    return (
        row.consumed_at is None
        and row.expires_at > clock.now()
        and row.attempts < settings.OTP_MAX_ATTEMPTS
    )


def code_judge(row: OneTimeCode | None, code: str, *, consume: bool) -> Verdict:
    """Judge a guess on the locked row and record it: a wrong guess counted, a right one used up
    when `consume`. Every guess on an exhausted code is counted and never evaluated."""
    verdict = _verdict(row, code, clock.now())
    if row is not None and verdict != Verdict.MISSING:
        row.consumed_at = clock.now() if verdict == Verdict.OK and consume else None
        row.save(update_fields=["attempts", "consumed_at"])
    return verdict


def _verdict(row: OneTimeCode | None, code: str, now: datetime) -> Verdict:
    if row is None or row.consumed_at is not None:
        return Verdict.MISSING
    if row.attempts >= settings.OTP_MAX_ATTEMPTS:
        row.attempts += 1  # counted, never evaluated
        return Verdict.EXHAUSTED
    if row.expires_at <= now:
        return Verdict.EXPIRED
    expected = _digest(email=row.email, type=row.type, code=code)
    if not hmac.compare_digest(expected, row.code_hash):
        row.attempts += 1
        return Verdict.WRONG
    return Verdict.OK
