"""Turning two-factor authentication on and off, and the recovery codes (two-factor/enable/,
verify-totp/ with a Bearer token, disable/, generate-backup-codes/).

Factors are enrolled only on a verified address, with a fresh sign-in and the password when the
account has one. Enabling gives the authenticator's URI and 10 recovery codes; two-factor is on
from the first right code. Every change is a security event and a mail to the owner.
"""

from dataclasses import dataclass

from django.db import transaction

from auth_api import security_events
from auth_api.authentication import Principal
from auth_api.client import ClientInfo
from auth_api.errors import (
    EmailNotVerified,
    InvalidTwoFactorCode,
    TwoFactorAlreadyEnabled,
    TwoFactorNotEnabled,
)
from auth_api.factors import passkeys, recovery, totp
from auth_api.flows.reauthentication import current_password_check, require_fresh
from auth_api.flows.sign_ins import sign_in_current
from auth_api.limits import rates
from auth_api.limits.rates import Scope
from auth_api.models import SecurityEventType
from auth_api.tokens.devices import devices_end
from auth_api.tokens.pending import pendings_end
from emailing.models import EmailKind
from emailing.services import email_enqueue
from users.models import User
from users.selectors import user_hold


@dataclass(frozen=True)
class Enrolment:
    totp_uri: str
    backup_codes: list[str]


def _owner_checked(principal: Principal, password: str | None, client: ClientInfo) -> User:
    """The caller, signed in recently, with its password (when the account has one)."""
    require_fresh(principal)
    user, sign_in = sign_in_current(principal=principal)
    if user.has_usable_password():
        current_password_check(
            user=user, sign_in_id=sign_in.id, password=password or "", client=client
        )
    return user


def two_factor_enable(
    *, principal: Principal, password: str | None, client: ClientInfo
) -> Enrolment:
    user = _owner_checked(principal, password, client)
    if not user.email_verified:
        raise EmailNotVerified()
    if user.two_factor_enabled:
        raise TwoFactorAlreadyEnabled()
    with transaction.atomic():
        uri = totp.enrol(user=user)
        codes = recovery.new_set(user_id=user.pk)
    return Enrolment(totp_uri=uri, backup_codes=codes)


def two_factor_confirm(*, principal: Principal, code: str, client: ClientInfo) -> User:
    """The first right code of a new authenticator: two-factor is on, and every other device's
    trust ends."""
    user, _ = sign_in_current(principal=principal)
    spent = rates.hit(Scope.SECOND_FACTOR_IP, client.limit_key)
    verdict = totp.check(user_id=user.pk, code=code, trusted=True, confirming=True)
    if verdict is totp.Verdict.ABSENT:
        raise TwoFactorAlreadyEnabled() if user.two_factor_enabled else TwoFactorNotEnabled()
    if verdict is not totp.Verdict.ACCEPTED:
        raise InvalidTwoFactorCode()
    rates.refund([spent])
    with transaction.atomic():
        user.two_factor_enabled = True
        user.save(update_fields=["two_factor_enabled"])
        # Trust handed out before there was a second factor ends (but this device's): a device
        # that signed in with the password alone must not keep a budget of its own for guessing
        # codes (trusted devices' failures do not close TOTP).
        devices_end(user_id=user.pk, keep_token=client.device_token)
        _changed(user, SecurityEventType.TWO_FACTOR_ENABLED, EmailKind.TWO_FACTOR_ENABLED, client)
    return user


def two_factor_disable(*, principal: Principal, password: str | None, client: ClientInfo) -> User:
    """Off: the authenticator and recovery codes go, and no device skips a second step any more
    (every trusted device ends; the owner signs in again from each)."""
    user = _owner_checked(principal, password, client)
    if not user.two_factor_enabled and not totp.factor_of(user.pk):
        raise TwoFactorNotEnabled()
    with transaction.atomic():
        second_factors_drop(user=user, keep_passkeys=True)
        _changed(user, SecurityEventType.TWO_FACTOR_DISABLED, EmailKind.TWO_FACTOR_DISABLED, client)
    return user


def backup_codes_regenerate(*, principal: Principal, client: ClientInfo) -> list[str]:
    require_fresh(principal)
    user, _ = sign_in_current(principal=principal)
    if not user.two_factor_enabled:
        raise TwoFactorNotEnabled()
    with transaction.atomic():
        codes = recovery.new_set(user_id=user.pk)
        _changed(user, SecurityEventType.RECOVERY_CODES_NEW, EmailKind.RECOVERY_CODES_NEW, client)
    return codes


def second_factors_drop(*, user: User, keep_passkeys: bool = False) -> None:
    """Remove the account's second factors (and, unless kept, its passkeys), its pending
    sign-ins and every trusted device: turning two-factor off, or an address claimed by someone
    who proved it from an account whose factors were set by whoever never did. Inside the
    caller's transaction, the user's row locked first (as a sign-in renewing a device takes it)."""
    user_hold(user_id=user.pk)
    totp.remove(user_id=user.pk)
    recovery.remove(user_id=user.pk)
    if not keep_passkeys:
        passkeys.remove_all(user_id=user.pk)
    pendings_end(user_id=user.pk)
    devices_end(user_id=user.pk)
    if user.two_factor_enabled:
        user.two_factor_enabled = False
        user.save(update_fields=["two_factor_enabled"])


def _changed(user: User, event: SecurityEventType, mail: EmailKind, client: ClientInfo) -> None:
    security_events.record(user_id=user.pk, type=event, client=client)
    email_enqueue(kind=mail, to_email=user.email)
