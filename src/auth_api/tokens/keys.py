"""Access-token signing keys: key pairs shared by every process, published as a JWKS.

Private keys live in the database encrypted at rest (Fernet, keyed from SIGNING_KEYS_SECRET, which
defaults to SECRET_KEY), or come from a PEM (JWT_PRIVATE_KEY / JWT_PRIVATE_KEY_FILE) for teams that
manage keys themselves. Each process holds a `KeyRing` and reloads it every
SIGNING_KEYS_RELOAD_SECONDS (and at once, at most once a second, when a token names a kid it does
not know yet), never a query per request.

A key is published from its creation and signs from `active_from`: a rotation publishes the new
key SIGNING_KEY_ACTIVATION_SECONDS before it signs (longer than a JWKS may be cached plus a reload),
so no verifier meets a kid it cannot find. The previous key signs until then, stays published and
accepted until every token it signed has expired (+ access-token lifetime), then is *retired*.
"""

import base64
import hashlib
import json
import math
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from django.conf import settings
from django.db.models import Q
from django.utils.crypto import salted_hmac
from jwt.algorithms import get_default_algorithms

import clock
from auth_api.models import SigningKey

ALGORITHMS = ("EdDSA", "RS256", "ES256")
# The members RFC 7638 hashes, per key type, for a kid that is the key's thumbprint.
_THUMBPRINT_MEMBERS = {
    "OKP": ("crv", "kty", "x"),
    "RSA": ("e", "kty", "n"),
    "EC": ("crv", "kty", "x", "y"),
}


# --- one key -----------------------------------------------------------------------------------


def generate_private_key(algorithm: str) -> Any:
    if algorithm == "EdDSA":
        return ed25519.Ed25519PrivateKey.generate()
    if algorithm == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=3072)
    if algorithm == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    raise ValueError(f"JWT_ALGORITHM must be one of {', '.join(ALGORITHMS)}")


def public_jwk(public_key: Any, algorithm: str) -> dict:
    """The public JWK without kid (kid, alg and use are added by the ring)."""
    return json.loads(get_default_algorithms()[algorithm].to_jwk(public_key))


