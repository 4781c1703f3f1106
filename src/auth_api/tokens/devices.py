"""Trusted devices (OWASP "Slow Down Online Guessing Attacks with Device Cookies"), kept on the
server so that trust can be listed, revoked and ended.

A client that completes a sign-in to an account gets a `TrustedDevice` row and holds its id and a
128-bit secret; only a keyed hash of the secret is stored. The device token holds up to
MAX_ACCOUNTS such entries (a shared browser) and travels in an httpOnly cookie, or in JSON bodies
(`deviceToken`) for non-browser clients. Trust ends after TRUSTED_DEVICE_DAYS, when the owner
revokes it, and at every event that must end it (`devices_end`): sign out everywhere, a password
reset, a password change that ends other sign-ins, an address claimed by proof, an email change,
turning off two-factor authentication, account deletion (the rows go with the user).
"""

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import Literal

from django.conf import settings
from django.utils.crypto import salted_hmac

import clock
from auth_api.client import ClientInfo
from auth_api.models import TrustedDevice
from prepared import PreparedQuery, insert, update
from users.ids import ID_ALPHABET, ID_LENGTH

MAX_ACCOUNTS = 5
_ENTRY, _ENTRIES = ".", "~"  # cookie-safe: ids are alphanumeric, secrets base64url


def max_age_seconds() -> int:
    return settings.TRUSTED_DEVICE_DAYS * 24 * 3600


def _hash(secret: str, key: str | None = None) -> str:
    return salted_hmac(
        "auth_api.trusted-device", secret, secret=key, algorithm="sha256"
    ).hexdigest()


def _matches(secret: str, secret_hash: str) -> bool:
    """Under SECRET_KEY, or one of SECRET_KEY_FALLBACKS (a rotated key ends no device's trust)."""
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return any(hmac.compare_digest(_hash(secret, key), secret_hash) for key in keys)


# An id as this service makes them (users.ids): anything else names no device. The database would
# find a row for some other spellings (MySQL's binary collations pad trailing spaces).
_ID = re.compile(f"[{re.escape(ID_ALPHABET)}]{{{ID_LENGTH}}}")


def _entries(token: str | None) -> list[tuple[str, str]]:
    if not token or len(token) > 1024:
        return []
    pairs = (entry.partition(_ENTRY) for entry in token.split(_ENTRIES)[:MAX_ACCOUNTS])
    return [
        (device_id, secret) for device_id, _, secret in pairs if _ID.fullmatch(device_id) and secret
    ]


@dataclass(frozen=True)
class KnownDevice:
    """A live trusted device of one account, as its token proved it."""

    id: str
    skips_second_factor: bool  # its owner trusted it at a second step


@dataclass(frozen=True)
class DeviceTrusted:
    """A complete sign-in's device: the token the client gets, and whether the sign-in made it."""

    token: str  # this account's entry first, the other accounts' after it
    new: bool  # the client held no live device of this account


class _NotRead(Enum):
    NOT_READ = "not read"


# What a caller passes on about the client's device: the one it read (a KnownDevice, or None: it
# looked and there is none), or NOT_READ (the callee reads it).
NOT_READ = _NotRead.NOT_READ
DeviceRead = KnownDevice | None | Literal[_NotRead.NOT_READ]


# A user id no account has: an address without an account is asked the same query (no answer
# tells by its time whether the address has one).
NO_ACCOUNT = ""


def trusted_device(token: str | None, *, user_id: str) -> KnownDevice | None:
    """The live device this token holds for `user_id` (one query), or None: not trusted."""
    entries = dict(_entries(token))
    if not entries:
        return None
    ids = {f"id{n}": device_id for n, device_id in enumerate(entries)}
    now = clock.now()
    for device_id, secret_hash, skips, expires_at in _DEVICES[len(ids)].all(user_id=user_id, **ids):
        if expires_at > now and _matches(entries[device_id], secret_hash):
            return KnownDevice(id=device_id, skips_second_factor=skips)
    return None


