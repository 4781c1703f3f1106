from django.conf import settings
from django.db import models

from users.fields import ExactMatchCharField


class ImportedRow(models.Model):
    """What the import last wrote for a better-auth row it carries whole (a user's twoFactor row,
    a passkey): a keyed digest of the source's values. A re-run writes such a row again only when
    better-auth changed it since, so what the owner did here meanwhile (a recovery code used,
    two-factor turned off, a passkey removed or renamed) stands, and a re-run changes nothing."""

    class Kind(models.TextChoices):
        TWO_FACTOR = "two_factor", "twoFactor row (TOTP secret, backup codes) of a user"
        PASSKEY = "passkey", "passkey"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    key = ExactMatchCharField(max_length=64)  # the user's id (two_factor), the passkey's id
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="legacy_imported_row_kind_key")
        ]

    def __str__(self) -> str:
        return f"imported {self.kind} {self.key}"
