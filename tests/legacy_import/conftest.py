"""A better-auth database for each test, loaded from the dump the real better-auth wrote."""

import json
import os
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command

from bench import legacy_synthetic

ROOT = Path(__file__).resolve().parents[2]
PG_NAME = f"authsvc_legacy_{os.getpid()}"
FIXTURE_DIR = ROOT / "tests/fixtures/better_auth"
# What the old app's second factors need: its secret, the TOTP secrets, backup codes and passkey
# keys better-auth was given or gave (the generator wrote them beside the dump).
SECOND_FACTORS = json.loads((FIXTURE_DIR / "second_factors.json").read_text())
SECRET = SECOND_FACTORS["betterAuthSecret"]


def postgres_available() -> bool:
    try:
        psycopg.connect(legacy_synthetic.ADMIN_URL, connect_timeout=2).close()
        return True
    except psycopg.OperationalError:
        if os.environ.get("CI"):
            raise
        return False


needs_postgres = pytest.mark.skipif(not postgres_available(), reason="no PostgreSQL on 127.0.0.1")


def load_legacy_db(name: str) -> str:
    """(Re)create PostgreSQL database `name` from the dump; its URL."""
    url = legacy_synthetic.recreate(name, with_fixture_rows=True)
    # Replay the dump as if it had just been written: codes and sessions keep their state
    # (unexpired ones still valid, the expired one still expired).
    with psycopg.connect(url, autocommit=True) as pg:
        shift = pg.execute(
            "SELECT (now() AT TIME ZONE 'UTC') - max(\"createdAt\") FROM verification"
        ).fetchone()[0]
        for table in ("verification", "session"):
            pg.execute(f'UPDATE {table} SET "expiresAt" = "expiresAt" + %s', (shift,))  # noqa: S608
    return url


@pytest.fixture
def legacy_db():
    yield load_legacy_db(PG_NAME)
    legacy_synthetic.drop(PG_NAME)


def run_import(
    url: str, *args: str, stderr: StringIO | None = None, secret: str | None = SECRET
) -> str:
    """The command's report; the old app's secret given unless `secret` is None."""
    out = StringIO()
    given = ("--better-auth-secret", secret) if secret is not None else ()
    call_command("import_better_auth", "--source", url, *given, *args, stdout=out, stderr=stderr)
    return out.getvalue()
