"""Read a better-auth PostgreSQL database (Drizzle schema, camelCase columns) as streams.

One read-only REPEATABLE READ transaction gives every query the same snapshot; server-side
cursors stream rows in batches, so memory does not grow with the number of users.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import psycopg
from psycopg.rows import dict_row, tuple_row

# Timestamps come as text in MySQL's format (cheap in PostgreSQL, written as is); every check on
# values happens in Python (mapping.map_user). PostgreSQL's regex engine is slower than Python's
# for these patterns, so none are pushed down.
_USERS = """
SELECT u.id, u.name, u.email, u."emailVerified" AS email_verified, u.image,
       to_char(u."createdAt", 'YYYY-MM-DD HH24:MI:SS.US') AS created_at,
       to_char(u."updatedAt", 'YYYY-MM-DD HH24:MI:SS.US') AS updated_at, {role} AS role,
       c.password, (c."userId" IS NOT NULL) AS has_credential
FROM "user" u
LEFT JOIN (
    SELECT DISTINCT ON ("userId") "userId", password FROM account
    WHERE "providerId" = 'credential' ORDER BY "userId", "createdAt"
) c ON c."userId" = u.id
ORDER BY u.id
"""

_ACCOUNTS = """
SELECT id, "userId" AS user_id, "providerId" AS provider_id, "accountId" AS account_id,
       "accessToken" AS access_token, "refreshToken" AS refresh_token, "idToken" AS id_token,
       "accessTokenExpiresAt" AS access_token_expires_at,
       "refreshTokenExpiresAt" AS refresh_token_expires_at, scope,
       "createdAt" AS created_at, "updatedAt" AS updated_at
FROM account WHERE "providerId" <> 'credential' ORDER BY id
"""

_VERIFICATIONS = (
    'SELECT id, identifier, value, "expiresAt" AS expires_at FROM verification ORDER BY id'
)


class Source:
    def __init__(self, connection: psycopg.Connection):
        self.connection = connection
        self._role = self._has_column("user", "role")

    def _has_column(self, table: str, column: str) -> bool:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = %s AND column_name = %s",
                (table, column),
            )
            return cursor.fetchone() is not None

    def _stream(
        self, name: str, sql: str, batch_size: int, params: dict | None = None, row_factory=dict_row
    ) -> Iterator[list]:
        with self.connection.cursor(name=name, row_factory=row_factory) as cursor:
            cursor.itersize = batch_size
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(batch_size):
                yield rows

    def users(self, batch_size: int) -> Iterator[list[tuple]]:
        """Rows as tuples in the SELECT order of _USERS (tuples: this is the hot path)."""
        role = "u.role::text" if self._role else "'student'"
        return self._stream(
            "legacy_users",
            _USERS.format(role=role),
            batch_size,
            row_factory=tuple_row,
        )

    def accounts(self, batch_size: int) -> Iterator[list[dict]]:
        return self._stream("legacy_accounts", _ACCOUNTS, batch_size)

    def verifications(self, batch_size: int) -> Iterator[list[dict]]:
        return self._stream("legacy_verifications", _VERIFICATIONS, batch_size)

    def session_counts(self) -> tuple[int, int]:
        """(all sessions, sessions still valid)."""
        with self.connection.cursor() as cursor:
            cursor.execute(
                'SELECT count(*), count(*) FILTER (WHERE "expiresAt" > %s) FROM session',
                (utc_naive_now(),),
            )
            total, live = cursor.fetchone() or (0, 0)  # an aggregate always returns one row
            return total, live


def utc_naive_now() -> datetime:
    # better-auth writes `timestamp without time zone` holding UTC.
    return datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def open_source(url: str) -> Iterator[Source]:
    with psycopg.connect(url, autocommit=False) as connection:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        yield Source(connection)
        connection.rollback()
