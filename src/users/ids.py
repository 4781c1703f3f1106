import secrets
import string

ID_ALPHABET = string.ascii_letters + string.digits
ID_LENGTH = 32


def random_string(alphabet: str, length: int) -> str:
    """`length` characters drawn uniformly from `alphabet` (at most 256 characters) out of one read
    of the system's random source, not one read per character as secrets.choice makes: a byte
    counts when it falls below the largest multiple of the alphabet's size (others are redrawn),
    so no character is likelier than another."""
    size = len(alphabet)
    limit = 256 - 256 % size
    chars: list[str] = []
    while len(chars) < length:
        for byte in secrets.token_bytes(length + 8):
            if byte < limit:
                chars.append(alphabet[byte % size])
                if len(chars) == length:
                    break
    return "".join(chars)


def generate_id() -> str:
    """A 32-character [A-Za-z0-9] id, the same shape better-auth generates (legacy ids fit)."""
    return random_string(ID_ALPHABET, ID_LENGTH)
