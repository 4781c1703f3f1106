from django.db import transaction

from users.services import user_create

from .. import ratelimit, security_events, signals
from ..http import ClientInfo
from ..models import SecurityEventKind
from ..sessions.sign_ins import IssuedTokens, sign_in_start


def sign_up_with_password(
    *, email: str, password: str, name: str, role: str, remember_me: bool, client: ClientInfo
) -> IssuedTokens:
    ratelimit.hit("sign_up_ip", client.limit_key)
    ratelimit.hit("sign_up_email", email)
    with transaction.atomic():
        user = user_create(email=email, password=password, name=name, role=role)
        signals.user_signed_up.send(sender=type(user), user=user)
        security_events.record(user_id=user.pk, kind=SecurityEventKind.SIGNED_UP, client=client)
        return sign_in_start(user=user, remember_me=remember_me, client=client)
