import secrets
import string

ID_ALPHABET = string.ascii_letters + string.digits
ID_LENGTH = 32


def generate_id() -> str:
    """A 32-character [A-Za-z0-9] id, the same shape better-auth generates (legacy ids fit)."""
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))
