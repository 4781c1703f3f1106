"""Deleting an account: the user and everything of theirs, in one transaction.

Gone: the user row and, by cascade, its sign-ins, trusted devices, linked accounts and security
events; its own codes and links, and every message queued to it (the address's guard stays: it
is the address's, not the account's). Its sign-ins are first recorded as
ended (no personal data), so every process refuses their access tokens until they expire. The
`user_deleted` signal runs inside the transaction (a receiver that raises keeps the user), and a
confirmation mail is queued to the address. The API and the Django admin both delete through here.
"""

from django.db import transaction

from auth_api import signals
from auth_api.authentication import Principal
from auth_api.codes.store import codes_pending_end
from auth_api.flows.reauthentication import require_fresh
from auth_api.models import EndedSignIn, SignIn
from auth_api.tokens import revocations
from emailing.models import EmailKind, OutboxMessage
from emailing.services import email_enqueue
from users.models import User


@transaction.atomic
def account_delete(*, user_id: str) -> bool:
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        return False
    email = user.email
    signals.user_deleted.send(sender=User, user=user)
    sids = list(SignIn.objects.filter(user_id=user.pk).values_list("id", flat=True))
    EndedSignIn.objects.bulk_create([EndedSignIn(sid=sid) for sid in sids], ignore_conflicts=True)
    revocations.note_revoked(sids)  # this process at once (a rollback is undone by its refresh)
    # The account's own codes go; the address's guard and other clients' codes stay: they are
    # the address's, and a delete-and-sign-up-again must not reset a stranger's guess budget.
    codes_pending_end(user_id=user.pk, email=email)
    OutboxMessage.objects.filter(to_email=email).delete()
    user.delete()
    email_enqueue(kind=EmailKind.ACCOUNT_DELETED, to_email=email)
    return True


def account_delete_own(*, principal: Principal) -> None:
    """The caller deletes their own account: only with a fresh authTime (step-up)."""
    require_fresh(principal)
    account_delete(user_id=principal.id)