def _devices_query(count: int) -> PreparedQuery:
    return PreparedQuery(
        lambda user_id, **ids: TrustedDevice.objects.filter(
            pk__in=list(ids.values()), user_id=user_id
        ).values_list("pk", "secret_hash", "skips_second_factor", "expires_at"),
        "user_id",
        *(f"id{n}" for n in range(count)),
        limit=count,
    )


# Read on every sign-in from a returning device: one prepared query per number of entries a
# token can hold, the expiry checked above (it needs the clock).
_DEVICES = {count: _devices_query(count) for count in range(1, MAX_ACCOUNTS + 1)}


def trusted_device_id(token: str | None, *, user_id: str) -> str | None:
    """The id of the live device this token holds for `user_id`, or None: not trusted."""
    device = trusted_device(token, user_id=user_id)
    return device.id if device is not None else None


def device_renew(device: KnownDevice, *, user_id: str, skip_second_factor: bool = False) -> bool:
    """Renew the trust of a device read earlier in the sign-in: False when its trust has ended
    since. Call it inside the sign-in's transaction: the UPDATE holds the row until the commit,
    so an end of trust (a DELETE) either comes first (this finds no row) or waits for the sign-in
    and then ends it with the rest."""
    now = clock.now()
    changes: dict = {
        "last_used_at": now,
        "expires_at": now + timedelta(days=settings.TRUSTED_DEVICE_DAYS),
    }
    if skip_second_factor:
        changes["skips_second_factor"] = True
    live = {"id": device.id, "user": user_id, "expires_at__gt": now}
    return update(TrustedDevice, changes, where=live) > 0


def device_trust(
    token: str | None,
    *,
    user_id: str,
    client: ClientInfo,
    skip_second_factor: bool = False,
    renewed: DeviceRead = NOT_READ,
) -> DeviceTrusted:
    """The device token after a complete sign-in of `user_id`: that account's device (kept, or
    made now) first, the other accounts' entries after it. `skip_second_factor`: the owner asked
    to trust it at a second step (it keeps that until its trust ends). `renewed`: the device the
    sign-in already renewed (`device_renew`), or None (it has none); by default it is read and
    renewed here."""
    if renewed is not NOT_READ and skip_second_factor:
        raise ValueError("skip_second_factor is set by the renewal: renewed must be NOT_READ")
    if renewed is NOT_READ:
        kept = trusted_device(token, user_id=user_id)
        if kept is not None and not device_renew(
            kept, user_id=user_id, skip_second_factor=skip_second_factor
        ):
            kept = None
    else:
        kept = renewed
    entries = _entries(token)
    if kept is not None:
        mine = next(entry for entry in entries if entry[0] == kept.id)
    else:
        now = clock.now()
        secret = secrets.token_urlsafe(16)
        device = TrustedDevice(
            user_id=user_id,
            secret_hash=_hash(secret),
            created_at=now,
            last_used_at=now,
            expires_at=now + timedelta(days=settings.TRUSTED_DEVICE_DAYS),
            ip_address=client.ip,
            user_agent=client.user_agent,
            skips_second_factor=skip_second_factor,
        )
        insert(device)
        mine = (device.pk, secret)
    others = [entry for entry in entries if entry[0] != mine[0]][: MAX_ACCOUNTS - 1]
    token = _ENTRIES.join(_ENTRY.join(entry) for entry in [mine, *others])
    return DeviceTrusted(token=token, new=kept is None)


def devices_end(*, user_id: str, keep_token: str | None = None) -> int:
    """End the trust of every device of `user_id` (but the one `keep_token` holds for it)."""
    devices = TrustedDevice.objects.filter(user_id=user_id)
    kept = trusted_device_id(keep_token, user_id=user_id) if keep_token else None
    if kept is not None:
        devices = devices.exclude(pk=kept)
    return devices.delete()[0]


def device_end(*, user_id: str, device_id: str) -> bool:
    return TrustedDevice.objects.filter(pk=device_id, user_id=user_id).delete()[0] > 0


def devices_live(*, user_id: str) -> list[TrustedDevice]:
    return list(
        TrustedDevice.objects.filter(user_id=user_id, expires_at__gt=clock.now()).order_by(
            "-last_used_at"
        )
    )
