"""Account self-service through HTTP: profile, step-up, email change, deletion, sign out
everywhere, security activity, and the signals for the app's own code."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.dispatch import receiver
from django.utils import timezone
from rest_framework.test import APIClient

from auth_api import signals
from auth_api.models import EndedSignIn, SecurityEvent
from emailing.delivery import deliver_due
from emailing.models import OutboxMessage
from tests.factories import UserFactory
from tests.helpers import PASSWORD, bearer, deliver_and_read_code, refresh, send_code, sign_in
from users.models import User

pytestmark = pytest.mark.django_db

USER = "/api/auth/user/"
REAUTH = "/api/auth/reauthenticate/"
CHANGE = "/api/auth/email/change/"
CONFIRM = "/api/auth/email/change/confirm/"
EVENTS = "/api/auth/security-events/"
CLAIMS = "/api/auth/claims/"


@pytest.fixture
def signed_in(api_client, user):
    """(client, access token) of Ada, signed in just now (a fresh authTime)."""
    return api_client, sign_in(api_client).json()["accessToken"]


@pytest.fixture
def later(clock):
    """Move the clock past the step-up window."""

    def move(seconds: int = 301) -> None:
        clock.advance(seconds)

    return move


# --- profile -----------------------------------------------------------------------------------


def test_patch_user_changes_name_and_image(signed_in):
    client, access = signed_in
    body = {"name": "Ada King", "image": "https://example.com/ada.png"}
    answer = client.patch(USER, body, format="json", **bearer(access))
    assert answer.status_code == 200
    assert (answer.json()["user"]["name"], answer.json()["user"]["image"]) == (
        body["name"],
        body["image"],
    )
    assert (
        client.patch(USER, {"image": None}, format="json", **bearer(access)).json()["user"]["image"]
        is None
    )
    assert User.objects.get().name == "Ada King"


@pytest.mark.parametrize(
    "body",
    [
        {"image": "http://example.com/a.png"},
        {"image": "javascript:alert(1)"},
        {"image": "https://" + "a" * 2050 + ".com"},
        {"image": 5},
        {"name": "x" * 256},
        {"name": None},
    ],
)
def test_patch_user_refuses_bad_fields(signed_in, body):
    client, access = signed_in
    answer = client.patch(USER, body, format="json", **bearer(access))
    assert answer.status_code == 400 and answer.json()["code"] == "VALIDATION_ERROR"


def test_patch_user_needs_a_bearer(api_client, db):
    assert api_client.patch(USER, {"name": "x"}, format="json").status_code == 401


# --- step-up -----------------------------------------------------------------------------------


def test_stale_auth_time_needs_reauthentication(signed_in, later):
    client, access = signed_in
    later()
    answer = client.delete(USER, **bearer(access))
    assert (answer.status_code, answer.json()["code"]) == (403, "REAUTHENTICATION_REQUIRED")
    wrong = client.post(REAUTH, {"password": "not-the-password"}, format="json", **bearer(access))
    assert wrong.json()["code"] == "INVALID_PASSWORD"
    fresh = client.post(REAUTH, {"password": PASSWORD}, format="json", **bearer(access))
    assert fresh.status_code == 200  # its authTime is the (moved) clock's now: fresh
    assert client.delete(USER, **bearer(fresh.json()["accessToken"])).status_code == 204


def test_reauthenticate_with_a_code_for_password_less_users(api_client, db, mailoutbox, later):
    User.objects.create_user("nopass@example.com", None, email_verified=True)
    send_code(api_client, "nopass@example.com", "sign-in")
    code = deliver_and_read_code(mailoutbox, "nopass@example.com")
    access = api_client.post(
        "/api/auth/email-otp/sign-in/", {"email": "nopass@example.com", "otp": code}, format="json"
    ).json()["accessToken"]
    later()
    send_code(api_client, "nopass@example.com", "reauthentication", **bearer(access))
    code = deliver_and_read_code(mailoutbox, "nopass@example.com")
    answer = api_client.post(REAUTH, {"otp": code}, format="json", **bearer(access))
    assert answer.status_code == 200
    claims = api_client.get(CLAIMS, **bearer(answer.json()["accessToken"])).json()
    assert claims["authTime"] is not None
    again = api_client.post(REAUTH, {"otp": code}, format="json", **bearer(access))
    assert again.json()["code"] == "INVALID_OTP"  # a code works once


def test_strangers_filling_the_reset_mail_ceiling_keep_no_step_up_code_from_the_owner(
    db, mailoutbox
):
    """A password-less owner's only step-up is a mailed code. Strangers who fill the address's
    ceiling for mail that signs no one in (reset codes, 5 per 15 minutes, again and again) do not
    keep it from the signed-in owner, even from a client without its device cookie: the owner's
    step-up mail counts per account (3 per 10 minutes, from any address: a stolen access token
    is no mail cannon)."""
    email = "nopass@example.com"
    User.objects.create_user(email, None, email_verified=True)
    owner = APIClient(REMOTE_ADDR="192.0.2.60")
    send_code(owner, email, "sign-in")
    body = {"email": email, "otp": deliver_and_read_code(mailoutbox, email)}
    access = owner.post("/api/auth/email-otp/sign-in/", body, format="json").json()["accessToken"]
    owner.cookies.clear()  # no device cookie (another app of the owner, or its trust ended)
    resets = [
        send_code(APIClient(REMOTE_ADDR=f"10.7.0.{n + 1}"), email, "forget-password").status_code
        for n in range(7)
    ]
    assert resets[-1] == 429  # that ceiling is full
    assert send_code(owner, email, "reauthentication", **bearer(access)).status_code == 200
    code = deliver_and_read_code(mailoutbox, email)
    thieves = [  # the same access token from elsewhere: the account's count, not an address's
        send_code(
            APIClient(REMOTE_ADDR=f"10.6.0.{n + 1}"), email, "reauthentication", **bearer(access)
        ).status_code
        for n in range(3)
    ]
    assert thieves == [200, 200, 429]
    answer = owner.post(REAUTH, {"otp": code}, format="json", **bearer(access))
    assert answer.status_code == 200


def test_reauthenticate_needs_exactly_one_proof(signed_in):
    client, access = signed_in
    for body in ({}, {"password": PASSWORD, "otp": "123456"}):
        assert client.post(REAUTH, body, format="json", **bearer(access)).status_code == 400


def test_password_change_without_the_current_password_only_when_fresh_and_password_less(
    api_client, db, mailoutbox, later
):
    User.objects.create_user("nopass@example.com", None, email_verified=True)
    send_code(api_client, "nopass@example.com", "sign-in")
    code = deliver_and_read_code(mailoutbox, "nopass@example.com")
    access = api_client.post(
        "/api/auth/email-otp/sign-in/", {"email": "nopass@example.com", "otp": code}, format="json"
    ).json()["accessToken"]
    body = {"newPassword": "a brand new phrase 7"}
    fresh = api_client.post("/api/auth/password/change/", body, format="json", **bearer(access))
    assert fresh.status_code == 200  # a first password, inside the step-up window
    User.objects.filter(email="nopass@example.com").update(password="!unusable")
    later()
    stale = api_client.post("/api/auth/password/change/", body, format="json", **bearer(access))
    assert stale.json()["code"] == "REAUTHENTICATION_REQUIRED"


# --- email change ------------------------------------------------------------------------------


def test_email_change_to_a_free_address(signed_in, mailoutbox, known_codes):
    client, access = signed_in
    other = APIClient()
    other_refresh = sign_in(other)
    assert other_refresh.status_code == 200
    known_codes.append("271828")
    answer = client.post(
        CHANGE, {"newEmail": "Ada.New@Example.com"}, format="json", **bearer(access)
    )
    assert answer.json() == {"success": True}
    deliver_due()
    to_new = [m for m in mailoutbox if m.to == ["ada.new@example.com"]]
    to_old = [m for m in mailoutbox if m.to == ["ada@example.com"]]
    assert "271828" in to_new[0].body and len(to_old) == 1 and "271828" not in to_old[0].body
    confirmed = client.post(
        CONFIRM,
        {"newEmail": "ada.new@example.com", "otp": "271828"},
        format="json",
        **bearer(access),
    )
    assert confirmed.status_code == 200
    assert confirmed.json()["user"]["email"] == "ada.new@example.com"
    assert confirmed.json()["user"]["emailVerified"] is True
    claims = client.get(CLAIMS, **bearer(confirmed.json()["accessToken"])).json()
    assert claims["email"] == "ada.new@example.com"
    assert refresh(other).json()["code"] == "INVALID_REFRESH_TOKEN"  # other sign-ins ended
    assert refresh(client).status_code == 200  # this one goes on
    assert sign_in(APIClient(), email="ada.new@example.com").status_code == 200


def test_email_change_to_a_taken_address_tells_the_caller_nothing(
    signed_in, mailoutbox, known_codes
):
    client, access = signed_in
    User.objects.create_user("taken@example.com", PASSWORD)
    known_codes.extend(["111111", "222222"])
    free = client.post(CHANGE, {"newEmail": "free@example.com"}, format="json", **bearer(access))
    taken = client.post(CHANGE, {"newEmail": "taken@example.com"}, format="json", **bearer(access))
    assert (free.status_code, free.content) == (taken.status_code, taken.content)
    deliver_due()
    (to_taken,) = [m for m in mailoutbox if m.to == ["taken@example.com"]]
    assert "already has an account" in to_taken.body and "222222" not in to_taken.body
    confirm = client.post(
        CONFIRM, {"newEmail": "taken@example.com", "otp": "222222"}, format="json", **bearer(access)
    )
    assert confirm.json()["code"] in ("INVALID_OTP", "USER_ALREADY_EXISTS")
    assert (
        User.objects.get(pk=User.objects.get(email="ada@example.com").pk).email == "ada@example.com"
    )


def test_an_email_change_code_confirms_nothing_for_another_user(signed_in, mailoutbox, known_codes):
    client, access = signed_in
    known_codes.append("314159")
    client.post(CHANGE, {"newEmail": "new@example.com"}, format="json", **bearer(access))
    User.objects.create_user("mallory@example.com", PASSWORD)
    mallory = APIClient()
    mallory_access = sign_in(mallory, email="mallory@example.com").json()["accessToken"]
    answer = mallory.post(
        CONFIRM,
        {"newEmail": "new@example.com", "otp": "314159"},
        format="json",
        **bearer(mallory_access),
    )
    assert answer.json()["code"] == "INVALID_OTP"


def test_email_change_needs_a_fresh_auth_time(signed_in, later):
    client, access = signed_in
    later()
    answer = client.post(CHANGE, {"newEmail": "new@example.com"}, format="json", **bearer(access))
    assert answer.json()["code"] == "REAUTHENTICATION_REQUIRED"


# --- deletion ----------------------------------------------------------------------------------


def _rows_mentioning(user_id: str, email: str) -> list[str]:
    """Every row of every table that holds the user's id or address (except the one queued
    confirmation mail)."""
    found = []
    for model in apps.get_models():
        for row in model.objects.all().values():
            values = {str(v) for v in row.values()}
            if user_id in values or email in values:
                if model is OutboxMessage and row["kind"] == "account_deleted":
                    continue
                found.append(f"{model._meta.label}: {row}")
    return found


def test_deleting_the_account_leaves_no_row_of_the_user(signed_in, mailoutbox, user):
    client, access = signed_in
    client.patch(USER, {"name": "Ada"}, format="json", **bearer(access))
    send_code(client, "ada@example.com", "forget-password")  # a code and a queued mail
    sign_in(APIClient(), password="wrong-password-1")  # a guard row
    answer = client.delete(USER, **bearer(access))
    assert answer.status_code == 204
    assert answer.cookies["__Secure-refresh_token"].value == ""
    assert _rows_mentioning(user.pk, user.email) == []
    assert client.get(CLAIMS, **bearer(access)).status_code == 401  # refused at once
    assert EndedSignIn.objects.exists()
    deliver_due()
    assert [m.subject for m in mailoutbox] == ["Your account was deleted"]


def test_a_receiver_that_raises_keeps_the_user(signed_in, user):
    client, access = signed_in

    def refuse(sender, **kwargs):
        raise RuntimeError("the app's own tables could not be cleaned")

    signals.user_deleted.connect(refuse)
    try:
        answer = client.delete(USER, **bearer(access))
    finally:
        signals.user_deleted.disconnect(refuse)
    assert answer.status_code == 500 and answer.json()["code"] == "INTERNAL_ERROR"
    assert User.objects.filter(pk=user.pk).exists()
    assert client.get(CLAIMS, **bearer(access)).status_code == 200


def test_admin_deletion_runs_the_same_service(admin_client, user):
    access = sign_in(APIClient()).json()["accessToken"]
    answer = admin_client.post(
        f"/admin/users/user/{user.pk}/delete/", {"post": "yes"}, follow=False
    )
    assert answer.status_code == 302
    assert _rows_mentioning(user.pk, user.email) == []
    assert APIClient().get(CLAIMS, **bearer(access)).status_code == 401


# --- sign out everywhere -----------------------------------------------------------------------


def test_revoke_others_keeps_this_sign_in(signed_in):
    client, access = signed_in
    other = APIClient()
    sign_in(other)
    assert client.post("/api/auth/sessions/revoke-others/", **bearer(access)).status_code == 204
    assert refresh(other).json()["code"] == "INVALID_REFRESH_TOKEN"
    assert refresh(client).status_code == 200


def test_revoke_all_ends_this_one_too(signed_in):
    client, access = signed_in
    answer = client.post("/api/auth/sessions/revoke-all/", **bearer(access))
    assert answer.status_code == 204
    assert client.get(CLAIMS, **bearer(access)).status_code == 401


# --- activity and signals ----------------------------------------------------------------------


def test_security_events_newest_first_paginated_without_secrets(signed_in, user):
    client, access = signed_in
    client.post(
        "/api/auth/password/change/",
        {"currentPassword": PASSWORD, "newPassword": "a brand new phrase 7"},
        format="json",
        **bearer(access),
        HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    )
    page = client.get(EVENTS, **bearer(access)).json()
    assert page["count"] == 2
    kinds = [event["type"] for event in page["results"]]
    assert kinds == ["password_changed", "signed_in_new_device"]
    assert set(page["results"][0]) == {"type", "createdAt", "ipAddress", "device"}
    assert page["results"][0]["device"] == "Firefox on Linux"  # where the change came from
    assert page["results"][0]["ipAddress"] == "127.0.0.1"
    second = client.get(EVENTS + "?pageSize=1&page=2", **bearer(access)).json()
    assert [e["type"] for e in second["results"]] == ["signed_in_new_device"]
    stored = " ".join(str(v) for row in SecurityEvent.objects.values() for v in row.values())
    assert PASSWORD not in stored and "brand new" not in stored


def test_signals_fire_once_per_action(api_client, db, mailoutbox):
    fired: list[str] = []
    names = ("user_signed_up", "user_signed_in", "user_signed_out", "password_changed")
    handlers = {}
    for name in names:

        @receiver(getattr(signals, name), weak=False)
        def handler(sender, name=name, **kwargs):
            assert sender is User and isinstance(kwargs["user"], User)  # one shape for all
            fired.append(name)

        handlers[name] = handler
    try:
        body = {"name": "Nia", "email": "nia@example.com", "password": PASSWORD}
        access = api_client.post("/api/auth/sign-up/", body, format="json").json()["accessToken"]
        sign_in(api_client, email="nia@example.com")
        api_client.post(
            "/api/auth/password/change/",
            {
                "currentPassword": PASSWORD,
                "newPassword": "a brand new phrase 7",
                "revokeOtherSessions": False,
            },
            format="json",
            **bearer(access),
        )
        from tests.helpers import csrf_headers

        api_client.post("/api/auth/sign-out/", format="json", **csrf_headers(api_client))
    finally:
        for name, handler in handlers.items():
            getattr(signals, name).disconnect(handler)
    assert fired == ["user_signed_up", "user_signed_in", "password_changed", "user_signed_out"]


def test_a_page_past_the_end_is_empty_not_an_error(signed_in):
    client, access = signed_in
    page = client.get(EVENTS + "?page=99", **bearer(access)).json()
    assert page["results"] == [] and page["count"] == 1 and page["next"] is None


def test_failed_sign_ins_show_in_the_owners_activity(signed_in, user):
    client, access = signed_in
    sign_in(APIClient(), password="wrong-password-1", REMOTE_ADDR="127.0.0.2")
    sign_in(APIClient(), email="ghost@example.com", password="wrong-password-1")
    sign_in(client, password="wrong-password-2")  # the owner's own (trusted) device
    kinds = [e["type"] for e in client.get(EVENTS, **bearer(access)).json()["results"]]
    assert kinds == ["sign_in_failed", "sign_in_failed", "signed_in_new_device"]
    assert SecurityEvent.objects.count() == 3  # nothing for the unknown address


def test_email_change_does_the_same_database_work_for_a_taken_address(signed_in, monkeypatch, warm):
    """No enumeration by time: the same statements, in the same order, whatever the answer."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from auth_api.limits import rates

    monkeypatch.setattr(rates, "_maybe_purge", lambda: None)  # random housekeeping aside
    client, access = signed_in
    User.objects.create_user("taken@example.com", PASSWORD)
    warm()
    client.post(CHANGE, {"newEmail": "first@example.com"}, format="json", **bearer(access))
    shapes = []
    for new_email in ("free@example.com", "taken@example.com"):
        with CaptureQueriesContext(connection) as queries:
            client.post(CHANGE, {"newEmail": new_email}, format="json", **bearer(access))
        shapes.append([q["sql"].split(" ")[0] for q in queries.captured_queries])
    assert shapes[0] == shapes[1]


