"""Mail to an account's own address about a change made in it (a password changed, an email
change asked for)."""

from auth_api.errors import TooManyRequests
from auth_api.limits import rates
from auth_api.limits.rates import Scope
from emailing.models import EmailKind
from emailing.services import email_enqueue
from users.models import User


def account_notice(*, user: User, kind: EmailKind, secrets: dict | None = None) -> None:
    """Queue the notice. A proven owner's always goes. An account that never proved its address
    may be a stranger's pre-registration of someone else's: its notices count on a cap of their
    own (ACCOUNT_NOTICE_ADDRESS), and over it none is sent, so that a throwaway account changing
    its password or asking for email changes in a loop is no way to flood a mailbox. Only the
    one account that holds the address spends that cap: no other account's requests can keep
    an unproven owner from being told."""
    if not user.email_verified:
        try:
            rates.hit(Scope.ACCOUNT_NOTICE_ADDRESS, user.email)
        except TooManyRequests:
            return
    email_enqueue(kind=kind, to_email=user.email, secrets=secrets)
