"""Sign-ins (each a chain of rotated refresh tokens): start, rotate with reuse detection, end,
revoke, list."""

import dataclasses
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, NamedTuple, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, models, transaction

import clock
from auth_api import security_events, signals
from auth_api.client import ClientInfo
from auth_api.errors import InvalidRefreshToken, RefreshTokenReused
from auth_api.models import RevokeReason, SecurityEventType, SignIn, sign_in_expired
from auth_api.tokens import revocations
from auth_api.tokens.claims import (
    BadToken,
    RefreshClaims,
    decode_refresh_token,
    mint_access_token,
    mint_refresh_token,
    refresh_lifetime,
)
from auth_api.tokens.devices import NOT_READ, DeviceRead, device_trust, devices_end
from observability import metrics
from prepared import PreparedQuery, insert
from users.models import User
from users.selectors import user_get_active

ModelT = TypeVar("ModelT", bound=models.Model)


@dataclass(frozen=True)
class IssuedTokens:
    user: User
    sign_in: SignIn
    access_token: str
    access_expires_at: datetime
    # None for new tokens of a sign-in the caller already holds (step-up, a changed email): an
    # access token must never buy the refresh token of its sign-in.
    refresh_token: str | None
    device_token: str | None = None  # a new sign-in's trusted device (see devices)
    new_device: bool = False  # that device was made by this sign-in (the client held none)


class _Outcome(Enum):
    ROTATED = "rotated"
    GRACE = "grace"
    REUSED = "reused"
    INVALID = "invalid"


def _new_jti() -> str:
    return secrets.token_hex(16)


def _issue(user: User, sign_in: SignIn, *, refresh: bool = True) -> IssuedTokens:
    access, access_expires_at = mint_access_token(
        user=user, sid=sign_in.id, auth_time=sign_in.auth_time, amr=tuple(sign_in.amr.split())
    )
    refresh_token = mint_refresh_token(sign_in) if refresh else None
    return IssuedTokens(user, sign_in, access, access_expires_at, refresh_token)


def _second(now: datetime) -> datetime:
    # JWT dates are whole seconds; the row keeps the same value so tokens can be rebuilt exactly.
    return now.replace(microsecond=0)


def sign_in_start(
    *,
    user: User,
    remember_me: bool,
    client: ClientInfo,
    amr: tuple[str, ...] = ("pwd",),
    skip_second_factor: bool = False,
    device: DeviceRead = NOT_READ,
) -> IssuedTokens:
    """A new sign-in of `user`, proven by `amr` (RFC 8176), its device trusted (to skip the
    second step too, with `skip_second_factor`: the owner's `trustDevice`), its tokens.
    `device`: the client's trusted device as the caller renewed it already (devices.device_renew),
    read and renewed here by default."""
    now = _second(clock.now())
    sign_in = SignIn(
        user=user,
        remember_me=remember_me,
        current_jti=_new_jti(),
        current_issued_at=now,
        expires_at=now + refresh_lifetime(remember_me=remember_me),
        created_at=now,
        last_used_at=now,
        auth_time=now,
        ip_address=client.ip,
        user_agent=client.user_agent,
        body_transport=client.body_transport,
        amr=" ".join(amr),
    )
    insert(sign_in)  # the INSERT written once per process (prepared.insert)
    issued = _issue(user, sign_in)
    # A complete sign-in trusts the client: its device for this account, kept or made now.
    trusted = device_trust(
        client.device_token,
        user_id=user.pk,
        client=client,
        skip_second_factor=skip_second_factor,
        renewed=device,
    )
    return dataclasses.replace(issued, device_token=trusted.token, new_device=trusted.new)


def _next_token(sign_in: SignIn, now: datetime) -> None:
    sign_in.previous_jti = sign_in.current_jti
    sign_in.current_jti = _new_jti()
    sign_in.current_issued_at = now
    sign_in.rotated_at = now
    # However often it rotates, a sign-in ends SIGN_IN_ABSOLUTE_LIFETIME after its credential
    # check (ASVS 7.3.2): a stolen, diligently refreshed token does not live forever.
    sign_in.expires_at = min(
        now + refresh_lifetime(remember_me=sign_in.remember_me),
        sign_in.created_at + settings.SIGN_IN_ABSOLUTE_LIFETIME,
    )
    sign_in.last_used_at = now
    sign_in.save(
        update_fields=[
            "previous_jti",
            "current_jti",
            "current_issued_at",
            "rotated_at",
            "expires_at",
            "last_used_at",
        ]
    )


