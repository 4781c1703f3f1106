"""Import a database that the real better-auth wrote, then sign everyone in through the API."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import override_settings
from rest_framework.test import APIClient

from bench import legacy_synthetic
from tests.helpers import deliver_and_read_code, send_code, sign_in
from tests.legacy_import.conftest import (
    PG_NAME,
    SECRET,
    load_legacy_db,
    needs_postgres,
    run_import,
)
from users.models import LinkedAccount, User

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = json.loads((ROOT / "tests/fixtures/better_auth/users.json").read_text())

pytestmark = [
    needs_postgres,
    pytest.mark.real_hashers,  # imported scrypt hashes are upgraded to Argon2id on sign-in
]


def source_users(url: str) -> dict[str, dict]:
    with psycopg.connect(url) as pg:
        rows = pg.execute(
            'SELECT id, name, email, "emailVerified", image, "createdAt", "updatedAt", role::text '
            'FROM "user"'
        ).fetchall()
    return {r[0]: r for r in rows}


@pytest.mark.django_db
def test_every_field_arrives_byte_for_byte(legacy_db):
    report = run_import(legacy_db)
    assert "RESULT: clean" in report
    source = source_users(legacy_db)
    assert User.objects.count() == len(source) == len(FIXTURE)
    for user_id, (_, name, email, verified, image, created, updated, role) in source.items():
        user = User.objects.get(pk=user_id)
        assert user.name.encode() == name.encode()
        assert user.email == email.strip().lower()
        assert (user.email_verified, user.image, user.role) == (verified, image, role)
        assert user.created_at.replace(tzinfo=None) == created  # UTC, to the microsecond
        assert user.updated_at.replace(tzinfo=None) == updated


WITH_PASSWORD = [u for u in FIXTURE if u["password"]]


@pytest.fixture(scope="class")
def imported_once(django_db_setup, django_db_blocker):
    """The fixture imported once for a whole class, as Django's setUpTestData does: inside a
    transaction that each test's own (a savepoint within it) rolls back to, itself rolled back
    after the class's last test. The PostgreSQL source is dropped once the import is done."""
    name = f"{PG_NAME}_shared"
    hashers = override_settings(PASSWORD_HASHERS=settings.PRODUCTION_PASSWORD_HASHERS)
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            with hashers:  # what `real_hashers` gives each test
                run_import(load_legacy_db(name))
        finally:
            legacy_synthetic.drop(name)
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
class TestEveryPasswordSignsInAndIsUpgraded:
    """Every password of the fixture signs in, one user a test, all on one import: the scrypt
    checks, their padding and the Argon2id upgrades take the time, not the import."""

    def test_the_fixture_has_passwords_enough(self):
        assert len(WITH_PASSWORD) >= 30

    @override_settings(RATE_LIMITS_ENABLED=False)  # bulk sign-in check after an import
    @pytest.mark.parametrize("entry", WITH_PASSWORD, ids=[u["email"] for u in WITH_PASSWORD])
    def test_signs_in_and_is_upgraded(self, imported_once, entry):
        user = User.objects.get(pk=entry["id"])
        assert user.password.startswith("better_auth_scrypt$"), entry["email"]
        assert sign_in(APIClient(), entry["email"], "not-the-password").status_code == 401
        response = sign_in(APIClient(), entry["email"], entry["password"])
        assert response.status_code == 200, (entry["email"], response.content)
        user.refresh_from_db()
        assert user.password.startswith("argon2$argon2id$"), entry["email"]
        for spelling in filter(None, [entry["nfkcTwin"]]):
            assert sign_in(APIClient(), entry["email"], spelling).status_code == 200
        if entry["oldPassword"]:
            assert sign_in(APIClient(), entry["email"], entry["oldPassword"]).status_code == 401


