"""Verification by per-batch digests: one tampered row among thousands is found and named, and
only its batch is compared row by row."""

import re
from datetime import timedelta
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Concat

from bench import legacy_synthetic
from legacy_import.mapping import NO_PASSWORD
from legacy_import.source import open_source
from legacy_import.verify import target_digest, target_digest_in_python
from tests.legacy_import.conftest import needs_postgres, run_import
from users.models import User

pytestmark = needs_postgres

SYNTHETIC = 2_000
BATCH = "250"  # 8 batches of synthetic users, and the fixture's
VICTIM = legacy_synthetic.synthetic_id(1234)
NEIGHBOUR = VICTIM[:-1] + "a"  # an id of the victim's key range that the source lacks
OTHER_HASH = "better_auth_scrypt$" + "0" * 32 + "$" + "0" * 128


@pytest.fixture
def imported(legacy_db):
    legacy_synthetic.add_users(legacy_db, SYNTHETIC)
    assert "RESULT: clean" in run_import(legacy_db, "--batch-size", BATCH)
    return legacy_db


def verify(url: str) -> tuple[str, bool]:
    out = StringIO()
    try:
        call_command(
            "import_better_auth",
            *("--source", url, "--verify", "--batch-size", BATCH),
            stdout=out,
            stderr=StringIO(),
        )
    except CommandError:
        return out.getvalue(), False
    return out.getvalue(), True


def compared(report: str) -> int:
    return int(re.search(r"compared row by row in (\d+)", report).group(1))


def named_rows(report: str) -> list[str]:
    return re.findall(r"^  (?:user|account) .*$", report, re.MULTILINE)


def on_source(url: str, sql: str) -> None:
    with psycopg.connect(url, autocommit=True) as pg:
        pg.execute(sql, {"victim": VICTIM})


def _change_name() -> None:
    User.objects.filter(pk=VICTIM).update(name=Concat("name", Value("!")))


def _change_hash() -> None:
    User.objects.filter(pk=VICTIM).update(password=OTHER_HASH)


def _shift_time() -> None:
    User.objects.filter(pk=VICTIM).update(updated_at=F("updated_at") + timedelta(microseconds=1))


def _drop_row() -> None:
    User.objects.filter(pk=VICTIM).delete()


def _add_row_here() -> None:
    # An imported-looking user the source does not have, in the victim's key range.
    User.objects.create(id=NEIGHBOUR, email="phantom@example.com", password=NO_PASSWORD)