def _classify(sign_in: SignIn | None, claims: RefreshClaims, now: datetime) -> _Outcome:
    if sign_in is None or sign_in.user_id != claims.user_id or not sign_in.is_live(now):
        return _Outcome.INVALID
    if claims.jti == sign_in.current_jti:
        return _Outcome.ROTATED
    in_grace = (
        sign_in.rotated_at is not None and now - sign_in.rotated_at <= settings.REFRESH_REUSE_GRACE
    )
    if claims.jti == sign_in.previous_jti and in_grace:
        return _Outcome.GRACE
    return _Outcome.REUSED


def sign_in_rotate(*, raw_token: str | None) -> IssuedTokens:
    """Trade a refresh token for new tokens; a rotated token coming back ends the sign-in."""
    if not raw_token:
        metrics.REFRESHES.labels(_Outcome.INVALID.value).inc()
        raise InvalidRefreshToken()
    try:
        claims = decode_refresh_token(raw_token)
    except BadToken:
        metrics.REFRESHES.labels(_Outcome.INVALID.value).inc()
        raise InvalidRefreshToken() from None
    return _rotated(claims)


def sign_in_end(*, raw_token: str | None) -> RefreshClaims | None:
    """End the sign-in the token belongs to; its claims when this ended it. Idempotent: a
    missing or dead token is fine."""
    if not raw_token:
        return None
    try:
        claims = decode_refresh_token(raw_token)
    except BadToken:
        return None
    ended = sign_in_revoke(
        sign_in_id=claims.sid, user_id=claims.user_id, reason=RevokeReason.SIGN_OUT
    )
    return claims if ended else None


def _rotated(claims: RefreshClaims) -> IssuedTokens:
    """Rotate the sign-in's token. Claims are re-read from the database (role, verified, active)."""
    now = _second(clock.now())
    with transaction.atomic():
        # The row lock serialises parallel refreshes of one sign-in: exactly one rotates.
        sign_in = SignIn.objects.select_for_update().filter(pk=claims.sid).first()
        outcome = _classify(sign_in, claims, now)
        if sign_in is None or outcome == _Outcome.INVALID:
            metrics.REFRESHES.labels(_Outcome.INVALID.value).inc()
            raise InvalidRefreshToken()
        this = SignIn.objects.filter(pk=sign_in.pk)
        user = user_get_active(user_id=claims.user_id)
        if user is None:
            _revoke_rows(this, reason=RevokeReason.USER_INACTIVE, now=now)
        elif outcome == _Outcome.ROTATED:
            _next_token(sign_in, now)
        elif outcome == _Outcome.REUSED:
            # A rotated token came back: someone holds a copy. End the whole sign-in.
            _revoke_rows(this, reason=RevokeReason.REUSE, now=now)
            security_events.record(user_id=user.pk, type=SecurityEventType.REFRESH_REUSED)
            signals.refresh_token_reused.send(sender=type(user), user=user, sign_in_id=sign_in.pk)
    counted = _Outcome.INVALID if user is None and outcome != _Outcome.REUSED else outcome
    metrics.REFRESHES.labels(counted.value).inc()
    if outcome == _Outcome.REUSED:
        raise RefreshTokenReused()
    if user is None:
        raise InvalidRefreshToken()
    return _issue(user, sign_in)


def sign_in_auth_time_renew(*, user: User, sign_in: SignIn) -> IssuedTokens:
    """The owner proved it again in this sign-in: its `authTime` is now; new tokens say so."""
    sign_in.auth_time = _second(clock.now())
    sign_in.save(update_fields=["auth_time"])
    return _issue(user, sign_in, refresh=False)


def sign_in_reissue(*, user: User, sign_in: SignIn) -> IssuedTokens:
    """New tokens of the same sign-in (the user's claims changed, e.g. its email)."""
    return _issue(user, sign_in, refresh=False)


def _revoke_rows(queryset, *, reason: RevokeReason, now: datetime | None = None) -> int:
    """Revoke; this process refuses their access tokens at once, every other one within
    REVOCATION_REFRESH_SECONDS (see revocations)."""
    ids = list(queryset.filter(revoked_at__isnull=True).values_list("id", flat=True))
    if not ids:
        return 0
    revocations.note_revoked(ids)
    # The rows locked by primary key, in its order, then changed by primary key alone, as a
    # refresh holds its row: an UPDATE that found them through the revoked_at index would lock
    # that index's entries before the rows, the other order (a deadlock with a replayed token).
    with transaction.atomic(savepoint=False):
        rows = SignIn.objects.select_for_update().filter(pk__in=ids).order_by("pk")
        live = [pk for pk, revoked_at in rows.values_list("id", "revoked_at") if revoked_at is None]
        if not live:
            return 0
        return SignIn.objects.filter(pk__in=live).update(
            revoked_at=now or clock.now(), revoke_reason=reason
        )