@pytest.mark.django_db
@override_settings(RATE_LIMITS_ENABLED=False)
def test_password_less_users_sign_in_by_code_only(legacy_db, mailoutbox):
    run_import(legacy_db)
    otp_only = [u for u in FIXTURE if u["password"] is None]
    assert otp_only
    for entry in otp_only:
        assert not User.objects.get(pk=entry["id"]).has_usable_password()
        for guess in ("", "!", "!better-auth:no-credential", "password123"):
            assert sign_in(APIClient(), entry["email"], guess).status_code == 401
        client = APIClient()
        send_code(client, entry["email"], "sign-in")
        code = deliver_and_read_code(mailoutbox, entry["email"])
        response = client.post(
            "/api/auth/email-otp/sign-in/", {"email": entry["email"], "otp": code}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["user"]["id"] == entry["id"]


@pytest.mark.django_db
def test_other_providers_sessions_and_codes_are_accounted_for(legacy_db):
    report = run_import(legacy_db, "--carry-codes")
    assert re.search(r"accounts\s+read=1 written=1 .*provider github=1", report)
    assert LinkedAccount.objects.get().provider_id == "github"
    with psycopg.connect(legacy_db) as pg:
        sessions = pg.execute("SELECT count(*) FROM session").fetchone()[0]
    assert f"sessions      read={sessions}" in report
    assert re.search(r"verifications read=\d+ written=[1-9]\d* .*expired=[1-9]", report)


@pytest.mark.django_db
def test_dry_run_writes_nothing(legacy_db):
    report = run_import(legacy_db, "--dry-run")
    assert f"written={len(FIXTURE)}" in report and "dry run" in report
    assert not User.objects.exists()


@pytest.mark.django_db
def test_import_twice_changes_nothing(legacy_db):
    run_import(legacy_db)
    before = list(User.objects.order_by("pk").values())
    report = run_import(legacy_db)
    assert f"unchanged={len(FIXTURE)}" in report and "written=0 updated=0" in report
    assert list(User.objects.order_by("pk").values()) == before


@pytest.mark.django_db
@override_settings(RATE_LIMITS_ENABLED=False)
def test_a_rerun_keeps_passwords_upgraded_or_changed_here(legacy_db):
    run_import(legacy_db)
    entry = next(u for u in FIXTURE if u["password"] and not u["nfkcTwin"])
    sign_in(APIClient(), entry["email"], entry["password"])
    report = run_import(legacy_db)
    assert "passwords changed here since import=1" in report and "RESULT: clean" in report
    assert User.objects.get(pk=entry["id"]).password.startswith("argon2$")


def spoil_three_rows(url: str) -> list[dict]:
    """A role outside the enum, a truncated hash, and an address already taken here."""
    victims = [u for u in FIXTURE if u["password"]][:3]
    with psycopg.connect(url, autocommit=True) as pg:
        pg.execute("ALTER TYPE role ADD VALUE 'admin'")
        pg.execute("""UPDATE "user" SET role = 'admin' WHERE id = %s""", (victims[0]["id"],))
        pg.execute(
            """UPDATE account SET password = left(password, 50)
               WHERE "userId" = %s AND "providerId" = 'credential'""",
            (victims[1]["id"],),
        )
    User.objects.create_user(victims[2]["email"], "already-here-123")  # a different user
    return victims


@pytest.mark.django_db
def test_bad_rows_are_reported_and_the_rest_imported(legacy_db):
    victims = spoil_three_rows(legacy_db)
    report = run_import(legacy_db)
    assert f"users {victims[0]['id']}: role_invalid ('admin')" in report
    assert f"users {victims[1]['id']}: hash_malformed" in report
    assert f"users {victims[2]['id']}: email_clash" in report
    assert "skipped=3 (email_clash=1, hash_malformed=1, role_invalid=1)" in report
    assert "RESULT: clean" in report
    assert User.objects.filter(pk__in=[v["id"] for v in victims]).count() == 0
    assert User.objects.count() == len(FIXTURE) - 3 + 1


def test_unreachable_source_is_a_clear_error(db):
    with pytest.raises(CommandError, match="cannot read the source"):
        run_import("postgresql://postgres@127.0.0.1:1/none")


# --- killed mid-way ----------------------------------------------------------------------------

SYNTHETIC = 30_000


def _mysql_url(name: str) -> str:
    settings_dict = connection.settings_dict
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 3306
    return f"mysql://root@{host}:{port}/{name}"


def _import_process(url: str, database_url: str, *args: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "BETTER_AUTH_SECRET": SECRET,  # the option's default
    }
    return subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "src/manage.py"),
            "import_better_auth",
            "--source",
            url,
            "--batch-size",
            "500",
            *args,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _user_count(database: str) -> int:
    import pymysql

    with pymysql.connect(host="127.0.0.1", user="root", database=database) as db, db.cursor() as c:
        c.execute("SELECT count(*) FROM users_user")
        return c.fetchone()[0]


def _fingerprint(database: str) -> list:
    import pymysql

    with pymysql.connect(host="127.0.0.1", user="root", database=database) as db, db.cursor() as c:
        c.execute(
            "SELECT id, email, name, role, email_verified, image, created_at, updated_at, "
            "password, is_active FROM users_user ORDER BY id"
        )
        users = c.fetchall()
        c.execute("SELECT * FROM users_linkedaccount ORDER BY id")
        return [users, c.fetchall()]


