"""Pending sign-ins: the first proof passed, the second step is awaited.

The client gets a signed token of the pending sign-in's id (an httpOnly cookie, or
`twoFactorToken` in the body for body-transport clients) and nothing else: no access token, no
refresh token. The row lives TWO_FACTOR_PENDING_SECONDS and admits TWO_FACTOR_MAX_ATTEMPTS answers,
counted by one conditional UPDATE before an answer is judged, so parallel answers cannot pass the
limit. This is an attempt limit of the pending sign-in itself: it holds whatever
RATE_LIMITS_ENABLED says. The row is deleted when the sign-in completes.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db.models import F

import clock
from auth_api.models import PendingSignIn
from auth_api.tokens.sign_ins import IssuedTokens

_SALT = "auth_api.pending-sign-in"


def pending_start(
    *,
    user_id: str,
    remember_me: bool,
    amr: tuple[str, ...],
    method: str,
    event: str,
) -> tuple[PendingSignIn, str]:
    """A new pending sign-in and the token its client holds."""
    now = clock.now()
    PendingSignIn.objects.filter(expires_at__lte=now).delete()
    pending = PendingSignIn.objects.create(
        id=secrets.token_hex(16),
        user_id=user_id,
        remember_me=remember_me,
        amr=" ".join(amr),
        method=method,
        event=event,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.TWO_FACTOR_PENDING_SECONDS),
    )
    return pending, signing.dumps(pending.id, salt=_SALT)


def max_age_seconds() -> int:
    return settings.TWO_FACTOR_PENDING_SECONDS


def _id_of(token: str | None) -> str | None:
    if not token or len(token) > 256:
        return None
    try:
        value = signing.loads(token, salt=_SALT, max_age=settings.TWO_FACTOR_PENDING_SECONDS)
    except (signing.BadSignature, ValueError):
        return None
    return value if isinstance(value, str) else None


def pending_of(token: str | None) -> PendingSignIn | None:
    """The live pending sign-in this token names, or None."""
    pending_id = _id_of(token)
    if pending_id is None:
        return None
    return (
        PendingSignIn.objects.select_related("user")
        .filter(pk=pending_id, expires_at__gt=clock.now(), user__is_active=True)
        .first()
    )


def pending_attempt(pending: PendingSignIn) -> bool:
    """Count one answer before it is judged; False when the pending sign-in has none left."""
    return (
        PendingSignIn.objects.filter(
            pk=pending.pk,
            attempts__lt=settings.TWO_FACTOR_MAX_ATTEMPTS,
            expires_at__gt=clock.now(),
        ).update(attempts=F("attempts") + 1)
        > 0
    )


def pending_end(pending: PendingSignIn) -> bool:
    """Spend the pending sign-in; True for the one caller that did (completes at most once)."""
    return PendingSignIn.objects.filter(pk=pending.pk).delete()[0] > 0


def pendings_end(*, user_id: str) -> None:
    PendingSignIn.objects.filter(user_id=user_id).delete()


@dataclass(frozen=True)
class SecondStepRequired:
    """What a sign-in path answers instead of tokens when the account asks for a second step."""

    user_id: str
    token: str  # the pending sign-in's, for its client only
    methods: tuple[str, ...]  # totp, backup-code, passkey


SignInOutcome = IssuedTokens | SecondStepRequired