def sign_in_revoke(*, sign_in_id: str, user_id: str, reason: RevokeReason) -> bool:
    return _revoke_rows(SignIn.objects.filter(pk=sign_in_id, user_id=user_id), reason=reason) > 0


def sign_ins_revoke_all(
    *,
    user_id: str,
    reason: RevokeReason,
    keep: str | None = None,
    keep_device_token: str | None = None,
) -> int:
    """End every sign-in of the user (but `keep`) and the trust of every device of theirs (but
    the one `keep_device_token` holds): each reason this is called for (sign out everywhere or
    of the others, a password reset or change, an address claimed, an email change) ends both."""
    devices_end(user_id=user_id, keep_token=keep_device_token)
    queryset = SignIn.objects.filter(user_id=user_id)
    if keep is not None:
        queryset = queryset.exclude(pk=keep)
    return _revoke_rows(queryset, reason=reason)


def sign_ins_live(*, user_id: str) -> list[SignIn]:
    now = clock.now()
    return list(
        SignIn.objects.filter(
            user_id=user_id, revoked_at__isnull=True, expires_at__gt=now
        ).order_by("-last_used_at")
    )


class UserShown(NamedTuple):
    """A user's public columns, as GET session/ shows them."""

    id: str
    email: str
    name: str
    role: str
    email_verified: bool
    two_factor_enabled: bool
    image: str | None
    created_at: datetime
    updated_at: datetime


# What the current sign-in's answer (GET session/) needs besides the ids the token carries: the
# user's public columns, in UserShown's order.
_USER_COLUMNS = UserShown._fields[1:]


def _live_sign_in(*columns: str) -> PreparedQuery:
    """The caller's live sign-in and its active user: `expires_at` and `columns` of it, then the
    user's public columns. Compiled once per process (PreparedQuery), the row packed in one
    column; revocation and the user's state are checked in SQL, the expiry by the caller (it
    needs the clock)."""
    return PreparedQuery(
        lambda sign_in_id, user_id: SignIn.objects.filter(
            pk=sign_in_id, user_id=user_id, revoked_at__isnull=True, user__is_active=True
        ).values_list("expires_at", *columns, *(f"user__{column}" for column in _USER_COLUMNS)),
        "sign_in_id",
        "user_id",
        packed=True,
    )


# Every flow that starts from the caller's sign-in.
_LIVE_SIGN_IN = _live_sign_in("body_transport", "amr")
# GET session/, every page load: what its answer shows, and no model instance.
_SESSION = _live_sign_in()


@dataclass(frozen=True)
class SessionShown:
    """The caller's live sign-in, as GET session/ shows it."""

    id: str
    expires_at: datetime
    user: UserShown


def session_shown(*, sign_in_id: str, user_id: str) -> SessionShown | None:
    """What GET session/ shows of the live sign-in and its active user (one query), or None."""
    row = _SESSION.first(sign_in_id=sign_in_id, user_id=user_id)
    # SignIn.is_live: unrevoked (the query's condition), not expired.
    if row is None or sign_in_expired(row[0], clock.now()):
        return None
    expires_at, *user_values = row
    return SessionShown(sign_in_id, expires_at, UserShown(user_id, *user_values))


def _loaded(model: type[ModelT], values: dict[str, Any]) -> ModelT:
    """An instance of the loaded columns (the others deferred), as the ORM makes from a row."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(DEFAULT_DB_ALIAS, names, [values[name] for name in names])


def sign_in_with_user(*, sign_in_id: str, user_id: str) -> SignIn | None:
    """The live sign-in and its active user, in one query."""
    row = _LIVE_SIGN_IN.first(sign_in_id=sign_in_id, user_id=user_id)
    if row is None:
        return None
    expires_at, body_transport, amr, *user_values = row
    user = _loaded(
        User,
        {"id": user_id, "is_active": True, **dict(zip(_USER_COLUMNS, user_values, strict=True))},
    )
    sign_in = _loaded(
        SignIn,
        {
            "id": sign_in_id,
            "user_id": user_id,
            "expires_at": expires_at,
            "revoked_at": None,
            "body_transport": body_transport,
            "amr": amr,
        },
    )
    sign_in.user = user
    return sign_in if sign_in.is_live(clock.now()) else None
