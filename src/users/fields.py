from django.db import models


class ExactMatchEmailField(models.EmailField):
    """Email column compared byte-for-byte on MySQL (utf8mb4_bin), so josé@ and jose@ differ.

    The collation is chosen per backend at schema time: SQLite already compares exactly.
    Emails are trimmed before storage, so the collation's PAD SPACE behaviour never matters.
    """

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "mysql":
            params["collation"] = "utf8mb4_bin"
        return params
