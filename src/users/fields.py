from django.db import models

BINARY_COLLATION = "utf8mb4_bin"


class _ExactMatchOnMySQL(models.Field):
    """Compared byte-for-byte on MySQL (utf8mb4_bin); SQLite already compares exactly.

    The collation is chosen per backend at schema time, and foreign keys pointing at such a
    column take the same collation (Django copies it from the target field).
    """

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "mysql":
            params["collation"] = BINARY_COLLATION
        return params


class ExactMatchEmailField(_ExactMatchOnMySQL, models.EmailField):
    """josé@ and jose@ are two addresses. Emails are trimmed before storage, so the collation's
    PAD SPACE behaviour never matters."""


class ExactMatchCharField(_ExactMatchOnMySQL, models.CharField):
    """Case-sensitive ids: "aB3…" and "Ab3…" are two different keys."""
