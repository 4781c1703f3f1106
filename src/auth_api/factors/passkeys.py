"""Passkeys (WebAuthn Level 2/3) through py_webauthn: every byte of CBOR, COSE and signature is
the library's. What is ours is the state around it:

- challenges: 32 random bytes, stored as a hash with what they are bound to (a signed-in user for
  registration; the client's challenge token, an httpOnly cookie or `challengeToken`, for
  authentication), spent by the one DELETE that finds them, so each answers once;
- credentials: id, COSE public key, sign count (a count that does not grow is refused, and the
  stored count only ever grows), transports, backup flags, AAGUID, a name;
- user verification is required everywhere: a passkey is a factor of its own plus the
  authenticator's PIN or biometric, so a passkey sign-in is multi-factor.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import webauthn
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    options_to_json_dict,
    parse_authentication_credential_json,
    parse_client_data_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

import clock
from auth_api.errors import InvalidPasskey, PasskeyRejected
from auth_api.models import Passkey, WebAuthnChallenge
from users.models import User

REGISTRATION, AUTHENTICATION = "registration", "authentication"
# The library's credential device types, named as WebAuthn (and better-auth) name them.
_DEVICE_TYPES = {"single_device": "singleDevice", "multi_device": "multiDevice"}
NAME_MAX_LENGTH = 64
_MALFORMED = (WebAuthnException, ValueError, TypeError, KeyError, AttributeError)


def _digest(value: bytes | str) -> str:
    data = value.encode() if isinstance(value, str) else value
    return hashlib.sha256(data).hexdigest()


def _challenge_new(*, purpose: str, user_id: str | None = None, binding: str = "") -> bytes:
    challenge = secrets.token_bytes(32)
    now = clock.now()
    WebAuthnChallenge.objects.filter(expires_at__lte=now).delete()
    WebAuthnChallenge.objects.create(
        challenge_hash=_digest(challenge),
        purpose=purpose,
        user_id=user_id,
        binding_hash=_digest(binding) if binding else "",
        expires_at=now + timedelta(seconds=settings.WEBAUTHN_CHALLENGE_SECONDS),
    )
    return challenge


def _challenge_spend(
    client_data_json: bytes, *, purpose: str, user_id: str | None = None, binding: str = ""
) -> bytes | None:
    """The challenge the browser signed, if it is live and bound to this user or client; spent."""
    try:
        challenge = parse_client_data_json(client_data_json).challenge
    except _MALFORMED:
        return None
    bound = Q(user_id=user_id) if user_id else Q(binding_hash=_digest(binding) if binding else "-")
    spent = WebAuthnChallenge.objects.filter(
        bound, challenge_hash=_digest(challenge), purpose=purpose, expires_at__gt=clock.now()
    ).delete()[0]
    return challenge if spent else None


def _descriptors(user_id: str) -> list[PublicKeyCredentialDescriptor]:
    rows = Passkey.objects.filter(user_id=user_id).values_list("credential_id", flat=True)
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(cid)) for cid in rows]


def registration_options(*, user: User) -> dict[str, Any]:
    """PublicKeyCredentialCreationOptions (JSON form) for a new passkey of `user`."""
    options = webauthn.generate_registration_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        rp_name=settings.WEBAUTHN_RP_NAME,
        user_id=user.pk.encode(),
        user_name=user.email,
        user_display_name=user.name or user.email,
        challenge=_challenge_new(purpose=REGISTRATION, user_id=user.pk),
        timeout=settings.WEBAUTHN_CHALLENGE_SECONDS * 1000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=_descriptors(user.pk),
    )
    return options_to_json_dict(options)


def register(*, user: User, credential: dict, name: str) -> Passkey:
    """Verify a new credential against the user's live registration challenge and keep it."""
    try:
        parsed = parse_registration_credential_json(credential)
        challenge = _challenge_spend(
            parsed.response.client_data_json, purpose=REGISTRATION, user_id=user.pk
        )
        if challenge is None:
            raise PasskeyRejected()
        verified = webauthn.verify_registration_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=settings.WEBAUTHN_RP_ID,
            expected_origin=settings.WEBAUTHN_ORIGINS,
            require_user_verification=True,
        )
    except _MALFORMED:
        raise PasskeyRejected() from None
    credential_hash = _digest(verified.credential_id)
    if Passkey.objects.filter(credential_hash=credential_hash).exists():
        raise PasskeyRejected()
    transports = [str(getattr(t, "value", t)) for t in (parsed.response.transports or [])]
    try:
        with transaction.atomic():  # a savepoint: a clash leaves the caller's transaction usable
            return Passkey.objects.create(
                user=user,
                credential_id=bytes_to_base64url(verified.credential_id),
                credential_hash=credential_hash,
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                transports=",".join(transports)[:128],
                device_type=_DEVICE_TYPES[verified.credential_device_type.value],
                backed_up=verified.credential_backed_up,
                aaguid=verified.aaguid,
                name=(name.strip() or "Passkey")[:NAME_MAX_LENGTH],
                created_at=clock.now(),
            )
    except IntegrityError:  # the same credential registered at the same moment: one keeps it
        raise PasskeyRejected() from None