@pytest.mark.skipif(connection.vendor != "mysql", reason="a second process needs a shared MySQL")
@pytest.mark.django_db(transaction=True)
def test_killed_mid_batch_then_rerun_equals_one_clean_run(legacy_db):
    legacy_synthetic.add_users(legacy_db, SYNTHETIC)
    target = connection.settings_dict["NAME"]
    killed = _import_process(legacy_db, _mysql_url(target))
    deadline = time.monotonic() + 120
    while _user_count(target) < 2_000 and time.monotonic() < deadline:
        time.sleep(0.05)
    killed.send_signal(signal.SIGKILL)
    killed.wait(30)
    partial = _user_count(target)
    print(f"killed with {partial} of {SYNTHETIC + len(FIXTURE)} users written")
    assert 0 < partial < SYNTHETIC, partial  # really stopped half-way

    rerun = _import_process(legacy_db, _mysql_url(target))
    output, _ = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, output
    print(output)
    assert "RESULT: clean" in output
    assert f"source={SYNTHETIC + len(FIXTURE)} expected={SYNTHETIC + len(FIXTURE)}" in output

    clean_db = f"{target}_clean"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts/dbtool.py"), "drop", _mysql_url(clean_db)], check=True
    )
    subprocess.run(
        [sys.executable, str(ROOT / "scripts/dbtool.py"), "create", _mysql_url(clean_db)],
        check=True,
    )
    try:
        env = {
            **os.environ,
            "DATABASE_URL": _mysql_url(clean_db),
            "DEBUG": "true",
            "DJANGO_SETTINGS_MODULE": "project.settings",
        }
        subprocess.run(
            [sys.executable, str(ROOT / "src/manage.py"), "migrate", "-v0"], env=env, check=True
        )
        single = _import_process(legacy_db, _mysql_url(clean_db))
        clean_output, _ = single.communicate(timeout=300)
        assert single.returncode == 0, clean_output
        verify_lines = lambda text: text[text.index("Verification") :]  # noqa: E731
        assert verify_lines(output) == verify_lines(clean_output)
        assert _fingerprint(target) == _fingerprint(clean_db)
    finally:
        subprocess.run(
            [sys.executable, str(ROOT / "scripts/dbtool.py"), "drop", _mysql_url(clean_db)],
            check=True,
        )


@pytest.mark.skipif(connection.vendor != "mysql", reason="the bulk path is MySQL's")
@pytest.mark.django_db(transaction=True)
def test_bad_rows_through_the_bulk_path_in_a_separate_process(legacy_db):
    """Same as above, through LOAD DATA LOCAL and the writer thread (a real import process)."""
    victims = spoil_three_rows(legacy_db)
    process = _import_process(legacy_db, _mysql_url(connection.settings_dict["NAME"]))
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, output
    assert "skipped=3 (email_clash=1, hash_malformed=1, role_invalid=1)" in output
    assert all(f"users {victim['id']}: " in output for victim in victims)
    assert f"written={len(FIXTURE) - 3}" in output
    assert "RESULT: clean" in output
    assert User.objects.count() == len(FIXTURE) - 3 + 1


AWKWARD = ["tab\there", "new\nline", "back\\slash", "\\N", "NULL", '"quoted", comma', "end\\", ""]


@pytest.mark.skipif(connection.vendor != "mysql", reason="the bulk path is MySQL's")
@pytest.mark.django_db(transaction=True)
def test_awkward_text_arrives_exactly_through_the_bulk_loader(legacy_db):
    legacy_synthetic.add_users(legacy_db, len(AWKWARD))
    with psycopg.connect(legacy_db, autocommit=True) as pg:
        for i, text in enumerate(AWKWARD):
            pg.execute(
                'UPDATE "user" SET name = %s, image = %s WHERE id = %s',
                (text + " \r\n", text, legacy_synthetic.synthetic_id(i)),
            )
    process = _import_process(legacy_db, _mysql_url(connection.settings_dict["NAME"]))
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, output
    assert "RESULT: clean" in output and "compared row by row in 0" in output
    for i, text in enumerate(AWKWARD):
        user = User.objects.get(pk=legacy_synthetic.synthetic_id(i))
        assert (user.name, user.image) == (text + " \r\n", text)
    assert User.objects.filter(image__isnull=True).count() == len(FIXTURE)