def test_reuse_email_and_deletion_signals_fire_once(signed_in, user, known_codes):
    client, access = signed_in
    fired: list[str] = []
    names = ("refresh_token_reused", "email_changed", "email_verified", "user_deleted")
    shapes: list[bool] = []

    def recorder(name: str):
        def record(sender, **kwargs) -> None:
            shapes.append(sender is User and isinstance(kwargs["user"], User))
            fired.append(name)

        return record

    handlers = {name: recorder(name) for name in names}
    for name, handler in handlers.items():
        getattr(signals, name).connect(handler, weak=False)
    try:
        body_client = APIClient()
        first = sign_in(body_client, HTTP_X_REFRESH_TOKEN_TRANSPORT="body").json()["refreshToken"]
        body_client.post("/api/auth/refresh/", {"refreshToken": first}, format="json")
        body_client.post("/api/auth/refresh/", {"refreshToken": first}, format="json")  # grace
        from auth_api.models import SignIn

        SignIn.objects.update(rotated_at=timezone.now() - timedelta(minutes=5))
        body_client.post("/api/auth/refresh/", {"refreshToken": first}, format="json")  # reuse
        known_codes.append("161803")
        client.post(CHANGE, {"newEmail": "moved@example.com"}, format="json", **bearer(access))
        moved = client.post(
            CONFIRM,
            {"newEmail": "moved@example.com", "otp": "161803"},
            format="json",
            **bearer(access),
        ).json()["accessToken"]
        client.delete(USER, **bearer(moved))
    finally:
        for name, handler in handlers.items():
            getattr(signals, name).disconnect(handler)
    assert fired == ["refresh_token_reused", "email_changed", "email_verified", "user_deleted"]
    assert all(shapes)  # every signal: sender User, `user` a User