TAMPER_HERE = {
    "name": (_change_name, "differs in name"),
    "password hash": (_change_hash, "differs in password"),
    "timestamp (1 microsecond)": (_shift_time, "differs in updated_at"),
    "missing row": (_drop_row, "missing"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", TAMPER_HERE)
def test_one_row_changed_in_mysql_is_named(imported, kind):
    before, clean = verify(imported)
    assert clean
    tamper, what = TAMPER_HERE[kind]
    tamper()
    report, clean = verify(imported)
    assert not clean and "RESULT: MISMATCH" in report
    assert named_rows(report) == [f"  user {VICTIM}: {what}"]
    assert compared(report) == compared(before) + 1  # only the victim's batch re-read


@pytest.mark.django_db
def test_an_extra_imported_row_in_mysql_is_named(imported):
    before, _ = verify(imported)
    _add_row_here()
    report, clean = verify(imported)
    assert not clean
    assert named_rows(report) == [f"  user {NEIGHBOUR}: in MySQL only, with an imported password"]
    assert "mysql only    users=1 " in report
    assert compared(report) == compared(before) + 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sql", "what"),
    [
        (
            'UPDATE "user" SET "emailVerified" = NOT "emailVerified" WHERE id = %(victim)s',
            "differs in email_verified",
        ),
        (
            """UPDATE account SET password = md5('x') || substr(password, 33)
               WHERE "userId" = %(victim)s""",
            "differs in password",
        ),
        (
            """INSERT INTO "user" (id, name, email, "createdAt", "updatedAt")
               SELECT left(id, 31) || 'a', name, 'extra@example.com', "createdAt", "updatedAt"
               FROM "user" WHERE id = %(victim)s""",
            "missing",
        ),
    ],
    ids=["field", "credential", "extra source row"],
)
def test_one_row_changed_in_the_source_is_named(imported, sql, what):
    before, _ = verify(imported)
    on_source(imported, sql)
    report, clean = verify(imported)
    assert not clean
    (line,) = named_rows(report)
    assert line.startswith(f"  user {VICTIM if 'missing' not in what else NEIGHBOUR}: ")
    assert what in line
    assert compared(report) == compared(before) + 1


@pytest.mark.django_db
def test_users_who_signed_up_or_signed_in_here_keep_it_clean(imported):
    User.objects.create_user("new@example.com", "a-new-password-123")
    User.objects.filter(pk=VICTIM).update(password="argon2$argon2id$upgraded-on-sign-in")
    report, clean = verify(imported)
    assert clean, report
    assert "mysql only    users=1 (" in report and "with an imported password=0" in report
    assert "passwords changed here since import=1" in report
    assert named_rows(report) == []


@pytest.mark.django_db
def test_a_clean_import_compares_no_batch_row_by_row(imported):
    report, clean = verify(imported)
    assert clean
    batches = int(re.search(r"batches\s+(\d+) key ranges", report).group(1))
    assert batches >= SYNTHETIC // int(BATCH)
    # The rows better-auth wrote (mixed-case, padded addresses, Unicode names, images, rows with
    # no credential) digest alike on both sides: no batch needs the row-by-row comparison.
    assert compared(report) == 0


@pytest.mark.skipif(connection.vendor != "mysql", reason="MySQL's own digest")
@pytest.mark.django_db
def test_mysql_digest_equals_the_same_digest_computed_in_python(imported):
    with open_source(imported) as source:
        batches = list(source.user_digests(int(BATCH)))
    lo = None
    for batch in batches:
        assert target_digest(lo, batch.last_id) == target_digest_in_python(lo, batch.last_id)
        lo = batch.last_id
    assert target_digest(None, None) == target_digest_in_python(None, None)
    assert target_digest(None, None)[0] == User.objects.count()


@pytest.mark.django_db
def test_a_row_sql_cannot_map_is_compared_through_the_mapping(legacy_db):
    """A Unicode address is normalised in Python (NFC, lower case, IDNA): the SQL digest cannot
    follow, so that batch is compared row by row, and found equal."""
    legacy_synthetic.add_users(legacy_db, SYNTHETIC)
    on_source(
        legacy_db,
        """UPDATE "user" SET email = ' JOSÉ@Bücher.Example ' WHERE id = %(victim)s""",
    )
    report = run_import(legacy_db, "--batch-size", BATCH)
    assert "RESULT: clean" in report and compared(report) == 1
    assert User.objects.get(pk=VICTIM).email == "josé@bücher.example"


@pytest.mark.django_db
def test_ids_in_a_locale_collation_still_form_the_same_ranges_on_both_sides(legacy_db):
    """Under en-x-icu the fixture's mixed-case ids sort case-insensitively ("T…" after "syn…"),
    not in byte order: the source then sorts by COLLATE "C" and MySQL's ranges still match."""
    legacy_synthetic.add_users(legacy_db, SYNTHETIC)
    on_source(legacy_db, 'ALTER TABLE "user" ALTER COLUMN id TYPE text COLLATE "en-x-icu"')
    report = run_import(legacy_db, "--batch-size", BATCH)
    assert "RESULT: clean" in report and compared(report) == 0
    with open_source(legacy_db) as source:
        assert source._key == 'u.id COLLATE "C"'
    User.objects.filter(pk=VICTIM).update(password=OTHER_HASH)
    report, clean = verify(legacy_db)
    assert not clean and named_rows(report) == [f"  user {VICTIM}: differs in password"]
    assert compared(report) == 1
