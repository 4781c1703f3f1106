"""Names kept byte-exact, emails compared exactly, passwords NFKC-normalised."""

import unicodedata

import pytest
from rest_framework.test import APIClient

from tests.helpers import sign_in
from users.models import User

pytestmark = pytest.mark.django_db

SIGN_UP = "/api/auth/sign-up/"


def sign_up(client, email, password="unicode-pass-phrase-1", name="x"):
    return client.post(SIGN_UP, {"name": name, "email": email, "password": password}, format="json")


@pytest.mark.parametrize(
    "name",
    [
        "🦄 Ünïcödé 🎉",
        "محمد عبد الله",
        "שלום",
        "  padded both sides  ",
        "李小龍",
        "",
        "tab\there",
        "e\u0301 (combining, not NFC)",
        "👩‍👩‍👧‍👦 family",
    ],
)
def test_names_round_trip_exactly(api_client, name):
    response = sign_up(api_client, "n@example.com", name=name)
    assert response.status_code == 201, response.content
    assert response.json()["user"]["name"] == name
    assert User.objects.get(email="n@example.com").name == name


def test_emails_differing_only_by_an_accent_are_two_users(api_client):
    assert sign_up(api_client, "josé@example.com").status_code == 201
    assert sign_up(api_client, "jose@example.com").status_code == 201
    assert User.objects.filter(email="josé@example.com").count() == 1
    assert User.objects.filter(email="jose@example.com").count() == 1
    assert User.objects.count() == 2


def test_accented_email_signs_in_only_as_itself(api_client):
    sign_up(api_client, "josé@example.com", password="accent-pass-one-1")
    sign_up(api_client, "jose@example.com", password="plain-pass-two-22")
    assert sign_in(APIClient(), "josé@example.com", "plain-pass-two-22").status_code == 401
    assert sign_in(APIClient(), "josé@example.com", "accent-pass-one-1").status_code == 200


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("Ｆｕｌｌｗｉｄｔｈ１２３", "Fullwidth123"),  # fullwidth letters and digits
        ("ﬁnally-ﬂuent-ﬀ", "finally-fluent-ff"),  # ligatures
        (unicodedata.normalize("NFD", "crème-brûlée-42"), "crème-brûlée-42"),  # combining accents
        ("non\u00a0breaking\u00a0space", "non breaking space"),  # NBSP
    ],
)
def test_nfkc_equivalent_passwords_sign_in_with_either_spelling(api_client, stored, typed):
    assert sign_up(api_client, "n@example.com", password=stored).status_code == 201
    assert sign_in(APIClient(), "n@example.com", typed).status_code == 200
    assert sign_in(APIClient(), "n@example.com", stored).status_code == 200


def test_emoji_and_cjk_passwords(api_client):
    assert sign_up(api_client, "e@example.com", password="🔑🗝️密码パスワード").status_code == 201
    assert sign_in(APIClient(), "e@example.com", "🔑🗝️密码パスワード").status_code == 200


def test_password_whitespace_is_significant(api_client):
    sign_up(api_client, "w@example.com", password="  spaced-pass-1  ")
    assert sign_in(APIClient(), "w@example.com", "spaced-pass-1").status_code == 401
    assert sign_in(APIClient(), "w@example.com", "  spaced-pass-1  ").status_code == 200


def test_ids_differing_only_by_case_are_two_users(db):
    lower = User.objects.create_user("one@example.com", None, id="a" * 32)
    upper = User.objects.create_user("two@example.com", None, id="A" * 32)
    assert User.objects.get(pk="a" * 32) == lower
    assert User.objects.get(pk="A" * 32) == upper
