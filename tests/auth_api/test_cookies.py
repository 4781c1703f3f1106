import pytest
from django.test import override_settings

from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


def test_remember_me_cookie_is_persistent_httponly_strict_and_scoped(api_client, user, cookie_name):
    cookie = sign_in(api_client, rememberMe=True).cookies[cookie_name]
    assert cookie["httponly"] is True
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/api/auth/"
    assert 7 * 24 * 3600 - 5 <= int(cookie["max-age"]) <= 7 * 24 * 3600
    assert cookie_name == "__Secure-refresh_token"


def test_no_remember_me_gives_session_cookie_and_one_day_token(api_client, user, cookie_name):
    response = sign_in(api_client, rememberMe=False)
    cookie = response.cookies[cookie_name]
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    sign_in_row = user.sign_ins.get()
    lifetime = (sign_in_row.expires_at - sign_in_row.created_at).total_seconds()
    assert lifetime == 24 * 3600


def test_remember_me_defaults_to_true(api_client, user, cookie_name):
    assert sign_in(api_client).cookies[cookie_name]["max-age"] != ""
    assert user.sign_ins.get().remember_me is True


def test_cookie_max_age_never_exceeds_token_life(api_client, user, cookie_name):
    cookie = sign_in(api_client).cookies[cookie_name]
    expires_at = user.sign_ins.get().expires_at
    created = user.sign_ins.get().created_at
    assert int(cookie["max-age"]) <= (expires_at - created).total_seconds()


@override_settings(SECURE_COOKIES=False, REFRESH_COOKIE_NAME="refresh_token")
def test_debug_cookie_is_not_secure_and_unprefixed(api_client, user):
    cookie = sign_in(api_client).cookies["refresh_token"]
    assert cookie["secure"] == ""


def test_settings_pick_secure_prefixed_cookie_unless_debug():
    from django.conf import settings

    assert settings.SECURE_COOKIES is (not settings.DEBUG)
