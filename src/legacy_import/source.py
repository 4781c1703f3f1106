"""Read a better-auth PostgreSQL database (Drizzle schema, camelCase columns) as streams.

One read-only REPEATABLE READ transaction gives every query the same snapshot; server-side
cursors stream rows in batches, so memory does not grow with the number of users.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import NamedTuple

import psycopg
from psycopg.rows import dict_row, tuple_row

from users.hashers import BetterAuthScryptHasher

from .mapping import NO_PASSWORD

_FROM_USERS = """
FROM "user" u
LEFT JOIN (
    SELECT DISTINCT ON ("userId") "userId", password FROM account
    WHERE "providerId" = 'credential' ORDER BY "userId", "createdAt"
) c ON c."userId" = u.id
"""

# Timestamps come as text in MySQL's format (cheap in PostgreSQL, written as is); every check on
# values happens in Python (mapping.map_user). PostgreSQL's regex engine is slower than Python's
# for these patterns, so none are pushed down. Ids are ordered byte-wise, as MySQL's utf8mb4_bin
# orders them, so a batch is the same key range on both sides ({key}: see Source._key).
# OFFSET 0 keeps PostgreSQL from inlining the columns into _DIGEST (computed twice otherwise).
_ROWS = f"""
SELECT u.id, u.name, u.email, u."emailVerified" AS email_verified, u.image,
       to_char(u."createdAt", 'YYYY-MM-DD HH24:MI:SS.US') AS created_at,
       to_char(u."updatedAt", 'YYYY-MM-DD HH24:MI:SS.US') AS updated_at, {{role}} AS role,
       c.password, (c."userId" IS NOT NULL) AS has_credential
{_FROM_USERS} {{where}}
ORDER BY {{key}} OFFSET 0
"""

# The row as this service should hold it, in the canonical text verify.TARGET_DIGEST builds from
# MySQL's columns (fields joined by U+001F), hashed; the first 60 bits of the MD5 as an integer,
# so a batch's digest is a plain sum. Only what SQL reproduces exactly: the email lower-cased and
# trimmed as ASCII, the credential's `salt:key` in the imported hash format. A row the Python
# mapping treats otherwise (a Unicode address, a malformed hash, any skipped row) makes its
# batch's digests differ, and that batch is compared row by row, through the mapping itself.
_DIGEST = f"""('x0' || substr(md5(convert_to(concat_ws(chr(31),
    r.id, lower(btrim(r.email COLLATE "C")), coalesce(r.name, ''), r.role,
    CASE WHEN r.email_verified THEN '1' ELSE '0' END,
    CASE WHEN r.image IS NULL THEN '0' ELSE '1' || r.image END,
    coalesce(r.created_at, ''), coalesce(r.updated_at, ''),
    CASE WHEN NOT r.has_credential THEN '{NO_PASSWORD}'
         ELSE '{BetterAuthScryptHasher.algorithm}$' || replace(r.password, ':', '$') END),
    'UTF8')), 1, 15))::bit(64)::bigint"""

_USERS = f"SELECT r.*, {_DIGEST} AS digest FROM ({_ROWS}) r ORDER BY {{row_key}}"  # noqa: S608
_USER_DIGESTS = f"SELECT r.id, {_DIGEST} FROM ({_ROWS}) r ORDER BY {{row_key}}"  # noqa: S608


class BatchDigest(NamedTuple):
    """One batch of source users: the key range (previous batch's last_id, last_id], its row
    count and the sum of its rows' digests."""

    last_id: str
    rows: int
    total: int


def batch_digest(rows: list[tuple]) -> BatchDigest:
    """Rows ordered by id, id first and digest last."""
    return BatchDigest(rows[-1][0], len(rows), sum(row[-1] for row in rows))


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

# The twoFactor plugin: a user with two-factor on, or with a twoFactor row (a finished or a
# started enrolment), one line per row. `verified` came with better-auth 1.4; before it, a row
# was a finished enrolment (NULL here).
_TWO_FACTORS = """
SELECT u.id AS user_id, {enabled} AS enabled, t.id, t.secret, t."backupCodes" AS backup_codes,
       {verified} AS verified
FROM "user" u LEFT JOIN "twoFactor" t ON t."userId" = u.id
WHERE {enabled} OR t.id IS NOT NULL
ORDER BY u.id, t.id
"""
# two-factor on without the plugin's table: better-auth's `otp` method alone (codes by mail/SMS)
_TWO_FACTOR_USERS = """
SELECT u.id AS user_id, true AS enabled, NULL AS id, NULL AS secret, NULL AS backup_codes,
       NULL::boolean AS verified
FROM "user" u WHERE {enabled} ORDER BY u.id
"""

_PASSKEYS = """
SELECT id, "userId" AS user_id, name, "publicKey" AS public_key,
       "credentialID" AS credential_id, counter, "deviceType" AS device_type,
       "backedUp" AS backed_up, transports, {created_at} AS created_at, {aaguid} AS aaguid
FROM passkey ORDER BY id
"""


class Source:
    def __init__(self, connection: psycopg.Connection):
        self.connection = connection
        self._role = self._has_column("user", "role")
        self._key = "u.id" if self._ids_sort_bytewise() else 'u.id COLLATE "C"'
        self._digests: dict[int, list[BatchDigest]] = {}  # batch size -> digests, this snapshot

    def _has_column(self, table: str, column: str) -> bool:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = %s AND column_name = %s",
                (table, column),
            )
            return cursor.fetchone() is not None

    def _ids_sort_bytewise(self) -> bool:
        """Whether "user".id's own collation orders like bytes (C, POSIX, C.UTF-8): then the
        primary key's index gives the order and rows stream at once; otherwise (en_US...) every
        read sorts by COLLATE "C" first."""
        # The database's default provider is libc before PostgreSQL 15 (then datlocprovider).
        provider = "d.datlocprovider" if self.connection.info.server_version >= 150000 else "'c'"
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT CASE WHEN c.collname = 'default' THEN d.datcollate ELSE c.collcollate END, "  # noqa: S608 - a constant
                f"CASE WHEN c.collname = 'default' THEN {provider} ELSE c.collprovider END "
                "FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation "
                "JOIN pg_database d ON d.datname = current_database() "
                "WHERE a.attrelid = '\"user\"'::regclass AND a.attname = 'id'"
            )
            collate, kind = cursor.fetchone() or (None, None)
        return kind == "c" and (collate or "").lower() in {"c", "posix", "c.utf-8", "c.utf8"}

    def _stream(
        self, name: str, sql: str, batch_size: int, params: dict | None = None, row_factory=dict_row
    ) -> Iterator[list]:
        with self.connection.cursor(name=name, row_factory=row_factory) as cursor:
            cursor.itersize = batch_size
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(batch_size):
                yield rows

    def _sql(self, template: str, *, where: str) -> str:
        return template.format(
            role="u.role::text" if self._role else "'student'",
            where=where,
            key=self._key,
            row_key=self._key.replace("u.", "r.", 1),
        )

    def users(self, batch_size: int) -> Iterator[list[tuple]]:
        """Rows as tuples in the SELECT order of _USERS, the row's digest last (tuples: this is
        the hot path). A stream read to its end keeps its batches' digests for user_digests()."""
        sql = self._sql(_USERS, where="")
        digests: list[BatchDigest] = []
        for rows in self._stream("legacy_users", sql, batch_size, row_factory=tuple_row):
            digests.append(batch_digest(rows))
            yield rows
        self._digests[batch_size] = digests

    def users_between(self, lo: str | None, hi: str | None) -> list[tuple]:
        """The rows of one key range (lo, hi] (open ends as None), as users() gives them."""
        bounds = [
            *([f"{self._key} > %(lo)s"] if lo is not None else []),
            *([f"{self._key} <= %(hi)s"] if hi is not None else []),
        ]
        where = ("WHERE " + " AND ".join(bounds)) if bounds else ""
        sql = self._sql(_USERS, where=where)
        with self.connection.cursor(row_factory=tuple_row) as cursor:
            return cursor.execute(sql, {"lo": lo, "hi": hi}).fetchall()

    def user_digests(self, batch_size: int) -> Iterator[BatchDigest]:
        """Per-batch digests of every user: the ones users() computed in this snapshot, or a
        digest-only read when no import read them."""
        if batch_size in self._digests:
            yield from self._digests[batch_size]
            return
        sql = self._sql(_USER_DIGESTS, where="")
        for rows in self._stream("legacy_digests", sql, batch_size, row_factory=tuple_row):
            yield batch_digest(rows)

    def user_count(self) -> int:
        with self.connection.cursor() as cursor:
            (count,) = cursor.execute('SELECT count(*) FROM "user"').fetchone() or (0,)
            return count

    def accounts(self, batch_size: int) -> Iterator[list[dict]]:
        return self._stream("legacy_accounts", _ACCOUNTS, batch_size)

    def verifications(self, batch_size: int) -> Iterator[list[dict]]:
        return self._stream("legacy_verifications", _VERIFICATIONS, batch_size)

    def has_table(self, table: str) -> bool:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() "
                "AND table_name = %s",
                (table,),
            )
            return cursor.fetchone() is not None

    def two_factors(self, batch_size: int) -> Iterator[list[dict]]:
        """Users with two-factor on or a twoFactor row, ordered by user id; a user's rows are
        never split across two batches (a batch runs longer for that)."""
        enabled = (
            'coalesce(u."twoFactorEnabled", false)'
            if self._has_column("user", "twoFactorEnabled")
            else "false"
        )
        if self.has_table("twoFactor"):
            verified = "t.verified" if self._has_column("twoFactor", "verified") else "NULL"
            sql = _TWO_FACTORS.format(enabled=enabled, verified=f"{verified}::boolean")
        elif enabled != "false":
            sql = _TWO_FACTOR_USERS.format(enabled=enabled)
        else:
            return
        pending: list[dict] = []
        for rows in self._stream("legacy_two_factors", sql, batch_size):
            pending.extend(rows)
            cut = len(pending)
            while cut and pending[cut - 1]["user_id"] == pending[-1]["user_id"]:
                cut -= 1
            if cut:
                yield pending[:cut]
                pending = pending[cut:]
        if pending:
            yield pending

    def two_factor_count(self) -> int:
        if not self.has_table("twoFactor"):
            return 0
        with self.connection.cursor() as cursor:
            (count,) = cursor.execute('SELECT count(*) FROM "twoFactor"').fetchone() or (0,)
            return count

    def two_factor_sample(self, limit: int) -> list[str]:
        """Encrypted TOTP secrets of the first `limit` twoFactor rows (to try the secret on)."""
        if not self.has_table("twoFactor"):
            return []
        with self.connection.cursor() as cursor:
            cursor.execute('SELECT secret FROM "twoFactor" ORDER BY id LIMIT %s', (limit,))
            return [secret for (secret,) in cursor.fetchall()]

    def passkeys(self, batch_size: int) -> Iterator[list[dict]]:
        if not self.has_table("passkey"):
            return iter(())
        sql = _PASSKEYS.format(
            created_at='"createdAt"' if self._has_column("passkey", "createdAt") else "NULL",
            aaguid="aaguid" if self._has_column("passkey", "aaguid") else "NULL",
        )
        return self._stream("legacy_passkeys", sql, batch_size)

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
