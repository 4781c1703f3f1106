"""Second factors and passkeys that better-auth itself wrote (its twoFactor plugin and
@better-auth/passkey), imported, then used here: codes of the old TOTP secret, the old backup
codes, assertions signed with the old passkeys' private keys (the generator kept them in
tests/fixtures/better_auth/second_factors.json)."""

import json
import re

import psycopg
import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from django.core.management.base import CommandError

from auth_api.factors import totp
from auth_api.models import Passkey, RecoveryCode, TotpFactor
from legacy_import.models import ImportedRow
from tests.authenticator import Credential, SoftAuthenticator, unb64url
from tests.helpers import sign_in
from tests.legacy_import.conftest import (
    FIXTURE_DIR,
    SECOND_FACTORS,
    SECRET,
    needs_postgres,
    run_import,
)
from tests.two_factor import PASSKEY, TWO_FACTOR, JsonClient, code_at, passkey_assertion
from users.models import User

PASSWORDS = {
    u["email"]: u["password"] for u in json.loads((FIXTURE_DIR / "users.json").read_text())
}
FACTORS = {u["email"]: u for u in SECOND_FACTORS["users"]}
TOTP_USER = FACTORS["totp.user@example.com"]
PASSKEY_USER = FACTORS["passkey.user@example.com"]  # two-factor on, and a device-bound passkey
SYNCED = FACTORS["synced.passkey@example.com"]  # a synced passkey, no two-factor
HALF = FACTORS["half.enrolled@example.com"]  # enableTwoFactor without verifyTOTP


@pytest.fixture
def imported(legacy_db):
    assert "RESULT: clean" in run_import(legacy_db)
    return legacy_db


def first_step(entry: dict) -> tuple[JsonClient, dict]:
    client = JsonClient()
    answer = sign_in(client, entry["email"], PASSWORDS[entry["email"]])
    assert answer.status_code == 200, answer.content
    return client, answer.json()


def credential_of(passkey: dict) -> Credential:
    """The old authenticator's credential, from the key the generator kept."""
    return Credential(
        id=unb64url(passkey["credentialID"]),
        key=load_pem_private_key(passkey["privateKeyPem"].encode(), password=None),
        user_handle=unb64url(passkey["userHandle"]),
        sign_count=passkey["signCount"],
    )


def passkey_sign_in(entry: dict, **kwargs):
    passkey = entry["passkeys"][0]
    client = JsonClient()
    key = SoftAuthenticator(synced=passkey["synced"])
    credential = passkey_assertion(client, key, credential=credential_of(passkey), **kwargs)
    return client.post(PASSKEY + "sign-in/", {"credential": credential})


pytestmark = [needs_postgres, pytest.mark.django_db]


def test_the_fixture_has_what_these_tests_use():
    assert TOTP_USER["twoFactorEnabled"] and PASSKEY_USER["twoFactorEnabled"]
    assert not HALF["twoFactorEnabled"] and "totp" in HALF and "passkeys" not in HALF
    assert len(TOTP_USER["backupCodes"]) == 10 and len(TOTP_USER["backupCodesUsed"]) == 1
    assert not PASSKEY_USER["passkeys"][0]["synced"] and SYNCED["passkeys"][0]["synced"]


# --- (a) TOTP -------------------------------------------------------------------------------------


