"""Synthetic better-auth users in PostgreSQL, for the import benchmark and the kill-and-rerun test.

The schema comes from the committed fixture dump (written by the real better-auth); the rows are
made by SQL in PostgreSQL itself: valid-format scrypt hashes (random salt and key, so they verify
no password), a credential account per user, unicode names, both roles.
"""

import subprocess
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
DUMP = ROOT / "tests" / "fixtures" / "better_auth" / "dump.sql"
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def database_url(name: str) -> str:
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def recreate(name: str, *, with_fixture_rows: bool) -> str:
    """A fresh PostgreSQL database holding the fixture dump (schema, and rows if asked)."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = database_url(name)
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", str(DUMP)],
        check=True,
        capture_output=True,
    )
    if not with_fixture_rows:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute('TRUNCATE "user", session, account, verification CASCADE')
    return url


def drop(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def synthetic_id(index: int) -> str:
    """The id add_users gives its index-th user."""
    return "syn" + str(index).zfill(29)


def add_users(url: str, count: int, *, start: int = 0) -> None:
    """`count` users with ids syn000000000…, each with a credential account."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            """
            INSERT INTO "user" (id, name, email, "emailVerified", image, "createdAt", "updatedAt",
                                role)
            SELECT 'syn' || lpad(i::text, 29, '0'),
                   CASE i %% 4 WHEN 0 THEN 'Ada ' || i WHEN 1 THEN '李 ' || i
                              WHEN 2 THEN 'محمد ' || i ELSE '  padded ' || i || '  ' END,
                   'user' || i || '@example.com', i %% 3 = 0, NULL,
                   timestamp '2024-01-01' + (i || ' milliseconds')::interval,
                   timestamp '2024-06-01' + (i || ' milliseconds')::interval,
                   (CASE WHEN i %% 5 = 0 THEN 'teacher' ELSE 'student' END)::role
            FROM generate_series(%s::int, %s::int) AS i
            """,
            (start, start + count - 1),
        )
        connection.execute(
            """
            INSERT INTO account (id, "accountId", "providerId", "userId", password, "createdAt",
                                 "updatedAt")
            SELECT 'acc' || lpad(i::text, 29, '0'), 'syn' || lpad(i::text, 29, '0'), 'credential',
                   'syn' || lpad(i::text, 29, '0'),
                   md5(i::text || 'salt') || ':' || md5(i::text || 'a') || md5(i::text || 'b')
                       || md5(i::text || 'c') || md5(i::text || 'd'),
                   timestamp '2024-01-01', timestamp '2024-01-01'
            FROM generate_series(%s::int, %s::int) AS i
            """,
            (start, start + count - 1),
        )
