"""better-auth's symmetricEncrypt read back, on values better-auth itself encrypted (the fixture's
twoFactor rows, and a value in the versioned secrets' envelope)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from legacy_import.cipher import Keys, Undecryptable, decrypt
from tests.legacy_import.conftest import FIXTURE_DIR, SECOND_FACTORS, SECRET

TOTP_SECRETS = {u["totp"]["secret"] for u in SECOND_FACTORS["users"] if "totp" in u}


def _stored_secrets() -> list[str]:
    """The twoFactor rows' `secret` column, as the dump holds it."""
    dump = (FIXTURE_DIR / "dump.sql").read_text()
    block = dump.split('COPY public."twoFactor"')[1].split("\n\\.\n")[0]
    return [line.split("\t")[1] for line in block.splitlines()[1:]]


def test_the_app_secret_opens_every_stored_totp_secret():
    assert {decrypt(Keys(SECRET), value) for value in _stored_secrets()} == TOTP_SECRETS


def test_a_changed_byte_or_another_secret_is_refused():
    value = _stored_secrets()[0]
    tampered = value[:-1] + ("0" if value[-1] != "0" else "1")
    with pytest.raises(Undecryptable, match="wrong secret"):
        decrypt(Keys(SECRET), tampered)
    with pytest.raises(Undecryptable, match="wrong secret"):
        decrypt(Keys("another-secret"), value)
    with pytest.raises(Undecryptable, match="not hex"):
        decrypt(Keys(SECRET), "zz" + value)


def test_versioned_secrets_open_better_auths_envelope():
    example = SECOND_FACTORS["envelopeExample"]
    assert example["encrypted"].startswith("$ba$2$")
    keys = Keys.parse(None, example["betterAuthSecrets"])
    assert decrypt(keys, example["encrypted"]) == example["plaintext"]
    with pytest.raises(Undecryptable, match="no secret of version 2"):
        decrypt(Keys.parse(SECRET, "1:other"), example["encrypted"])
    with pytest.raises(Undecryptable, match="needs BETTER_AUTH_SECRET"):
        decrypt(keys, _stored_secrets()[0])  # a bare value needs the single secret


def test_the_secrets_option_is_checked():
    with pytest.raises(ValueError, match="entry 1"):
        Keys.parse(None, "no-version-here")
    with pytest.raises(CommandError, match="--better-auth-secrets"):
        call_command(
            "import_better_auth",
            *("--source", "postgresql://postgres@127.0.0.1:1/none"),
            *("--better-auth-secrets", "no-version-here"),
        )
