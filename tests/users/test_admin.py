import html
import importlib
import math
import re

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import clear_url_caches
from rest_framework.test import APIClient

from tests.helpers import sign_in
from users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = User.objects.create_superuser("root@example.com", "admin-password-123")
    client.force_login(admin)
    return client


def test_user_changelist_searches_by_email_and_filters(admin_client):
    User.objects.create_user("teacher@example.com", None, role="teacher", email_verified=True)
    User.objects.create_user("student@example.com", None)
    page = admin_client.get("/admin/users/user/", {"q": "teacher@"})
    assert page.status_code == 200
    assert b"teacher@example.com" in page.content
    assert b"student@example.com" not in page.content
    filtered = admin_client.get("/admin/users/user/", {"role__exact": "student"})
    assert b"student@example.com" in filtered.content
    assert b"teacher@example.com" not in filtered.content
    verified = admin_client.get("/admin/users/user/", {"email_verified__exact": "1"})
    assert b"teacher@example.com" in verified.content


def test_admin_add_and_change_forms_render(admin_client):
    assert admin_client.get("/admin/users/user/add/").status_code == 200
    user = User.objects.create_user("x@example.com", "some-password-99")
    assert admin_client.get(f"/admin/users/user/{user.pk}/change/").status_code == 200


@pytest.mark.real_hashers
def test_admin_creates_user_with_argon2_hash(admin_client):
    response = admin_client.post(
        "/admin/users/user/add/",
        {
            "email": "New@Example.com",
            "password1": "admin-made-pass-77",
            "password2": "admin-made-pass-77",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    user = User.objects.get(email="new@example.com")
    assert user.password.startswith("argon2$argon2id$")


# --- the admin login is no side door ------------------------------------------------------------

ADMIN_PASSWORD = "admin-password-123"


def _admin_login(client, email: str, password: str, **environ):
    data = {"username": email, "password": password, "next": "/admin/"}
    return client.post("/admin/login/", data, **environ)


def _logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def test_verified_staff_logs_in_through_the_sign_in_check(client):
    User.objects.create_superuser("root@example.com", ADMIN_PASSWORD)
    assert _logged_in(_admin_login(client, " Root@Example.com ", ADMIN_PASSWORD))


@pytest.mark.parametrize("header", ["HTTP_X_REFRESH_TOKEN_TRANSPORT", "HTTP_COOKIE"])
def test_the_apis_headers_and_cookies_mean_nothing_to_the_admin_login(client, header):
    """A value the API would refuse (400) is no error here: the login goes on as without it."""
    User.objects.create_superuser("root@example.com", ADMIN_PASSWORD)
    value = "foo" if header != "HTTP_COOKIE" else f"{settings.DEVICE_COOKIE_NAME}=not-a-device"
    assert _logged_in(_admin_login(client, "root@example.com", ADMIN_PASSWORD, **{header: value}))
    wrong = _admin_login(client, "root@example.com", "wrong-guess-1", **{header: value})
    assert wrong.status_code == 200 and WRONG_PASSWORD_NOTE in wrong.content.decode()


def test_staff_with_an_unproven_address_cannot_log_in(client):
    User.objects.create_user(
        "staff@example.com", ADMIN_PASSWORD, is_staff=True, is_superuser=True
    )  # email_verified stays False: the password may be a pre-registration
    assert not _logged_in(_admin_login(client, "staff@example.com", ADMIN_PASSWORD))


@override_settings(RATE_LIMITS={**settings.RATE_LIMITS, "sign_in_untrusted": (3, 300)})
def test_admin_password_guessing_spends_the_same_budget_as_the_api(client, api_client):
    User.objects.create_superuser("root@example.com", ADMIN_PASSWORD)
    for n in range(2):
        _admin_login(client, "root@example.com", f"guess-{n}", REMOTE_ADDR=f"203.0.113.{n}")
    api = sign_in(api_client, email="root@example.com", password="guess-api")
    assert api.status_code == 401  # the third attempt of the budget, from the API
    # The budget is spent: the admin refuses even the right password now, from any address.
    assert not _logged_in(_admin_login(client, "root@example.com", ADMIN_PASSWORD))
    assert sign_in(api_client, email="root@example.com", password=ADMIN_PASSWORD).status_code == 429


def _error_note(response) -> str:
    """The error the admin's login page shows above its form."""
    assert response.status_code == 200 and b'id="login-form"' in response.content
    notes = re.findall(r'<p class="errornote">\s*(.*?)\s*</p>', response.content.decode(), re.S)
    assert len(notes) == 1, notes
    return html.unescape(notes[0])


def _to_window_start(clock, window: int) -> None:
    """Move the clock to one second into a fixed rate-limit window: the wait is then known."""
    clock.advance(window - clock.time() % window + 1)


WRONG_PASSWORD_NOTE = "Please enter the correct email and password for a staff account."


def test_a_rate_limited_admin_login_says_so_not_that_the_password_is_wrong(client, clock, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in_untrusted": (3, 900)}
    User.objects.create_superuser("root@example.com", ADMIN_PASSWORD)
    _to_window_start(clock, 900)
    for n in range(3):  # a guesser, from addresses of its own
        guess = _admin_login(client, "root@example.com", f"guess-{n}", REMOTE_ADDR=f"203.0.113.{n}")
        assert _error_note(guess).startswith(WRONG_PASSWORD_NOTE)
    # The staff member types the right password, from yet another address: told to wait, on the
    # admin's own login page, for the rest of the 15-minute window.
    for address in ("198.51.100.7", "198.51.100.8"):
        response = _admin_login(client, "root@example.com", ADMIN_PASSWORD, REMOTE_ADDR=address)
        assert not _logged_in(response)
        assert _error_note(response) == "Too many attempts; try again in 15 minutes."
    # The same wait the API gives in its Retry-After.
    api = sign_in(APIClient(), email="root@example.com", password=ADMIN_PASSWORD)
    assert api.status_code == 429 and math.ceil(int(api["Retry-After"]) / 60) == 15
    clock.advance(900)
    assert _logged_in(_admin_login(client, "root@example.com", ADMIN_PASSWORD))


def test_an_admin_login_behind_a_busy_address_is_told_to_wait_a_minute(client, clock, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in_ip": (3, 60)}
    User.objects.create_superuser("root@example.com", ADMIN_PASSWORD)
    _to_window_start(clock, 60)
    for n in range(3):  # others behind the same office address get their passwords wrong
        _admin_login(client, f"someone-{n}@example.com", "wrong-pass-1", REMOTE_ADDR="192.0.2.10")
    refused = _admin_login(client, "root@example.com", ADMIN_PASSWORD, REMOTE_ADDR="192.0.2.10")
    assert _error_note(refused) == "Too many attempts; try again in 1 minute."
    assert _logged_in(
        _admin_login(client, "root@example.com", ADMIN_PASSWORD, REMOTE_ADDR="192.0.2.11")
    )


def test_an_admin_login_to_a_closed_password_sign_in_says_it_is_closed(client, settings):
    settings.SIGN_IN_CLOSE_AFTER_FAILURES = 3
    User.objects.create_superuser("root@example.com", ADMIN_PASSWORD)
    for n in range(3):
        _admin_login(client, "root@example.com", f"guess-{n}", REMOTE_ADDR=f"203.0.113.{n}")
    response = _admin_login(client, "root@example.com", ADMIN_PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert not _logged_in(response)
    assert _error_note(response) == (
        "Password sign-in to this account is closed to new devices after too many failed "
        "attempts. To open it again, sign in to the app with an emailed code or reset the "
        "password."
    )


@pytest.mark.real_hashers
def test_unknown_admin_email_still_runs_the_hasher(client, monkeypatch):
    from auth_api.flows import sign_in as flow

    calls = []
    real = flow.check_password
    monkeypatch.setattr(flow, "check_password", lambda *a: calls.append(a) or real(*a))
    assert not _logged_in(_admin_login(client, "ghost@example.com", ADMIN_PASSWORD))
    assert len(calls) == 1 and calls[0][1].startswith("argon2$argon2id$")


@pytest.fixture
def reload_urls(settings):
    def reload(**overrides):
        for name, value in overrides.items():
            setattr(settings, name, value)
        importlib.reload(importlib.import_module("project.spa"))
        importlib.reload(importlib.import_module("project.urls"))
        clear_url_caches()

    yield reload
    settings.ADMIN_URL, settings.ADMIN_ENABLED = "admin/", True
    reload()


def _is_admin_login(response) -> bool:
    return response.status_code == 200 and b"csrfmiddlewaretoken" in response.content


def test_admin_can_move_or_be_switched_off(client, reload_urls):
    reload_urls(ADMIN_URL="ops-7f3a/")
    assert _is_admin_login(client.get("/ops-7f3a/login/"))
    assert not _is_admin_login(client.get("/admin/login/"))  # the web app's route now
    reload_urls(ADMIN_ENABLED=False)
    assert not _is_admin_login(client.get("/ops-7f3a/login/"))
    assert not _is_admin_login(client.get("/admin/login/"))


def test_staff_with_two_factor_on_give_their_second_factor_at_the_admin_too(client, clock):
    """The admin login is no way around a second factor: the password alone is refused (saying
    why), a current TOTP code gets in once, a recovery code too."""
    from auth_api.models import SecurityEvent
    from tests.two_factor import JsonClient, code_at, enable_totp

    User.objects.create_superuser("root@example.com", ADMIN_PASSWORD)
    api = JsonClient()
    access = sign_in(api, "root@example.com", ADMIN_PASSWORD).json()["accessToken"]
    factors = enable_totp(api, access, password=ADMIN_PASSWORD)
    alone = _admin_login(client, "root@example.com", ADMIN_PASSWORD)
    assert not _logged_in(alone)
    assert "has two-factor authentication on" in html.unescape(alone.content.decode())
    wrong = {"username": "root@example.com", "password": ADMIN_PASSWORD, "code": "000000"}
    assert not _logged_in(client.post("/admin/login/", wrong))
    assert SecurityEvent.objects.filter(type="second_factor_failed").count() == 1
    code = code_at(factors["secret"])
    data = {"username": "root@example.com", "password": ADMIN_PASSWORD, "code": code}
    assert _logged_in(client.post("/admin/login/", {**data, "next": "/admin/"}))
    client.logout()
    assert not _logged_in(client.post("/admin/login/", {**data, "next": "/admin/"}))  # replay
    data["code"] = factors["backupCodes"][0]
    assert _logged_in(client.post("/admin/login/", {**data, "next": "/admin/"}))


def test_the_admin_login_page_has_a_second_factor_field(client):
    page = client.get("/admin/login/").content.decode()
    assert 'name="code"' in page and 'autocomplete="one-time-code"' in page


# --- passwords set in the admin are held to the API's rules --------------------------------------

OWN_CHANGE = "/admin/password_change/"


def _staff_signed_in_to_the_api(email: str = "root@example.com") -> APIClient:
    """Staff with a proven address, signed in to the API too (a sign-in a password change ends)."""
    User.objects.create_superuser(email, ADMIN_PASSWORD, email_verified=True)
    api = APIClient()
    assert sign_in(api, email=email, password=ADMIN_PASSWORD).status_code == 200
    return api


def _change_own(client, old: str, new: str = "a brand new pass 42"):
    body = {"old_password": old, "new_password1": new, "new_password2": new}
    return client.post(OWN_CHANGE, body)


def _form_errors(response) -> str:
    return html.unescape(
        " ".join(
            re.findall(
                r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S
            )
        )
    )


def test_the_admins_own_password_change_ends_the_accounts_sign_ins_and_tells_the_owner(
    client, mailoutbox
):
    from auth_api.models import SecurityEvent
    from emailing.delivery import deliver_due
    from tests.helpers import refresh

    api = _staff_signed_in_to_the_api()
    staff = User.objects.get(email="root@example.com")
    client.force_login(staff)
    response = _change_own(client, ADMIN_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/password_change/done/"
    assert client.get("/admin/").status_code == 200  # the admin session goes on
    assert refresh(api).status_code == 401  # the API's sign-in ended
    assert (
        sign_in(APIClient(), email="root@example.com", password="a brand new pass 42").status_code
        == 200
    )
    deliver_due()
    assert [m.to for m in mailoutbox if "password" in m.subject.lower()] == [["root@example.com"]]
    assert SecurityEvent.objects.filter(user=staff, type="password_changed").count() == 1


def test_the_admins_own_password_change_is_no_password_oracle(client, settings):
    """Wrong current passwords spend the account's step-up budget, are security events, count
    towards closing password sign-in, and after STEP_UP_MAX_FAILURES of them the admin session
    ends."""
    from auth_api.models import AccountGuard, SecurityEvent, guard_key

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "staff_step_up_session": (3, 3600)}
    _staff_signed_in_to_the_api()
    staff = User.objects.get(email="root@example.com")
    client.force_login(staff)
    for n in range(3):
        wrong = _change_own(client, f"guess-{n}-wrong")
        assert wrong.status_code == 200
        assert "Your old password was entered incorrectly" in _form_errors(wrong)
    assert AccountGuard.objects.get(pk=guard_key("root@example.com")).untrusted_failures == 3
    assert SecurityEvent.objects.filter(user=staff, type="step_up_failed").count() == 3
    ended = _change_own(client, ADMIN_PASSWORD)  # after the third wrong one, even the right one
    assert ended.status_code == 302 and ended["Location"].startswith("/admin/login/")
    assert client.get("/admin/").status_code == 302  # logged out
    assert User.objects.get(pk=staff.pk).check_password(ADMIN_PASSWORD)


def test_the_admins_own_password_change_shares_the_step_up_budget(client, clock, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_change_user": (2, 300)}
    _staff_signed_in_to_the_api()
    client.force_login(User.objects.get(email="root@example.com"))
    _to_window_start(clock, 300)
    for n in range(2):
        _change_own(client, f"guess-{n}-wrong")
    refused = _change_own(client, ADMIN_PASSWORD)  # even the right one, once the budget is spent
    assert refused.status_code == 200
    assert "Too many attempts; try again in 5 minutes." in _form_errors(refused)
    assert User.objects.get(email="root@example.com").check_password(ADMIN_PASSWORD)


def test_an_account_password_set_in_the_admin_ends_its_sign_ins(admin_client, mailoutbox):
    from emailing.delivery import deliver_due
    from tests.helpers import refresh

    owner = User.objects.create_user("ada@example.com", ADMIN_PASSWORD, email_verified=True)
    api = APIClient()
    assert sign_in(api, email="ada@example.com", password=ADMIN_PASSWORD).status_code == 200
    page = f"/admin/users/user/{owner.pk}/password/"
    too_long = "x" * 200
    rejected = admin_client.post(
        page, {"password1": too_long, "password2": too_long, "usable_password": "true"}
    )
    assert rejected.status_code == 200 and "too long" in _form_errors(rejected)
    new = "set by the admin 77"
    done = admin_client.post(page, {"password1": new, "password2": new, "usable_password": "true"})
    assert done.status_code == 302, _form_errors(done)
    assert refresh(api).status_code == 401
    assert sign_in(APIClient(), email="ada@example.com", password=new).status_code == 200
    deliver_due()
    assert ["ada@example.com"] in [m.to for m in mailoutbox]
    unset = admin_client.post(page, {"usable_password": "false", "unset-password": "1"})
    assert unset.status_code == 302
    assert not User.objects.get(pk=owner.pk).has_usable_password()


@pytest.mark.skipif("mysql" not in settings.DATABASES["default"]["ENGINE"], reason="MySQL locks")
@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_cannot_slip_past_the_admin_sessions_count(client, settings):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections
    from django.test import Client

    from auth_api.models import SecurityEvent

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "staff_step_up_session": (3, 3600)}
    staff = User.objects.create_superuser("root@example.com", ADMIN_PASSWORD, email_verified=True)
    client.force_login(staff)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    def attempt(n: int) -> int:
        try:
            tab = Client()  # another tab of the same session
            tab.cookies[settings.SESSION_COOKIE_NAME] = cookie
            return _change_own(tab, f"guess-{n}-wrong").status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(attempt, range(24)))
    assert SecurityEvent.objects.filter(user=staff, type="step_up_failed").count() == 3
    assert answers.count(200) == 3 and answers.count(302) == 21
    assert client.get("/admin/").status_code == 302  # the session is over


@pytest.mark.parametrize(
    "raw",
    [
        "\ufdfa" * 20,  # 20 characters as typed, 360 once NFKC-normalised (the cap is 128)
        "ｐａｓｓｗｏｒｄ１２３",  # full-width letters: NFKC makes a common password
    ],
)
def test_the_add_user_form_holds_passwords_to_the_apis_policy(admin_client, raw):
    from users.errors import PasswordRejected
    from users.passwords import validate_new_password

    with pytest.raises(PasswordRejected):
        validate_new_password(raw, user=User(email="new@example.com"))  # the API's verdict
    body = {
        "email": "new@example.com",
        "password1": raw,
        "password2": raw,
        "usable_password": "true",
    }
    response = admin_client.post("/admin/users/user/add/", body)
    assert response.status_code == 200 and _form_errors(response)
    assert not User.objects.filter(email="new@example.com").exists()


def _edit(admin_client, user: User, **changes):
    """The admin's user form posted as a browser would, with `changes` over the account's
    current values (a missing checkbox is an unticked one)."""
    values = {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "image": user.image or "",
        "email_verified": user.email_verified,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        **changes,
    }
    body = {k: ("on" if v is True else v) for k, v in values.items() if v is not False}
    return admin_client.post(f"/admin/users/user/{user.pk}/change/", body)


@pytest.mark.parametrize("change", [{"email": "ada.new@example.com"}, {"is_active": False}])
def test_an_address_changed_or_an_account_switched_off_in_the_admin_ends_its_sign_ins(
    admin_client, change
):
    from tests.helpers import bearer, refresh

    owner = User.objects.create_user("ada@example.com", ADMIN_PASSWORD, email_verified=True)
    api = APIClient()
    access = sign_in(api, email="ada@example.com", password=ADMIN_PASSWORD).json()["accessToken"]
    saved = _edit(admin_client, owner, **change)
    assert saved.status_code == 302, _form_errors(saved)
    # The access token first: a refresh would end the sign-in of a switched-off account itself.
    assert APIClient().get("/api/auth/claims/", **bearer(access)).status_code == 401
    assert refresh(api).status_code == 401


def test_other_edits_in_the_admin_end_no_sign_in(admin_client):
    from tests.helpers import refresh

    owner = User.objects.create_user("ada@example.com", ADMIN_PASSWORD, email_verified=True)
    api = APIClient()
    assert sign_in(api, email="ada@example.com", password=ADMIN_PASSWORD).status_code == 200
    assert _edit(admin_client, owner, name="Ada L.").status_code == 302
    assert refresh(api).status_code == 200
