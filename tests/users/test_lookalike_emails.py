"""Addresses that look alike, or that a mail server delivers to the same mailbox, are one address
or are refused: an attacker cannot open a second account on someone's mailbox."""

import pytest

from legacy_import.mapping import Skip, _email
from users.emails import validate_email
from users.models import User

pytestmark = pytest.mark.django_db

SIGN_UP = "/api/auth/sign-up/"


def _sign_up(client, email: str):
    body = {"name": "", "email": email, "password": "look-alike-pass-1"}
    return client.post(SIGN_UP, body, format="json")


@pytest.mark.parametrize(
    "email",
    [
        "known@example.test\u200b",  # zero-width space
        "known@exa\u00admple.test",  # soft hyphen
        "known@exa\u200dmple.test",  # zero-width joiner
        "kno\u200cwn@example.test",  # zero-width non-joiner in the local part
        "known@example.test\ufeff",  # byte-order mark
        "known\u202e@example.test",  # right-to-left override
        "known@exam\u00a0ple.test",  # no-break space
    ],
)
def test_invisible_characters_are_refused(api_client, email):
    assert _sign_up(api_client, "known@example.test").status_code == 201
    response = _sign_up(api_client, email)
    assert (response.status_code, response.json()["code"]) == (400, "INVALID_EMAIL")
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "email",
    [
        "known@ｅｘａｍｐｌｅ.test",  # fullwidth domain: UTS-46 maps it to ASCII
        "KNOWN@EXAMPLE.TEST",
        "  known@Example.Test ",
    ],
)
def test_other_spellings_of_the_same_address_are_that_address(api_client, email):
    assert _sign_up(api_client, "known@example.test").status_code == 201
    response = _sign_up(api_client, email)
    assert (response.status_code, response.json()["code"]) == (422, "USER_ALREADY_EXISTS")
    assert User.objects.count() == 1


def test_composed_and_decomposed_local_parts_are_one_address(api_client):
    assert _sign_up(api_client, "jose\u0301@example.test").status_code == 201  # e + combining
    response = _sign_up(api_client, "jos\u00e9@example.test")  # precomposed é
    assert response.json()["code"] == "USER_ALREADY_EXISTS"
    assert User.objects.get().email == "jos\u00e9@example.test"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("üser@BÜCHER.de", "üser@bücher.de"), ("a@xn--bcher-kva.de", "a@bücher.de")],
)
def test_international_domains_are_stored_in_one_unicode_form(raw, stored):
    assert validate_email(raw) == stored


def test_the_importer_reports_a_legacy_address_with_invisible_characters():
    with pytest.raises(Skip) as skipped:
        _email("known@exa\u00admple.test")
    assert skipped.value.reason == "email_invalid"
