"""Password hashers: Argon2id preferred (OWASP floor enforced); better-auth scrypt verified."""

import hashlib
import re
import secrets
import unicodedata

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, BasePasswordHasher, mask_hash
from django.utils.translation import gettext_noop as _


class Argon2idHasher(Argon2PasswordHasher):
    """Django's Argon2 hasher (same `argon2` prefix) with tunable, OWASP-compliant parameters.

    Defaults: m=19456 KiB, t=2, p=1 (OWASP Password Storage Cheat Sheet, Argon2id minimum).
    Changing the parameters re-hashes each password at its owner's next sign-in (must_update).
    """

    @property
    def time_cost(self) -> int:  # type: ignore[override]
        return settings.ARGON2_TIME_COST

    @property
    def memory_cost(self) -> int:  # type: ignore[override]
        return settings.ARGON2_MEMORY_COST_KIB

    @property
    def parallelism(self) -> int:  # type: ignore[override]
        return settings.ARGON2_PARALLELISM


class BetterAuthScryptHasher(BasePasswordHasher):
    """Verifies passwords hashed by better-auth 1.x (`@better-auth/utils/password`, the scrypt
    `hashPassword`/`verifyPassword` used through better-auth 1.7.x), imported as
    `better_auth_scrypt$<salt>$<key>`.

    better-auth stores `salt:key`: the salt is 16 random bytes written as 32 lower-case hex chars
    and given to scrypt *as that text* (not decoded); the key is scrypt(NFKC(password), salt,
    N=16384, r=16, p=1, dkLen=64) in hex. It is never used to hash new passwords: it is not the
    preferred hasher, so Django re-hashes with Argon2id at the first successful sign-in.
    """

    algorithm = "better_auth_scrypt"
    n, r, p, dklen = 16384, 16, 1, 64
    maxmem = 64 * 1024 * 1024  # scrypt needs 128 * N * r = 32 MiB; hashlib's default is 32 MiB
    SALT_RE = re.compile(r"^[0-9a-f]{32}$")
    KEY_RE = re.compile(r"^[0-9a-f]{128}$")

    def salt(self) -> str:
        return secrets.token_hex(16)

    def _key(self, password: str, salt: str) -> str:
        normalized = unicodedata.normalize("NFKC", password)
        return hashlib.scrypt(
            normalized.encode(),
            salt=salt.encode(),
            n=self.n,
            r=self.r,
            p=self.p,
            dklen=self.dklen,
            maxmem=self.maxmem,
        ).hex()

    def encode(self, password: str, salt: str) -> str:
        if password is None or not salt or "$" in salt:
            raise ValueError("A password and a salt without '$' are required.")
        return f"{self.algorithm}${salt}${self._key(password, salt)}"

    def decode(self, encoded: str) -> dict:
        parts = encoded.split("$", 2)
        if len(parts) != 3 or parts[0] != self.algorithm:
            raise ValueError("not a better_auth_scrypt hash")
        return {"algorithm": parts[0], "salt": parts[1], "hash": parts[2]}

    def verify(self, password: str, encoded: str) -> bool:
        try:
            decoded = self.decode(encoded)
        except ValueError:
            return False
        if not (self.SALT_RE.fullmatch(decoded["salt"]) and self.KEY_RE.fullmatch(decoded["hash"])):
            return False
        return secrets.compare_digest(self._key(password, decoded["salt"]), decoded["hash"])

    def safe_summary(self, encoded: str) -> dict:
        decoded = self.decode(encoded)
        return {
            _("algorithm"): decoded["algorithm"],
            _("salt"): mask_hash(decoded["salt"]),
            _("hash"): mask_hash(decoded["hash"]),
        }

    def must_update(self, encoded: str) -> bool:
        return True

    def harden_runtime(self, password: str, encoded: str) -> None:
        pass


_BETTER_AUTH_STORED = re.compile(r"^([0-9a-f]{32}):([0-9a-f]{128})$")


def better_auth_to_django(stored: str) -> str | None:
    """better-auth's `salt:key` as a Django-encoded hash, or None when it is not well-formed."""
    match = _BETTER_AUTH_STORED.fullmatch(stored)
    if match is None:
        return None
    return f"{BetterAuthScryptHasher.algorithm}${match.group(1)}${match.group(2)}"
