from dataclasses import dataclass
from functools import lru_cache

from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.db import transaction

from auth_api import security_events
from auth_api.client import ClientInfo
from auth_api.errors import InvalidCredentials, PasswordSignInClosed
from auth_api.flows.signing_in import Proof, SignInMethod, sign_in_complete
from auth_api.limits import guard, rates
from auth_api.limits.rates import Scope
from auth_api.limits.timing import constant_time_check, is_legacy_hash
from auth_api.models import SecurityEventType
from auth_api.tokens.devices import NO_ACCOUNT, KnownDevice, trusted_device
from auth_api.tokens.pending import SignInOutcome
from observability import metrics
from users.errors import DomainError
from users.models import User
from users.selectors import user_get_by_email, user_hold


@lru_cache(maxsize=4)
def _dummy_hash(algorithm: str) -> str:
    return make_password("dummy password for timing equalisation", hasher=algorithm)


def _spend_hash_time(password: str) -> None:
    # Unknown email or password-less account: run the preferred hasher anyway, so the response
    # time does not reveal whether the account exists (Django's ModelBackend does the same).
    check_password(password, _dummy_hash(get_hasher().algorithm))


def sign_in_by_password(
    *, email: str, password: str, remember_me: bool, client: ClientInfo
) -> SignInOutcome:
    checked = credentials_check(email=email, password=password, client=client, settle=False)
    # "From a new device" or not is told by the sign-in itself (signing_in._event_of).
    proof = Proof(method=SignInMethod.PASSWORD, event=SecurityEventType.SIGNED_IN_PASSWORD)
    # The budgets are given back in the sign-in's own commit, last: the counters' rows are held
    # for that commit alone, and no separate write waits for the disk. A sign-in that fails to
    # commit keeps its counts spent (with Redis counters, the refund stands).
    with transaction.atomic():
        # The user's row locked (as every change of credentials locks it) and read again: a
        # password changed, or an account closed, while the hash ran fails this sign-in instead
        # of starting one after the change ended every other; two-factor as it is now.
        held = user_hold(user_id=checked.user.pk)
        if held is None or not held.is_active or held.password != checked.user.password:
            raise InvalidCredentials()
        checked.user.two_factor_enabled = held.two_factor_enabled
        outcome = sign_in_complete(
            user=checked.user,
            proof=proof,
            remember_me=remember_me,
            client=client,
            device=checked.device,
            user_held=True,
        )
        credentials_settle(checked)
    return outcome


@dataclass(frozen=True)
class CheckedCredentials:
    user: User
    email: str  # the address as asked (the guard's key)
    device: KnownDevice | None  # the client signed in to this account before (device cookie)
    spent: tuple[str | None, ...]  # the rate-limit counts this attempt took (see settle)
    standing: guard.UntrustedStanding | None  # the address's untrusted failures before it


def credentials_check(
    *, email: str, password: str, client: ClientInfo, settle: bool = True
) -> CheckedCredentials:
    """The right password, or an error. The attempt's counts are given back (`settle`) at once,
    or, with settle=False, by the caller's `credentials_settle` in its own transaction."""
    try:
        checked = _check_credentials(email=email, password=password, client=client)
    except DomainError as error:  # the outcome is the error's code: INVALID_EMAIL_OR_PASSWORD, ...
        metrics.SIGN_INS.labels("password", error.code).inc()
        raise
    metrics.SIGN_INS.labels("password", "success").inc()
    if settle:
        credentials_settle(checked)
    return checked


def credentials_settle(checked: CheckedCredentials) -> None:
    """A right password: the attempt's counts come back (the budgets are budgets of failures),
    and an untrusted client's success starts the address's failure count again."""
    rates.refund(checked.spent)
    if checked.standing is not None:
        guard.record_password_success(email=checked.email, standing=checked.standing)
    else:  # a trusted device's success forgets no stranger's failure, and opens what they closed
        guard.owner_device_signed_in(email=checked.email)


def _check_credentials(*, email: str, password: str, client: ClientInfo) -> CheckedCredentials:
    """The one password check of every path (API sign-in, Django admin): the same limits, the
    same constant-time behaviour. Raises InvalidCredentials, PasswordSignInClosed or
    TooManyRequests.

    A device that signed in to this account before is counted on its own budget and never
    slowed by anyone else's failures. Every other client spends per-address, per-(account,
    address) and shared per-account budgets, and its failures count towards closing password
    sign-in to untrusted clients (see auth_api.guard).
    """
    user = user_get_by_email(email=email)
    # The same query for an address without an account (it finds nothing): no time to tell by.
    device = trusted_device(
        client.device_token, user_id=user.pk if user is not None else NO_ACCOUNT
    )
    standing = None
    # Every attempt is counted before it is judged (parallel guesses cannot slip past a limit);
    # a right password gives the counts back: the budgets are budgets of failures.
    if device is not None and user is not None:  # bounded per device and per account
        spent = rates.hit_all((Scope.SIGN_IN_DEVICE, device.id), (Scope.TRUSTED_ACCOUNT, user.pk))
    else:
        spent = rates.hit_all(
            (Scope.SIGN_IN_IP, client.limit_key),
            (Scope.SIGN_IN_ACCOUNT_IP, f"{email}\n{client.limit_key}"),
            (Scope.SIGN_IN_UNTRUSTED, email),
        )
        standing = guard.untrusted_standing(email=email)
        if standing.closed:
            raise PasswordSignInClosed()
    with constant_time_check(legacy_hash_seen=user is not None and is_legacy_hash(user.password)):
        if user is None or not user.is_active or not user.has_usable_password():
            _spend_hash_time(password)
            valid = False
        else:
            valid = user.check_password(password)  # upgrades a legacy or weaker hash on success
    if not valid or user is None:
        if device is None:
            known = user.pk if user is not None else None
            guard.record_untrusted_failure(email=email, user_id=known, client=client)
        elif user is not None:  # a trusted device: only for an existing account, nothing to hide
            security_events.record(
                user_id=user.pk, type=SecurityEventType.SIGN_IN_FAILED, client=client
            )
        raise InvalidCredentials()
    return CheckedCredentials(
        user=user,
        email=email,
        device=device,
        spent=spent,
        standing=standing,
    )
