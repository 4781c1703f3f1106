"""Passwords set in the Django admin: staff's own (with the current password, as at
password/change/), or any account's by staff who may change users. Either is a change of
credentials like the API's: every sign-in, trusted device and pending proof of the account ends,
the owner is mailed and the security activity says so."""

from django.db import transaction

from auth_api.client import ClientInfo
from auth_api.errors import TooManyRequests
from auth_api.flows.password_change import password_change_told
from auth_api.flows.reauthentication import current_password_check
from auth_api.flows.sign_ins import account_secured
from auth_api.limits import rates
from auth_api.limits.rates import Scope
from auth_api.models import RevokeReason
from users.models import User
from users.selectors import user_hold
from users.services import user_change_password


class StaffSessionSpent(Exception):
    """The admin session had its STEP_UP_MAX_FAILURES wrong current passwords: end it."""


def staff_password_check(*, user: User, password: str, client: ClientInfo, session: str) -> None:
    """Staff's current password at the admin's own password change: the step-up budget of
    password/change/ (PASSWORD_CHANGE_USER), a security event per failure, each counted towards
    closing password sign-in like any wrong password; and per admin session (`session`: its
    key), STEP_UP_MAX_FAILURES wrong ones, counted before they are judged, after which the next
    attempt raises StaffSessionSpent. Raises InvalidPassword or TooManyRequests otherwise."""
    if not session:  # no session to count in is none to go on with
        raise StaffSessionSpent()
    try:
        spent = rates.hit(Scope.STAFF_STEP_UP_SESSION, session)
    except TooManyRequests:
        raise StaffSessionSpent() from None
    current_password_check(user=user, sign_in_id=None, password=password, client=client)
    rates.refund([spent])


def password_set_in_admin(
    *, user: User, new_password: str | None, client: ClientInfo | None
) -> User:
    """Set the account's password (None: none usable) and end what a change of credentials
    ends. The session that made the change is the admin's own and goes on (its caller keeps it)."""
    with transaction.atomic():
        user_hold(user_id=user.pk)  # as every change of credentials takes the row
        if new_password is None:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        else:
            user_change_password(user=user, new_password=new_password)
        account_secured(user_id=user.pk, email=user.email, reason=RevokeReason.PASSWORD_CHANGE)
        password_change_told(user=user, client=client, others_ended=True)
    return user
