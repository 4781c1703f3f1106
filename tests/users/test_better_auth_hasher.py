"""better-auth's scrypt hashes verify in Django and are replaced by Argon2id on first use.

Vectors are independent of our code: computed here with hashlib directly, following better-auth's
`hashPassword` (salt = 32 hex chars used as text, scrypt N=16384 r=16 p=1 dkLen=64 over NFKC)."""

import hashlib
import unicodedata

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher

from users.hashers import BetterAuthScryptHasher, better_auth_to_django
from users.models import User

pytestmark = pytest.mark.real_hashers

SALT = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


def better_auth_hash(password: str, salt: str = SALT) -> str:
    key = hashlib.scrypt(
        unicodedata.normalize("NFKC", password).encode(),
        salt=salt.encode(),
        n=16384,
        r=16,
        p=1,
        dklen=64,
        maxmem=64 * 1024 * 1024,
    )
    return f"{salt}:{key.hex()}"


def test_a_better_auth_hash_verifies_and_only_with_the_right_password():
    encoded = better_auth_to_django(better_auth_hash("correct horse"))
    assert identify_hasher(encoded).algorithm == "better_auth_scrypt"
    assert check_password("correct horse", encoded)
    assert not check_password("correct horsE", encoded)


def test_salt_is_used_as_text_not_decoded_bytes():
    salt_bytes = bytes.fromhex(SALT)
    as_bytes = hashlib.scrypt(
        b"pw-12345678", salt=salt_bytes, n=16384, r=16, p=1, dklen=64, maxmem=64 * 1024 * 1024
    ).hex()
    assert not check_password("pw-12345678", f"better_auth_scrypt${SALT}${as_bytes}")
    assert check_password("pw-12345678", better_auth_to_django(better_auth_hash("pw-12345678")))


def test_nfkc_twins_verify():
    encoded = better_auth_to_django(better_auth_hash("Ｆｕｌｌｗｉｄｔｈ１２３"))
    assert check_password("Fullwidth123", encoded)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "nocolon",
        f"{SALT}:",
        f"{SALT}:abc",
        f"{SALT[:-1]}:{'a' * 128}",
        f"{SALT.upper()}:{'a' * 128}",
        f"{SALT}:{'g' * 128}",
        f"{SALT}:{'a' * 127}",
    ],
)
def test_malformed_hashes_are_refused(stored):
    assert better_auth_to_django(stored) is None


def test_garbage_encoded_value_never_verifies():
    assert not BetterAuthScryptHasher().verify("x", "better_auth_scrypt$zz$zz")
    assert not BetterAuthScryptHasher().verify("x", "better_auth_scrypt")


@pytest.mark.django_db
def test_first_successful_sign_in_upgrades_to_argon2():
    user = User.objects.create_user("legacy@example.com", None)
    user.password = better_auth_to_django(better_auth_hash("legacy-pass-1"))
    user.save()
    assert not user.check_password("wrong-pass-1")
    assert user.password.startswith("better_auth_scrypt$")
    assert user.check_password("legacy-pass-1")
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("legacy-pass-1")
