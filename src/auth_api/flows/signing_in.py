"""The one sign-in pipeline: every path that signs someone in (password, code, link, first proof
of an address, passkey) identifies the user and checks its own proof, then hands over here for
the stages every path shares, so a rule added to a stage holds on every path at once:

1. second factor: an account with two-factor authentication on gets a pending sign-in instead
   of tokens (`SecondStepRequired`), unless the proof was multi-factor already (a passkey with
   user verification) or the client is a device its owner trusted at a second step;
2. trust the device and issue the tokens (`tokens.sign_ins.sign_in_start`),
3. record the security event and tell the app's code (`user_signed_in`),

all in one transaction. The second step (auth_api.flows.second_step) comes back here through
`sign_in_second_step` for stages 2 and 3. A check copied into each flow instead is a bug waiting
for the next path. Sign-up is the one other start of a sign-in: a new account has no second
factor to ask for.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction

from auth_api import security_events, signals
from auth_api.client import ClientInfo
from auth_api.errors import TwoFactorSignInExpired
from auth_api.models import Passkey, PendingSignIn, SecurityEventType
from auth_api.tokens.devices import NOT_READ, DeviceRead, device_renew, trusted_device
from auth_api.tokens.pending import SecondStepRequired, SignInOutcome, pending_end, pending_start
from auth_api.tokens.sign_ins import IssuedTokens, sign_in_start
from observability import metrics
from users.models import User
from users.selectors import user_hold

MFA = "mfa"


class SignInMethod(StrEnum):
    """How the user proved it (the `method` of `user_signed_in`)."""

    PASSWORD = "password"  # noqa: S105 - a method's name, not a secret
    CODE = "code"  # an emailed code, or the link of the same mail
    PASSKEY = "passkey"

    @property
    def amr(self) -> tuple[str, ...]:
        """The access token's RFC 8176 `amr` for this first proof: a password, a one-time
        password by mail; a passkey's own (hwk or swk) comes with its Proof."""
        return {"password": ("pwd",), "code": ("otp",)}.get(self.value, ())


@dataclass(frozen=True)
class Proof:
    method: SignInMethod
    event: SecurityEventType  # what the owner reads in the security activity
    amr: tuple[str, ...] = ()  # beyond the method's own (a passkey: hwk or swk, and mfa)

    @property
    def factors(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.method.amr, *self.amr)))


def second_step_methods(user: User) -> tuple[str, ...]:
    """What the account can answer a second step with."""
    methods: tuple[str, ...] = ("totp", "backup-code")
    if Passkey.objects.filter(user_id=user.pk).exists():
        methods += ("passkey",)
    return methods


def sign_in_complete(
    *,
    user: User,
    proof: Proof,
    remember_me: bool,
    client: ClientInfo,
    device: DeviceRead = NOT_READ,
    user_held: bool = False,
) -> SignInOutcome:
    """The stages after a path's own proof: a second step when the account asks for one, else
    tokens for a trusted client, recorded and told. `device`: the client's trusted device of
    this account as the path read it already (read here otherwise). `user_held`: the caller's
    transaction holds the user's row already (users.selectors.user_hold)."""
    amr = proof.factors
    if device is NOT_READ:
        device = trusted_device(client.device_token, user_id=user.pk)
    asks = user.two_factor_enabled and MFA not in amr
    with transaction.atomic(savepoint=False):
        if asks and (device is None or not device.skips_second_factor):
            return _second_step_required(user, proof, remember_me=remember_me, client=client)
        # Renewed, and so held, in the sign-in's transaction: a device whose trust ended since it
        # was read (sign out everywhere during the password check) is kept for nothing and stands
        # in for no second step.
        if device is not None:
            if not user_held:  # the user's row before the device's, as its changes take them
                user_hold(user_id=user.pk)
            if not device_renew(device, user_id=user.pk):
                device = None
                if asks:
                    return _second_step_required(
                        user, proof, remember_me=remember_me, client=client
                    )
        if asks:  # the device its owner trusted at a second step stands in for that step
            amr = (*amr, MFA)
        return _signed_in(
            user=user,
            amr=amr,
            method=proof.method.value,
            event=proof.event,
            remember_me=remember_me,
            client=client,
            device=device,
        )


def _second_step_required(
    user: User, proof: Proof, *, remember_me: bool, client: ClientInfo
) -> SecondStepRequired:
    _, token = pending_start(
        user_id=user.pk,
        remember_me=remember_me,
        amr=proof.factors,
        method=proof.method.value,
        event=proof.event.value,
    )
    return SecondStepRequired(user_id=user.pk, token=token, methods=second_step_methods(user))


def sign_in_second_step(
    *, pending: PendingSignIn, amr: tuple[str, ...], trust_device: bool, client: ClientInfo
) -> IssuedTokens:
    """Complete a pending sign-in whose second step just passed (`amr`: that step's). It
    completes once: of two parallel right answers, one signs in."""
    with transaction.atomic():
        # The user's row first, as every change of credentials takes it before it ends the
        # account's pending sign-ins: the other order could deadlock with them.
        user_hold(user_id=pending.user_id)
        if not pending_end(pending):
            raise TwoFactorSignInExpired()
        metrics.SIGN_INS.labels("second-step", "success").inc()
        return _signed_in(
            user=pending.user,
            amr=(*pending.amr.split(), *amr, MFA),
            method=pending.method,
            event=SecurityEventType(pending.event),
            remember_me=pending.remember_me,
            client=client,
            trust_device=trust_device,
        )


_BY_PASSWORD = frozenset(
    {SecurityEventType.SIGNED_IN_PASSWORD, SecurityEventType.SIGNED_IN_NEW_DEVICE}
)


def _event_of(event: SecurityEventType, *, new_device: bool) -> SecurityEventType:
    """What the owner reads of a password sign-in says whether it came from a new device: one
    this sign-in made, decided in its transaction (a device whose trust ended while the password
    was hashed, or before a second step, is a new one)."""
    if event not in _BY_PASSWORD:
        return event
    return (
        SecurityEventType.SIGNED_IN_NEW_DEVICE
        if new_device
        else SecurityEventType.SIGNED_IN_PASSWORD
    )


def _signed_in(
    *,
    user: User,
    amr: tuple[str, ...],
    method: str,
    event: SecurityEventType,
    remember_me: bool,
    client: ClientInfo,
    trust_device: bool = False,
    device: DeviceRead = NOT_READ,
) -> IssuedTokens:
    # No savepoint when a caller's transaction holds this one (a code or password sign-in, a
    # second step): nothing in between catches an error, and a savepoint costs two round trips.
    with transaction.atomic(savepoint=False):
        tokens = sign_in_start(
            user=user,
            remember_me=remember_me,
            client=client,
            amr=tuple(dict.fromkeys(amr)),
            skip_second_factor=trust_device,
            device=device,
        )
        security_events.record(
            user_id=user.pk, type=_event_of(event, new_device=tokens.new_device), client=client
        )
        signals.user_signed_in.send(
            sender=type(user), user=user, sign_in_id=tokens.sign_in.pk, method=method
        )
    return tokens
