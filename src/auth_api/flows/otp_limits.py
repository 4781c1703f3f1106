from .. import ratelimit
from ..http import ClientInfo


def count_code_guess(*, email: str, client: ClientInfo) -> None:
    # Per address across every code sent to it: re-sending never buys a guesser fresh attempts.
    ratelimit.hit("otp_verify_ip", client.limit_key)
    ratelimit.hit("otp_verify_email", email)
