"""Budgets that protect one address, spendable only by clients that are not its owner's devices.

Two things per address, kept for unknown addresses too so that nothing here tells a stranger
whether an account exists:

- consecutive password failures from untrusted clients. At SIGN_IN_CLOSE_AFTER_FAILURES (NIST SP
  800-63B 5.2.2: at most 100) password sign-in closes to untrusted clients until the owner proves
  the address (a code or link sign-in, a password reset, a passkey), which forgets the count, or
  signs in from a trusted device, which opens it again with the count kept: the one untrusted
  attempt it then takes is judged alone, and a failure closes it again. The owner is told once,
  by email. A success from an untrusted client resets the count.
- an allowance of wrong code guesses by untrusted clients: a token bucket of CODE_GUESS_BURST
  guesses refilled by one every CODE_GUESS_REFILL_SECONDS. A correct code spends nothing.

A row is created by an insert that ignores a duplicate, run on its own (autocommit, before any
transaction), and then locked by primary key: parallel first failures neither deadlock (no
shared lock is ever upgraded) nor lose a count.
"""

import math
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction

import clock
from auth_api import security_events
from auth_api.client import ClientInfo
from auth_api.errors import TooManyRequests
from auth_api.models import AccountGuard, SecurityEventType, guard_key
from emailing.models import EmailKind
from emailing.services import email_enqueue
from observability import metrics
from prepared import PreparedQuery


def prepare(*, email: str) -> None:
    """Make sure the address has a row; call outside any transaction."""
    AccountGuard.objects.bulk_create(
        [AccountGuard(address_key=guard_key(email))], ignore_conflicts=True
    )


def _locked(email: str) -> AccountGuard:
    return AccountGuard.objects.select_for_update().get(pk=guard_key(email))


@dataclass(frozen=True)
class UntrustedStanding:
    closed: bool  # password sign-in is closed to untrusted clients
    failures: int  # their consecutive password failures
    # This attempt is the one a factor past its count takes after the owner's trusted device
    # opened it again: it closed the factor behind it (`record_password_success` reopens).
    claimed: bool = False


_UNGUARDED = UntrustedStanding(closed=False, failures=0)


def untrusted_standing(*, email: str) -> UntrustedStanding:
    """One read; with the count past the threshold and the factor open (the owner's trusted
    device opened it), also the one UPDATE that claims its single attempt: of parallel attempts
    one is judged, the others find it closed. With rate limits off the guard is neither consulted
    nor kept."""
    if not settings.RATE_LIMITS_ENABLED:
        return _UNGUARDED
    key = guard_key(email)
    row = _STANDING.first(key=key)
    if row is None:
        return _UNGUARDED
    closed_at, failures = row
    if closed_at is None and failures >= settings.SIGN_IN_CLOSE_AFTER_FAILURES:
        claimed = AccountGuard.objects.filter(
            pk=key,
            closed_at__isnull=True,
            untrusted_failures__gte=settings.SIGN_IN_CLOSE_AFTER_FAILURES,
        ).update(closed_at=clock.now())
        return UntrustedStanding(closed=not claimed, failures=failures, claimed=bool(claimed))
    return UntrustedStanding(closed=closed_at is not None, failures=failures)


# Read before every untrusted password check: compiled once per process.
_STANDING = PreparedQuery(
    lambda key: AccountGuard.objects.filter(pk=key).values_list("closed_at", "untrusted_failures"),
    "key",
)


def record_untrusted_failure(
    *, email: str, user_id: str | None = None, client: ClientInfo | None = None
) -> None:
    """Count one failed password from an untrusted client; close at the threshold (once). For an
    existing account the failure also goes to its security activity, in the same transaction as
    the count, so a known and an unknown address cost the same commit."""
    limited = settings.RATE_LIMITS_ENABLED
    if limited:
        prepare(email=email)
    with transaction.atomic():
        if user_id is not None:
            security_events.record(
                user_id=user_id, type=SecurityEventType.SIGN_IN_FAILED, client=client
            )
        if not limited:
            return
        guard = _locked(email)
        guard.untrusted_failures += 1
        threshold = settings.SIGN_IN_CLOSE_AFTER_FAILURES
        if guard.closed_at is None and guard.untrusted_failures >= threshold:
            guard.closed_at = clock.now()
            if guard.untrusted_failures == threshold:  # told once: not at a later closing
                email_enqueue(kind=EmailKind.SIGN_IN_CLOSED, to_email=email, requires_user=True)
        guard.save(update_fields=["untrusted_failures", "closed_at"])


def record_password_success(*, email: str, standing: UntrustedStanding) -> None:
    """The right password from an untrusted client: the count starts again (an UPDATE only when
    the standing read before the check saw one; a failure counted in between may stay), and the
    factor this attempt claimed is open again."""
    if standing.claimed:
        owner_proven(email=email)
    elif standing.failures:
        AccountGuard.objects.filter(
            pk=guard_key(email), closed_at__isnull=True, untrusted_failures__gt=0
        ).update(untrusted_failures=0)


def owner_device_signed_in(*, email: str) -> None:
    """The right password from a trusted device of the account: a closed password sign-in opens
    again for the owner's new browsers, the strangers' count kept (see untrusted_standing)."""
    if settings.RATE_LIMITS_ENABLED:
        AccountGuard.objects.filter(pk=guard_key(email), closed_at__isnull=False).update(
            closed_at=None
        )


def owner_proven(*, email: str) -> None:
    """The owner proved the address (code sign-in, password reset): reopen, forget the failures.
    The code-guess allowance is left alone: the attack may go on, and its bound must hold."""
    AccountGuard.objects.filter(pk=guard_key(email)).update(untrusted_failures=0, closed_at=None)


def _refilled(guard: AccountGuard, now: datetime) -> float:
    burst = float(settings.CODE_GUESS_BURST)
    if guard.code_allowance is None or guard.code_allowance_at is None:
        return burst
    elapsed = (now - guard.code_allowance_at).total_seconds()
    return min(burst, guard.code_allowance + elapsed / settings.CODE_GUESS_REFILL_SECONDS)


def code_guess_allowed(*, email: str) -> AccountGuard:
    """Lock the address's guard (`prepare`d before the caller's transaction); TooManyRequests if
    no untrusted guess is left. Pass the guard to `spend_code_guess` when the guess was wrong."""
    guard = _locked(email)
    allowance = _refilled(guard, clock.now())
    if allowance < 1:
        wait = (1 - allowance) * settings.CODE_GUESS_REFILL_SECONDS
        metrics.RATE_LIMITED.labels("code_guess").inc()
        raise TooManyRequests(retry_after=math.ceil(wait))
    return guard


def spend_code_guess(guard: AccountGuard) -> None:
    now = clock.now()
    guard.code_allowance = _refilled(guard, now) - 1
    guard.code_allowance_at = now
    guard.save(update_fields=["code_allowance", "code_allowance_at"])
