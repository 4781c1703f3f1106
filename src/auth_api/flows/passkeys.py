"""Passkeys: add one (passkey/registration-options/, passkey/register/), list, rename and delete
them (passkeys/…), and sign in with one alone (passkey/authentication-options/, passkey/sign-in/).

A passkey is added with a fresh sign-in on a verified address; deleting one needs a fresh sign-in
too. Signing in with a passkey (user verification required) is multi-factor by itself, so the
pipeline asks for no second step, and, as an unguessable proof of the owner, it reopens what
strangers' failures closed.
"""

from django.db import transaction

from auth_api import security_events
from auth_api.authentication import Principal
from auth_api.client import ClientInfo
from auth_api.errors import EmailNotVerified, InvalidPasskey, NotFound
from auth_api.factors import passkeys, totp
from auth_api.flows.reauthentication import require_fresh
from auth_api.flows.sign_ins import sign_in_current
from auth_api.flows.signing_in import MFA, Proof, SignInMethod, sign_in_complete
from auth_api.limits import guard, rates
from auth_api.limits.rates import Scope
from auth_api.models import Passkey, SecurityEventType
from auth_api.tokens.pending import SignInOutcome
from emailing.models import EmailKind
from emailing.services import email_enqueue
from observability import metrics
from users.selectors import user_get_active


def passkey_registration_options(*, principal: Principal) -> dict:
    require_fresh(principal)
    user, _ = sign_in_current(principal=principal)
    if not user.email_verified:
        raise EmailNotVerified()
    return passkeys.registration_options(user=user)


def passkey_register(
    *, principal: Principal, credential: dict, name: str, client: ClientInfo
) -> Passkey:
    user, _ = sign_in_current(principal=principal)
    if not user.email_verified:
        raise EmailNotVerified()
    with transaction.atomic():
        passkey = passkeys.register(user=user, credential=credential, name=name)
        security_events.record(user_id=user.pk, type=SecurityEventType.PASSKEY_ADDED, client=client)
        email_enqueue(
            kind=EmailKind.PASSKEY_ADDED, to_email=user.email, secrets={"name": passkey.name}
        )
    return passkey


def passkeys_list(*, principal: Principal) -> list[Passkey]:
    user, _ = sign_in_current(principal=principal)
    return passkeys.passkeys_of(user_id=user.pk)


def passkey_rename(*, principal: Principal, passkey_id: str, name: str) -> Passkey:
    user, _ = sign_in_current(principal=principal)
    passkey = passkeys.rename(user_id=user.pk, passkey_id=passkey_id, name=name)
    if passkey is None:
        raise NotFound()
    return passkey


def passkey_delete(*, principal: Principal, passkey_id: str, client: ClientInfo) -> None:
    require_fresh(principal)
    user, _ = sign_in_current(principal=principal)
    with transaction.atomic():
        passkey = passkeys.remove(user_id=user.pk, passkey_id=passkey_id)
        if passkey is None:
            raise NotFound()
        security_events.record(
            user_id=user.pk, type=SecurityEventType.PASSKEY_REMOVED, client=client
        )
        email_enqueue(
            kind=EmailKind.PASSKEY_REMOVED, to_email=user.email, secrets={"name": passkey.name}
        )


def passkey_authentication_options(*, client: ClientInfo) -> tuple[dict, str]:
    """Request options bound to a new challenge token for this client (and that token)."""
    rates.hit(Scope.PASSKEY_OPTIONS_IP, client.limit_key)
    return passkeys.authentication_options()


def sign_in_by_passkey(*, credential: dict, remember_me: bool, client: ClientInfo) -> SignInOutcome:
    spent = rates.hit(Scope.SECOND_FACTOR_IP, client.limit_key)
    try:
        asserted = passkeys.authenticate(credential=credential, binding=client.passkey_token or "")
        user = user_get_active(user_id=asserted.user_id)
        if user is None:
            raise InvalidPasskey()
    except InvalidPasskey as error:
        metrics.SIGN_INS.labels("passkey", error.code).inc()
        raise
    metrics.SIGN_INS.labels("passkey", "success").inc()
    rates.refund([spent])
    proof = Proof(
        method=SignInMethod.PASSKEY,
        event=SecurityEventType.SIGNED_IN_PASSKEY,
        amr=(*asserted.amr, MFA),
    )
    outcome = sign_in_complete(user=user, proof=proof, remember_me=remember_me, client=client)
    totp.reopen(user_id=user.pk)
    guard.owner_proven(email=user.email)
    return outcome
