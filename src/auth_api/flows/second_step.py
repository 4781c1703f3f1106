"""The second step of a pending sign-in: a TOTP code, a recovery code or a passkey
(two-factor/verify-totp/, verify-backup-code/, verify-passkey/).

Each answer is counted before it is judged, three ways: against the pending sign-in (at most
TWO_FACTOR_MAX_ATTEMPTS, then it is dead), against the client (its trusted device's budget, or
its address's), and, for untrusted clients, against the account's factor (consecutive failures;
see auth_api.factors). A right answer gives the client's count back and completes the sign-in
through the pipeline (auth_api.flows.signing_in); an unguessable one (a passkey, a recovery
code) also forgets strangers' TOTP failures and reopens password sign-in.
"""

from django.db import transaction

from auth_api import security_events
from auth_api.client import ClientInfo
from auth_api.errors import (
    InvalidPasskey,
    InvalidTwoFactorCode,
    TooManyRequests,
    TwoFactorSignInExpired,
)
from auth_api.factors import passkeys, recovery, totp
from auth_api.flows.signing_in import sign_in_second_step
from auth_api.limits import guard, rates
from auth_api.limits.rates import Scope
from auth_api.models import PendingSignIn, SecurityEventType
from auth_api.tokens.devices import trusted_device_id
from auth_api.tokens.pending import pending_attempt, pending_of
from auth_api.tokens.sign_ins import IssuedTokens
from emailing.models import EmailKind
from emailing.services import email_enqueue
from observability import metrics
from users.models import User

_CLOSED_RETRY_SECONDS = 15 * 60  # what Retry-After says when a factor is closed to the client


def _pending_for(client: ClientInfo) -> PendingSignIn:
    pending = pending_of(client.two_factor_token)
    if pending is None:
        metrics.SIGN_INS.labels("second-step", TwoFactorSignInExpired.code).inc()
        raise TwoFactorSignInExpired()
    return pending


def _counted(pending: PendingSignIn, client: ClientInfo) -> tuple[bool, list[str | None]]:
    """(a trusted device of the account, the rate-limit keys spent): one answer counted."""
    device = trusted_device_id(client.device_token, user_id=pending.user_id)
    if device is not None:
        spent = list(
            rates.hit_all((Scope.SIGN_IN_DEVICE, device), (Scope.TRUSTED_ACCOUNT, pending.user_id))
        )
    else:
        spent = [rates.hit(Scope.SECOND_FACTOR_IP, client.limit_key)]
    if not pending_attempt(pending):
        raise TwoFactorSignInExpired()
    return device is not None, spent


def _failed(pending: PendingSignIn, client: ClientInfo, code: str) -> None:
    metrics.SIGN_INS.labels("second-step", code).inc()
    security_events.record(
        user_id=pending.user_id, type=SecurityEventType.SECOND_FACTOR_FAILED, client=client
    )


def second_step_totp(*, code: str, trust_device: bool, client: ClientInfo) -> IssuedTokens:
    pending = _pending_for(client)
    trusted, spent = _counted(pending, client)
    verdict = totp.check(user_id=pending.user_id, code=code, trusted=trusted)
    if verdict is totp.Verdict.CLOSED:
        raise TooManyRequests(retry_after=_CLOSED_RETRY_SECONDS)
    if verdict is not totp.Verdict.ACCEPTED:
        _failed(pending, client, InvalidTwoFactorCode.code)
        raise InvalidTwoFactorCode()
    rates.refund(spent)
    return sign_in_second_step(
        pending=pending, amr=("otp",), trust_device=trust_device, client=client
    )


def second_step_recovery_code(*, code: str, trust_device: bool, client: ClientInfo) -> IssuedTokens:
    pending = _pending_for(client)
    trusted, spent = _counted(pending, client)
    untrusted_client = None if trusted else client.limit_key
    if not recovery.use(user_id=pending.user_id, code=code, untrusted_client=untrusted_client):
        _failed(pending, client, InvalidTwoFactorCode.code)
        raise InvalidTwoFactorCode()
    rates.refund(spent)
    user = pending.user
    with transaction.atomic():
        tokens = sign_in_second_step(
            pending=pending, amr=("otp",), trust_device=trust_device, client=client
        )
        _recovery_code_used(user, client)
    _owner_proven(user.pk, user.email)
    return tokens


def _recovery_code_used(user: User, client: ClientInfo) -> None:
    """A recovery code was spent (at a second step or the admin): the owner is told."""
    security_events.record(
        user_id=user.pk, type=SecurityEventType.RECOVERY_CODE_USED, client=client
    )
    email_enqueue(
        kind=EmailKind.RECOVERY_CODE_USED,
        to_email=user.email,
        secrets={"remaining": str(recovery.remaining(user_id=user.pk))},
    )


def second_step_passkey(
    *, credential: dict, trust_device: bool, client: ClientInfo
) -> IssuedTokens:
    pending = _pending_for(client)
    _, spent = _counted(pending, client)
    try:
        asserted = passkeys.authenticate(
            credential=credential, binding=client.passkey_token or "", user_id=pending.user_id
        )
    except InvalidPasskey:
        _failed(pending, client, InvalidPasskey.code)
        raise
    rates.refund(spent)
    tokens = sign_in_second_step(
        pending=pending, amr=asserted.amr, trust_device=trust_device, client=client
    )
    _owner_proven(pending.user_id, pending.user.email)
    return tokens


def _owner_proven(user_id: str, email: str) -> None:
    """Something a stranger cannot guess passed: their failures are forgotten."""
    totp.reopen(user_id=user_id)
    guard.owner_proven(email=email)


def second_factor_check(*, user: User, code: str, client: ClientInfo) -> bool:
    """A second factor typed next to the password where there is no pending sign-in (the Django
    admin's login form): six digits are a TOTP code, anything else a recovery code. Counted like
    an answer to a pending sign-in (the client's budget, the account's factor budget), and a
    recovery code spent here is told to the owner like one spent at a second step."""
    spent = [rates.hit(Scope.SECOND_FACTOR_IP, client.limit_key)]
    code = "".join(code.split())
    if len(code) == totp.DIGITS and code.isdigit():
        accepted = totp.check(user_id=user.pk, code=code, trusted=False) is totp.Verdict.ACCEPTED
    else:
        accepted = recovery.use(user_id=user.pk, code=code, untrusted_client=client.limit_key)
        if accepted:
            with transaction.atomic():
                _recovery_code_used(user, client)
            _owner_proven(user.pk, user.email)
    if not accepted:
        security_events.record(
            user_id=user.pk, type=SecurityEventType.SECOND_FACTOR_FAILED, client=client
        )
        return False
    rates.refund(spent)
    return True