def test_the_totp_user_completes_the_second_step_with_a_code_of_the_old_secret(imported, clock):
    client, pending = first_step(TOTP_USER)
    assert pending["twoFactorRedirect"] is True and "accessToken" not in pending
    assert pending["twoFactorMethods"] == ["totp", "backup-code"]
    wrong = client.post(
        TWO_FACTOR + "verify-totp/", {"code": code_at(TOTP_USER["totp"]["base32"], 3)}
    )
    assert wrong.status_code == 400
    answer = client.post(
        TWO_FACTOR + "verify-totp/", {"code": code_at(TOTP_USER["totp"]["base32"])}
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["user"]["id"] == TOTP_USER["id"]
    assert answer.json()["user"]["twoFactorEnabled"] is True
    assert "accessToken" in answer.json()


def test_the_secret_is_kept_sealed_and_confirmed(imported):
    factor = TotpFactor.objects.get(pk=TOTP_USER["id"])
    assert factor.confirmed_at is not None
    assert TOTP_USER["totp"]["secret"] not in factor.secret
    assert totp.unseal(factor.secret) == TOTP_USER["totp"]["base32"]
    assert User.objects.get(pk=TOTP_USER["id"]).two_factor_enabled


# --- (b) backup codes -----------------------------------------------------------------------------


def test_an_old_backup_code_works_once(imported, mailoutbox):
    code = TOTP_USER["backupCodes"][4]
    client, _ = first_step(TOTP_USER)
    answer = client.post(TWO_FACTOR + "verify-backup-code/", {"code": code})
    assert answer.status_code == 200, answer.content
    assert answer.json()["user"]["id"] == TOTP_USER["id"]
    client, _ = first_step(TOTP_USER)
    again = client.post(TWO_FACTOR + "verify-backup-code/", {"code": code})
    assert (again.status_code, again.json()["code"]) == (400, "INVALID_TWO_FACTOR_CODE")


def test_a_backup_code_used_at_better_auth_stays_used(imported):
    client, _ = first_step(TOTP_USER)
    used = client.post(
        TWO_FACTOR + "verify-backup-code/", {"code": TOTP_USER["backupCodesUsed"][0]}
    )
    assert used.status_code == 400
    assert RecoveryCode.objects.filter(user_id=TOTP_USER["id"], used_at=None).count() == 9


# --- (c) passkeys ---------------------------------------------------------------------------------


def test_the_passkey_user_signs_in_with_the_old_credential(imported):
    old = PASSKEY_USER["passkeys"][0]
    answer = passkey_sign_in(PASSKEY_USER)  # its sign count one above the imported counter
    assert answer.status_code == 200, answer.content
    assert answer.json()["user"]["id"] == PASSKEY_USER["id"]
    passkey = Passkey.objects.get(pk=old["id"])
    assert passkey.sign_count == old["signCount"] + 1 and passkey.last_used_at is not None
    replayed = passkey_sign_in(PASSKEY_USER, sign_count=old["signCount"])  # a clone's count
    assert replayed.status_code == 401


def test_a_synced_passkey_signs_in_at_count_zero(imported):
    answer = passkey_sign_in(SYNCED, sign_count=0)
    assert answer.status_code == 200, answer.content
    assert answer.json()["user"]["id"] == SYNCED["id"]


def test_passkey_rows_arrive_as_better_auth_stored_them(imported):
    with psycopg.connect(imported) as pg:
        rows = pg.execute(
            'SELECT id, "userId", name, "credentialID", counter, "deviceType", "backedUp", '
            'transports, "createdAt", aaguid FROM passkey'
        ).fetchall()
    assert len(rows) == 2
    for (
        pid,
        user_id,
        name,
        cred_id,
        counter,
        device,
        backed_up,
        transports,
        created,
        aaguid,
    ) in rows:
        here = Passkey.objects.get(pk=pid)
        assert (here.user_id, here.credential_id, here.sign_count) == (user_id, cred_id, counter)
        assert (here.device_type, here.backed_up, here.transports) == (
            device,
            backed_up,
            transports,
        )
        assert (here.name, here.aaguid) == (name or "", aaguid)
        assert here.created_at.replace(tzinfo=None) == created
    synced = Passkey.objects.get(pk=SYNCED["passkeys"][0]["id"])
    assert (synced.device_type, synced.backed_up, synced.name) == ("multiDevice", True, "")


# --- (d) who is asked for a second step -----------------------------------------------------------


def test_a_half_enrolled_user_is_not_asked_for_a_second_step(imported):
    _, answer = first_step(HALF)
    assert "accessToken" in answer and "twoFactorRedirect" not in answer
    assert not User.objects.get(pk=HALF["id"]).two_factor_enabled
    assert TotpFactor.objects.get(pk=HALF["id"]).confirmed_at is None


def test_the_half_enrolled_user_can_finish_enrolling_with_the_old_secret(imported, clock):
    client, answer = first_step(HALF)
    confirm = client.post(
        TWO_FACTOR + "verify-totp/",
        {"code": code_at(HALF["totp"]["base32"])},
        HTTP_AUTHORIZATION=f"Bearer {answer['accessToken']}",
    )
    assert confirm.status_code == 200, confirm.content
    assert confirm.json()["user"]["twoFactorEnabled"] is True


def test_the_passkey_user_is_asked_and_may_answer_with_the_passkey(imported):
    client, pending = first_step(PASSKEY_USER)
    assert pending["twoFactorMethods"] == ["totp", "backup-code", "passkey"]
    key = SoftAuthenticator()
    credential = passkey_assertion(
        client, key, credential=credential_of(PASSKEY_USER["passkeys"][0])
    )
    answer = client.post(TWO_FACTOR + "verify-passkey/", {"credential": credential})
    assert answer.status_code == 200, answer.content


def test_a_user_without_second_factors_is_not_asked(imported):
    _, answer = first_step(SYNCED)
    assert "accessToken" in answer


# --- (e) without the old app's secret -------------------------------------------------------------


def test_without_the_secret_the_import_stops_before_writing(legacy_db):
    with pytest.raises(CommandError, match=r"3 twoFactor rows .* --better-auth-secret"):
        run_import(legacy_db, secret=None)
    assert not User.objects.exists()


def test_a_wrong_secret_stops_it_too(legacy_db):
    with pytest.raises(CommandError, match="decrypts none of the first 3 twoFactor rows"):
        run_import(legacy_db, secret="not-the-old-secret")
    assert not User.objects.exists()


def test_the_secret_comes_from_better_auth_secret_by_default(legacy_db, settings):
    settings.BETTER_AUTH_SECRET = SECRET  # what the environment variable sets
    assert "RESULT: clean" in run_import(legacy_db, secret=None)
    assert TotpFactor.objects.count() == 3


def test_skip_two_factor_imports_everything_else(legacy_db):
    report = run_import(legacy_db, "--skip-two-factor", secret=None)
    assert "twoFactor rows not carried (--skip-two-factor)=3" in report
    assert not TotpFactor.objects.exists() and not RecoveryCode.objects.exists()
    assert not User.objects.filter(two_factor_enabled=True).exists()
    assert Passkey.objects.count() == 2
    assert "accessToken" in first_step(TOTP_USER)[1]  # no second step until enrolled here


def test_dry_run_writes_no_factor(legacy_db):
    report = run_import(legacy_db, "--dry-run")
    assert re.search(r"two_factors\s+read=3 written=3", report)
    assert re.search(r"passkeys\s+read=2 written=2", report)
    assert not (TotpFactor.objects.exists() or Passkey.objects.exists())
    assert not ImportedRow.objects.exists()


# --- (f) re-runs ----------------------------------------------------------------------------------


def _state() -> list:
    return [
        list(TotpFactor.objects.order_by("pk").values()),
        list(
            RecoveryCode.objects.order_by("user_id", "code_hash").values(
                "user_id", "code_hash", "used_at"
            )
        ),
        list(Passkey.objects.order_by("pk").values()),
        list(User.objects.order_by("pk").values_list("pk", "two_factor_enabled")),
        list(
            ImportedRow.objects.order_by("kind", "key").values("kind", "key", "user_id", "digest")
        ),
    ]


def test_a_rerun_changes_nothing(imported):
    before = _state()
    report = run_import(imported)
    assert re.search(r"two_factors\s+read=3 written=0 updated=0 unchanged=3 skipped=0", report)
    assert re.search(r"passkeys\s+read=2 written=0 updated=0 unchanged=2 skipped=0", report)
    assert _state() == before


def test_a_rerun_keeps_what_happened_here(imported, clock):
    client, _ = first_step(TOTP_USER)
    code = TOTP_USER["backupCodes"][2]
    assert client.post(TWO_FACTOR + "verify-backup-code/", {"code": code}).status_code == 200
    assert passkey_sign_in(PASSKEY_USER).status_code == 200
    Passkey.objects.filter(pk=SYNCED["passkeys"][0]["id"]).delete()  # removed by its owner
    before = _state()
    run_import(imported)
    assert _state() == before  # the code stays used, the count moved on, the passkey gone
    client, _ = first_step(TOTP_USER)
    assert client.post(TWO_FACTOR + "verify-backup-code/", {"code": code}).status_code == 400


def test_a_rerun_carries_what_better_auth_changed_since(imported):
    with psycopg.connect(imported, autocommit=True) as pg:
        # The TOTP user turned two-factor off there, the synced passkey was removed there.
        pg.execute('DELETE FROM "twoFactor" WHERE "userId" = %s', (TOTP_USER["id"],))
        pg.execute('UPDATE "user" SET "twoFactorEnabled" = false WHERE id = %s', (TOTP_USER["id"],))
        pg.execute("DELETE FROM passkey WHERE id = %s", (SYNCED["passkeys"][0]["id"],))
    report = run_import(imported)
    assert "two-factor gone from better-auth, off here=1" in report
    assert "gone from better-auth, removed here=1" in report
    assert not TotpFactor.objects.filter(pk=TOTP_USER["id"]).exists()
    assert not RecoveryCode.objects.filter(user_id=TOTP_USER["id"]).exists()
    assert not User.objects.get(pk=TOTP_USER["id"]).two_factor_enabled
    assert not Passkey.objects.filter(pk=SYNCED["passkeys"][0]["id"]).exists()
    assert "accessToken" in first_step(TOTP_USER)[1]


# --- bad rows and older databases -----------------------------------------------------------------


def test_bad_rows_are_reported_and_the_rest_imported(legacy_db):
    with psycopg.connect(legacy_db, autocommit=True) as pg:
        pg.execute("""UPDATE "twoFactor" SET secret = 'abcd' WHERE "userId" = %s""", (HALF["id"],))
        pg.execute(
            """UPDATE passkey SET "publicKey" = 'bm90IGEga2V5' WHERE id = %s""",
            (SYNCED["passkeys"][0]["id"],),
        )
    report = run_import(legacy_db)
    assert f"two_factors {HALF['id']}: secret_undecryptable (too short)" in report
    assert f"passkeys {SYNCED['passkeys'][0]['id']}: public_key_invalid" in report
    assert TotpFactor.objects.filter(pk=TOTP_USER["id"]).exists()
    assert not TotpFactor.objects.filter(pk=HALF["id"]).exists()
    assert Passkey.objects.filter(user_id=PASSKEY_USER["id"]).exists()
    assert "RESULT: clean" in report


def test_factors_of_a_user_not_imported_are_reported(legacy_db):
    User.objects.create_user("passkey.user@example.com", "taken-here-1234")  # the address clashes
    report = run_import(legacy_db)
    assert f"users {PASSKEY_USER['id']}: email_clash" in report
    assert f"two_factors {PASSKEY_USER['id']}: user_not_imported" in report
    assert f"passkeys {PASSKEY_USER['passkeys'][0]['id']}: user_not_imported" in report


def test_a_database_without_the_plugins_imports_as_before(legacy_db):
    with psycopg.connect(legacy_db, autocommit=True) as pg:
        pg.execute('DROP TABLE "twoFactor", passkey')
        pg.execute('ALTER TABLE "user" DROP COLUMN "twoFactorEnabled"')
    report = run_import(legacy_db, secret=None)
    assert "RESULT: clean" in report
    assert re.search(r"two_factors\s+read=0 written=0", report)
    assert re.search(r"passkeys\s+read=0 written=0", report)


def test_two_factor_by_code_alone_is_reported_and_off_here(legacy_db):
    """twoFactorEnabled without a twoFactor table: better-auth's `otp` method (codes by mail or
    SMS), which this service has not."""
    with psycopg.connect(legacy_db, autocommit=True) as pg:
        pg.execute('DROP TABLE "twoFactor"')
    report = run_import(legacy_db, secret=None)
    assert f"two_factors {TOTP_USER['id']}: otp_method_not_carried" in report
    assert not User.objects.filter(two_factor_enabled=True).exists()


def test_two_factor_on_for_an_unproven_address_is_counted(legacy_db):
    """better-auth lets a user turn two-factor on without verifying the address; here the
    address's first proof ends an unproven account's password and factors, so the report counts
    such users for the operator."""
    with psycopg.connect(legacy_db, autocommit=True) as pg:
        pg.execute('UPDATE "user" SET "emailVerified" = false WHERE id = %s', [TOTP_USER["id"]])
    report = run_import(legacy_db)
    assert "RESULT: clean" in report
    assert "on for an unproven address (ended at its first proof)=1" in report
    assert User.objects.get(pk=TOTP_USER["id"]).two_factor_enabled