def authentication_options() -> tuple[dict[str, Any], str]:
    """PublicKeyCredentialRequestOptions for a discoverable credential (no allowCredentials, so
    the answer says nothing about any account), and the challenge token (256 random bits) the
    client must hold to answer them: the challenge is bound to it."""
    binding = secrets.token_urlsafe(32)
    options = webauthn.generate_authentication_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        challenge=_challenge_new(purpose=AUTHENTICATION, binding=binding),
        timeout=settings.WEBAUTHN_CHALLENGE_SECONDS * 1000,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json_dict(options), binding


@dataclass(frozen=True)
class Asserted:
    passkey: Passkey
    user_id: str

    @property
    def amr(self) -> tuple[str, ...]:
        """RFC 8176: a synced passkey is a software key, a device-bound one a hardware key."""
        return ("swk" if self.passkey.device_type == "multiDevice" else "hwk",)


def authenticate(*, credential: dict, binding: str, user_id: str | None = None) -> Asserted:
    """The passkey that signed this client's live challenge, its sign count moved on. Raises
    InvalidPasskey: unknown credential, spent or foreign challenge, bad signature, no user
    verification, or a sign count that did not grow (a cloned authenticator). With `user_id` (a
    second step, a step-up: the account is known), another account's passkey is unknown here,
    refused before it is verified, so nothing of it changes."""
    try:
        parsed = parse_authentication_credential_json(credential)
        raw_id = (
            base64url_to_bytes(parsed.raw_id) if isinstance(parsed.raw_id, str) else parsed.raw_id
        )
        passkeys = Passkey.objects.filter(credential_hash=_digest(raw_id))
        if user_id is not None:
            passkeys = passkeys.filter(user_id=user_id)
        passkey = passkeys.first()
        challenge = _challenge_spend(
            parsed.response.client_data_json, purpose=AUTHENTICATION, binding=binding
        )
        if passkey is None or challenge is None:
            raise InvalidPasskey()
        verified = webauthn.verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=settings.WEBAUTHN_RP_ID,
            expected_origin=settings.WEBAUTHN_ORIGINS,
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except _MALFORMED:
        raise InvalidPasskey() from None
    # The count only grows: of two answers signed with one count, the second finds it taken.
    moved = Passkey.objects.filter(pk=passkey.pk)
    if verified.new_sign_count or passkey.sign_count:
        moved = moved.filter(sign_count__lt=verified.new_sign_count)
    if not moved.update(
        sign_count=verified.new_sign_count,
        backed_up=verified.credential_backed_up,
        device_type=_DEVICE_TYPES[verified.credential_device_type.value],
        last_used_at=clock.now(),
    ):
        raise InvalidPasskey()
    passkey.refresh_from_db()
    return Asserted(passkey=passkey, user_id=passkey.user_id)


def passkeys_of(*, user_id: str) -> list[Passkey]:
    return list(Passkey.objects.filter(user_id=user_id).order_by("-created_at"))


def rename(*, user_id: str, passkey_id: str, name: str) -> Passkey | None:
    updated = Passkey.objects.filter(pk=passkey_id, user_id=user_id).update(
        name=name.strip()[:NAME_MAX_LENGTH]
    )
    return Passkey.objects.filter(pk=passkey_id).first() if updated else None


def remove(*, user_id: str, passkey_id: str) -> Passkey | None:
    passkey = Passkey.objects.filter(pk=passkey_id, user_id=user_id).first()
    if passkey is not None:
        passkey.delete()
    return passkey


def remove_all(*, user_id: str) -> int:
    return Passkey.objects.filter(user_id=user_id).delete()[0]
