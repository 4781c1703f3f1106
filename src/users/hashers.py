"""Password hashers. Argon2id is preferred; parameters come from settings (OWASP floor enforced)."""

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


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
