"""better-auth's `symmetricDecrypt`, for the values it encrypts with the app's secret (the
twoFactor plugin's TOTP secret and backup codes).

better-auth 1.7 (`better-auth/dist/crypto/index.mjs`): the key is SHA-256 of the secret's UTF-8
bytes; a value is the hex of a 24-byte nonce followed by the XChaCha20-Poly1305 ciphertext and
tag (@noble/ciphers' `managedNonce(xchacha20poly1305)`, no associated data). With versioned
secrets (`BETTER_AUTH_SECRETS="2:new,1:old"`) the hex is wrapped as `$ba$<version>$<hex>`; a bare
hex value is the single secret's (`BETTER_AUTH_SECRET`). The cipher is libsodium's, through
PyNaCl.
"""

import hashlib
import re
from dataclasses import dataclass, field

from nacl.bindings import (
    crypto_aead_xchacha20poly1305_ietf_decrypt,
    crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
)
from nacl.exceptions import CryptoError

_ENVELOPE = re.compile(r"\$ba\$(\d+)\$(.*)", re.DOTALL)
_NONCE = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES  # 24


class Undecryptable(Exception):
    pass


@dataclass(frozen=True)
class Keys:
    """The old app's secrets: the single one (BETTER_AUTH_SECRET) and the versioned ones
    (BETTER_AUTH_SECRETS), either or both."""

    secret: str = ""
    versions: dict[int, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, secret: str | None, secrets: str | None) -> "Keys":
        """`secrets` in BETTER_AUTH_SECRETS' form, "<version>:<secret>,..."; ValueError if not."""
        versions: dict[int, str] = {}
        for entry in filter(None, (e.strip() for e in (secrets or "").split(","))):
            version, colon, value = entry.partition(":")
            if not colon or not version.strip().isdigit() or not value.strip():
                raise ValueError(f"not <version>:<secret>: entry {len(versions) + 1}")
            versions[int(version)] = value.strip()
        return cls(secret=secret or "", versions=versions)

    def __bool__(self) -> bool:
        return bool(self.secret or self.versions)

    def for_value(self, data: str) -> tuple[str, str]:
        """(the secret that encrypted `data`, its hex)."""
        envelope = _ENVELOPE.fullmatch(data)
        if envelope is None:
            if not self.secret:
                raise Undecryptable("a bare value needs BETTER_AUTH_SECRET")
            return self.secret, data
        version = int(envelope.group(1))
        if version not in self.versions:
            raise Undecryptable(f"no secret of version {version} in BETTER_AUTH_SECRETS")
        return self.versions[version], envelope.group(2)


def decrypt(keys: Keys, data: str) -> str:
    secret, hex_text = keys.for_value(data)
    try:
        sealed = bytes.fromhex(hex_text)
    except ValueError:
        raise Undecryptable("not hex") from None
    if len(sealed) <= _NONCE:
        raise Undecryptable("too short")
    key = hashlib.sha256(secret.encode()).digest()
    try:
        plain = crypto_aead_xchacha20poly1305_ietf_decrypt(
            sealed[_NONCE:], None, sealed[:_NONCE], key
        )
        return plain.decode()
    except CryptoError:
        raise Undecryptable("wrong secret, or the value was altered") from None
    except UnicodeDecodeError:
        raise Undecryptable("not UTF-8") from None