def thumbprint(jwk: dict) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url): a kid derived from the key itself."""
    members = {name: jwk[name] for name in _THUMBPRINT_MEMBERS[jwk["kty"]]}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode()


def _fernet() -> Fernet:
    secret = settings.SIGNING_KEYS_SECRET or settings.SECRET_KEY
    key = salted_hmac("auth_api.signing-keys", "fernet-key", secret=secret, algorithm="sha256")
    return Fernet(base64.urlsafe_b64encode(key.digest()))


def _pem(private_key: Any) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def create_key(
    *, algorithm: str, now: datetime | None = None, active_from: datetime | None = None
) -> SigningKey:
    """A new key pair, stored encrypted, signing from `active_from` (default: now)."""
    private_key = generate_private_key(algorithm)
    jwk = public_jwk(private_key.public_key(), algorithm)
    now = now or clock.now()
    return SigningKey.objects.create(
        kid=f"{thumbprint(jwk)[:16]}{secrets.token_hex(2)}",
        algorithm=algorithm,
        private_key=_fernet().encrypt(_pem(private_key)).decode(),
        public_jwk=json.dumps(jwk),
        created_at=now,
        active_from=active_from or now,
    )


# --- the ring every process holds ---------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    kid: str
    algorithm: str
    public: Any
    private: Any
    jwk: dict
    accepted_until: datetime | None  # None: active (signs)


@dataclass
class KeyRing:
    keys: dict[str, Key]
    signing: Key
    # Access tokens signed with the shared HS256 key before key pairs existed verify until then.
    hs256_issued_before: datetime | None
    loaded_at: float = field(default_factory=clock.monotonic)

    def published(self, now: datetime) -> list[dict]:
        return [k.jwk for k in self.keys.values() if _accepted(k, now)]

    def verifier(self, kid: str, now: datetime) -> Key | None:
        key = self.keys.get(kid)
        return key if key is not None and _accepted(key, now) else None


def _accepted(key: Key, now: datetime) -> bool:
    return key.accepted_until is None or key.accepted_until > now


def _key(kid: str, algorithm: str, private: Any, accepted_until: datetime | None) -> Key:
    public = private.public_key()
    jwk = {**public_jwk(public, algorithm), "kid": kid, "alg": algorithm, "use": "sig"}
    return Key(kid, algorithm, public, private, jwk, accepted_until)


def _configured_pem() -> bytes | None:
    if settings.JWT_PRIVATE_KEY:
        return settings.JWT_PRIVATE_KEY.encode()
    if settings.JWT_PRIVATE_KEY_FILE:
        return Path(settings.JWT_PRIVATE_KEY_FILE).read_bytes()
    return None


def _ring_from_pem(pem: bytes) -> KeyRing:
    private = serialization.load_pem_private_key(pem, password=None)
    algorithm = settings.JWT_ALGORITHM
    kid = thumbprint(public_jwk(private.public_key(), algorithm))
    key = _key(kid, algorithm, private, None)
    return KeyRing({kid: key}, key, settings.JWT_HS256_ACCEPT_ISSUED_BEFORE)


@cache
def _decrypted(kid: str, token: str) -> Any:
    return serialization.load_pem_private_key(_fernet().decrypt(token.encode()), password=None)


def _ring_from_database() -> KeyRing:
    now = clock.now()
    lifetime = settings.ACCESS_TOKEN_LIFETIME + timedelta(seconds=settings.JWT_LEEWAY_SECONDS)
    rows = list(SigningKey.objects.filter(retired_at__isnull=True).order_by("active_from"))

    def signs(row: SigningKey) -> bool:
        return row.active_from <= now and (row.deactivated_at is None or row.deactivated_at > now)

    if not any(signs(row) for row in rows):
        rows.append(create_key(algorithm=settings.JWT_ALGORITHM, now=now))
    keys = {}
    for row in rows:
        until = row.deactivated_at + lifetime if row.deactivated_at else None
        keys[row.kid] = _key(row.kid, row.algorithm, _decrypted(row.kid, row.private_key), until)
    signing = keys[[row for row in rows if signs(row)][-1].kid]
    first = SigningKey.objects.order_by("created_at").values_list("created_at", flat=True).first()
    return KeyRing(keys, signing, first)


_lock = threading.Lock()
_state: dict[str, Any] = {"ring": None, "forced_at": -math.inf}


def keyring(*, force: bool = False) -> KeyRing:
    """This process's ring, reloaded every SIGNING_KEYS_RELOAD_SECONDS; `force` reloads now
    (at most once a second: a token with a kid nobody knows cannot make every request query)."""
    ring: KeyRing | None = _state["ring"]
    now = clock.monotonic()
    if force and now - _state["forced_at"] < 1.0:
        force = False
    if (
        ring is not None
        and not force
        and now - ring.loaded_at < settings.SIGNING_KEYS_RELOAD_SECONDS
    ):
        return ring
    with _lock:
        if force:
            _state["forced_at"] = now
        pem = _configured_pem()
        _state["ring"] = _ring_from_pem(pem) if pem else _ring_from_database()
        return _state["ring"]


def forget_keyring() -> None:
    _state["ring"] = None
    _state["forced_at"] = -math.inf


# --- what the management command does ---------------------------------------------------------


def rotate(*, algorithm: str | None = None, now_: bool = False) -> SigningKey:
    """A new key, published at once and signing after SIGNING_KEY_ACTIVATION_SECONDS (at once with
    `now_`: a compromised key). The keys it replaces sign until then, and stay published until
    every token they signed has expired."""
    now = clock.now()
    delay = 0 if now_ else settings.SIGNING_KEY_ACTIVATION_SECONDS
    active_from = now + timedelta(seconds=delay)
    key = create_key(
        algorithm=algorithm or settings.JWT_ALGORITHM, now=now, active_from=active_from
    )
    SigningKey.objects.exclude(pk=key.pk).filter(
        Q(deactivated_at__isnull=True) | Q(deactivated_at__gt=active_from)
    ).update(deactivated_at=active_from)
    forget_keyring()
    return key


def retire(*, kid: str | None = None) -> list[str]:
    """Retire the deactivated keys whose tokens have all expired (or, with `kid`, that key now:
    a compromised key stops verifying at once). Returns the retired kids."""
    now = clock.now()
    queryset = SigningKey.objects.filter(retired_at__isnull=True)
    if kid is None:
        cutoff = (
            now - settings.ACCESS_TOKEN_LIFETIME - timedelta(seconds=settings.JWT_LEEWAY_SECONDS)
        )
        queryset = queryset.filter(deactivated_at__lte=cutoff)
    else:
        queryset = queryset.filter(pk=kid)
    kids = list(queryset.values_list("kid", flat=True))
    SigningKey.objects.filter(pk__in=kids).update(retired_at=now)
    SigningKey.objects.filter(pk__in=kids, deactivated_at__isnull=True).update(deactivated_at=now)
    forget_keyring()
    return kids