@pytest.mark.parametrize(
    ("user_agent", "device"),
    [
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            "Firefox on Linux",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari on iOS",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        ("curl/8.5.0", "curl"),
        ("", "Unknown device"),
    ],
)
def test_readable_devices(user_agent, device):
    from auth_api.security_events import readable_device

    assert readable_device(user_agent) == device


@pytest.mark.parametrize("taken", [False, True])
def test_email_change_mail_counts_on_the_new_addresss_own_cap(signed_in, settings, taken):
    """Throwaway accounts asking to move to a victim's address must not flood its mailbox; the
    code and the "taken" notice count on one cap, apart from the address's own ceilings, so
    that strangers who fill those learn nothing from the answer, and keep no mail from it."""
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "otp_send_address": (1, 3600),
        "otp_send_address_no_sign_in": (1, 3600),
        "notice_send_address": (2, 3600),
    }
    victim = "victim@example.com"
    if taken:
        UserFactory(email=victim)
    resets = [
        send_code(APIClient(), victim, "forget-password", REMOTE_ADDR=f"127.0.0.{n + 20}")
        for n in range(2)
    ]
    assert [r.status_code for r in resets] == [200, 429]  # that ceiling is full
    client, access = signed_in
    answers = [
        client.post(CHANGE, {"newEmail": victim}, format="json", **bearer(access)) for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[-1].json()["code"] == "TOO_MANY_REQUESTS"
    stranger = APIClient(REMOTE_ADDR="127.0.0.30")  # the address's sign-in mail still goes
    assert send_code(stranger, victim, "sign-in").status_code == 200


def _pre_registered(address: str) -> str:
    """A stranger's account of an address it never proved (sign-up needs no proof): its access
    token."""
    answer = APIClient(REMOTE_ADDR="127.0.0.40").post(
        "/api/auth/sign-up/", {"email": address, "password": PASSWORD, "name": "x"}, format="json"
    )
    assert answer.status_code == 201, answer.content
    return answer.json()["accessToken"]


def _mail_to(mailoutbox, address: str) -> int:
    deliver_due()
    return len([m for m in mailoutbox if address in m.to])


def test_an_unproven_accounts_notices_cannot_flood_the_address(mailoutbox, settings):
    """Email change requests to ever new addresses, and password changes in a loop, from an
    account that never proved its address: its notices share the address's notice cap."""
    victim = "victim@example.com"
    access = _pre_registered(victim)
    before = _mail_to(mailoutbox, victim)
    for n in range(12):
        client = APIClient(REMOTE_ADDR=f"127.0.0.{41 + n % 2}")
        body = {"newEmail": f"junk{n}@example.net"}
        assert client.post(CHANGE, body, format="json", **bearer(access)).status_code == 200
    current = PASSWORD
    for n in range(6):
        new = f"{PASSWORD}-{n}"
        body = {"currentPassword": current, "newPassword": new}
        answer = APIClient().post(
            "/api/auth/password/change/", body, format="json", **bearer(access)
        )
        assert answer.status_code == 200, answer.content
        current = new
    cap, _ = settings.RATE_LIMITS["account_notice_address"]
    assert _mail_to(mailoutbox, victim) - before == cap


def test_a_proven_owners_notices_always_go(signed_in, user, mailoutbox, settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "notice_send_address": (1, 3600),
        "account_notice_address": (1, 3600),
    }
    user.email_verified = True
    user.save()
    client, access = signed_in
    for n in range(3):
        body = {"newEmail": f"elsewhere{n}@example.net"}
        assert client.post(CHANGE, body, format="json", **bearer(access)).status_code == 200
    deliver_due()
    notices = [m for m in mailoutbox if m.to == ["ada@example.com"]]
    assert len(notices) == 3


def test_other_accounts_cannot_keep_an_unproven_owner_from_being_told(signed_in, user, mailoutbox):
    """Throwaway accounts asking to move to the owner's address spend the address's notice cap;
    the owner's own notices (an account that has not proven its address) are on a cap only that
    account spends: a password change is still told."""
    assert not user.email_verified
    for n in range(6):
        access = _pre_registered(f"throwaway{n}@example.net")
        answer = APIClient(REMOTE_ADDR=f"127.0.0.{60 + n}").post(
            CHANGE, {"newEmail": "ada@example.com"}, format="json", **bearer(access)
        )
        assert answer.status_code == (200 if n < 5 else 429)  # the address's notice cap
    deliver_due()
    mailoutbox.clear()
    client, access = signed_in
    body = {"currentPassword": PASSWORD, "newPassword": "another pass phrase 5"}
    answer = client.post("/api/auth/password/change/", body, format="json", **bearer(access))
    assert answer.status_code == 200, answer.content
    deliver_due()
    assert [m.to for m in mailoutbox] == [["ada@example.com"]]
