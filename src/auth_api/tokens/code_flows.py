"""Which client asked for a code: a signed, random flow id.

`email-otp/send/` gives the client a flow (an httpOnly cookie, or `flowToken` in the body for
non-browser clients) and binds the code to it; only a client presenting that flow can spend the
code's guesses. A client keeps its flow across sends, so a new send replaces its own earlier code
and nobody else's.
"""

import secrets

from django.core import signing

_SALT = "auth_api.otp-flow"
MAX_AGE_SECONDS = 24 * 3600


def flow_id_of(token: str | None) -> str | None:
    if not token:
        return None
    try:
        flow_id = signing.loads(token, salt=_SALT, max_age=MAX_AGE_SECONDS)
    except (signing.BadSignature, ValueError):
        return None
    return flow_id if isinstance(flow_id, str) and flow_id else None


def new_flow_id() -> str:
    return secrets.token_hex(16)


def token_of(flow_id: str) -> str:
    return signing.dumps(flow_id, salt=_SALT)
