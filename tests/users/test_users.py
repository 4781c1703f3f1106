import pytest
from argon2 import PasswordHasher, extract_parameters
from django.core.exceptions import ValidationError

from users.emails import validate_email
from users.hashers import Argon2idHasher
from users.ids import ID_ALPHABET, generate_id, random_string
from users.models import User


def test_ids_are_32_alphanumeric_and_unique():
    ids = {generate_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(len(i) == 32 and i.isascii() and i.isalnum() for i in ids)


@pytest.mark.parametrize(
    "alphabet",
    [ID_ALPHABET, "023456789abcdefghjkmnpqrstuvwxyz"],  # ids (62), recovery codes (32)
)
def test_random_strings_are_uniform_over_their_alphabet(alphabet):
    """No character likelier than another: a byte modulo 62 would make the first 8 characters
    a quarter likelier (5/256 against 4/256), which this sample shows at once."""
    sample = "".join(random_string(alphabet, 32) for _ in range(20_000))
    assert set(sample) == set(alphabet)
    expected = len(sample) / len(alphabet)
    counts = {char: sample.count(char) for char in alphabet}
    assert all(abs(count - expected) < 0.05 * expected for count in counts.values()), counts


def test_a_random_string_has_the_length_asked_for():
    assert {len(random_string("ab", n)) for n in (1, 7, 32, 100)} == {1, 7, 32, 100}


def test_production_argon2_parameters_meet_owasp_minimum(settings):
    encoded = Argon2idHasher().encode("pw", Argon2idHasher().salt())
    params = extract_parameters("$" + encoded.split("$", 1)[1])
    assert params.type.name == "ID"
    assert params.memory_cost >= 19456
    assert params.time_cost >= 2
    assert params.parallelism >= 1
    assert PasswordHasher().verify("$" + encoded.split("$", 1)[1], "pw")


@pytest.mark.django_db
@pytest.mark.real_hashers
def test_changed_argon2_parameters_rehash_on_next_check(settings):
    user = User.objects.create_user("p@example.com", "parameters-pass-1")
    old = user.password
    settings.ARGON2_TIME_COST = 3
    assert user.check_password("parameters-pass-1")
    user.refresh_from_db()
    assert user.password != old and ",t=3," in user.password


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        (" A@B.CO ", "a@b.co"),
        ("josé@example.com", "josé@example.com"),
        ("x+tag@sub.example.org", "x+tag@sub.example.org"),
        ("üser@bücher.de", "üser@bücher.de"),
    ],
)
def test_valid_emails_normalise(raw, normalized):
    assert validate_email(raw) == normalized


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "plain",
        "a@",
        "@b.co",
        "a b@c.co",
        ".a@b.co",
        "a.@b.co",
        "a@b",
        "a\x00@b.co",
        "a\n@b.co",
        "x" * 250 + "@b.co",
        'a"b@c.co',
    ],
)
def test_invalid_emails_are_refused(raw):
    with pytest.raises(ValidationError):
        validate_email(raw)


@pytest.mark.django_db
def test_superuser_and_str():
    admin = User.objects.create_superuser("Root@Example.com", "super-user-pass-9")
    assert str(admin) == "root@example.com"
    assert admin.is_staff and admin.is_superuser and admin.email_verified


@pytest.mark.django_db
def test_role_outside_enum_is_refused_by_the_database():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        User.objects.create_user("r@example.com", None, role="admin")


@pytest.mark.parametrize(
    "raw",
    [
        "a@b.co",
        "first.last+tag@sub.example.org",
        "x_y%z@a-b.example.com",
        "a.b-c@example.museum",
        "-@x.io",
        "a@b-c.d-e.fg",
        "1@2.xx",
        "a@xn--bcher-kva.de",
    ],
)
def test_fast_path_agrees_with_the_full_validator(raw):
    from users.emails import PLAIN_EMAIL, _validate

    assert PLAIN_EMAIL.fullmatch(raw)
    _validate(raw)  # the full validator accepts every address the fast path lets through
