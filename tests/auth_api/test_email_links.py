"""One-click links: the unguessable proof in every code mail. Judged before any budget, usable
from any browser, single use, dead with its code; the owner's way in when strangers drained
every budget they can reach."""

import re

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from auth_api.models import AccountGuard, OneTimeCode, SignIn, guard_key
from emailing.delivery import deliver_due
from tests.helpers import PASSWORD, bearer, send_code, sign_in
from users.models import User

pytestmark = pytest.mark.django_db

OWNER = "ada@example.com"
VERIFY = "/api/auth/email-link/verify/"
STRANGERS = [f"127.0.0.{n}" for n in range(2, 9)]  # seven addresses


def newest_link(mailoutbox, email: str = OWNER) -> str:
    deliver_due()
    bodies = [m.body for m in mailoutbox if email in m.to]
    assert bodies, f"no mail to {email}"
    return re.search(r"/auth/link#token=([A-Za-z0-9_-]+)", bodies[-1]).group(1)


def use_link(client: APIClient, token: str, **extra):
    return client.post(VERIFY, {"token": token}, format="json", **extra)


@pytest.fixture
def owner(db) -> User:
    return User.objects.create_user(OWNER, PASSWORD, email_verified=True)


def test_every_code_mail_carries_a_link_to_the_web_app(owner, mailoutbox):
    send_code(APIClient(), OWNER, "sign-in")
    deliver_due()
    body, html = mailoutbox[-1].body, mailoutbox[-1].alternatives[0][0]
    assert re.search(r"^\s+\d{6}\s*$", body, re.MULTILINE)
    assert f"{settings.WEB_ORIGIN}/auth/link#token=" in body and "/auth/link#token=" in html


def test_a_link_signs_in_from_any_browser_and_works_once(owner, mailoutbox):
    send_code(APIClient(), OWNER, "sign-in")  # asked for in one browser ...
    token = newest_link(mailoutbox)
    phone = APIClient()  # ... used in another: the owner reads mail on a phone
    answer = use_link(phone, token)
    assert answer.status_code == 200 and answer.json()["user"]["email"] == OWNER
    again = use_link(APIClient(), token)
    assert (again.status_code, again.json()["code"]) == (400, "INVALID_LINK")


def test_a_link_is_stored_hashed_and_dies_with_its_code(owner, mailoutbox, clock):
    browser = APIClient()
    send_code(browser, OWNER, "sign-in")
    first = newest_link(mailoutbox)
    row = OneTimeCode.objects.get()
    assert row.link_hash and first not in row.link_hash
    send_code(browser, OWNER, "sign-in")  # a new code for the same client replaces the old
    assert use_link(APIClient(), first).json()["code"] == "INVALID_LINK"
    second = newest_link(mailoutbox)
    clock.advance(settings.OTP_TTL_SECONDS + 1)
    assert use_link(APIClient(), second).json()["code"] == "INVALID_LINK"


def test_the_code_of_a_used_link_is_dead_too(owner, mailoutbox):
    browser = APIClient()
    send_code(browser, OWNER, "sign-in")
    deliver_due()
    code = re.search(r"^\s+(\d{6})\s*$", mailoutbox[-1].body, re.MULTILINE).group(1)
    assert use_link(APIClient(), newest_link(mailoutbox)).status_code == 200
    answer = browser.post(
        "/api/auth/email-otp/sign-in/", {"email": OWNER, "otp": code}, format="json"
    )
    assert answer.json()["code"] == "INVALID_OTP"


def test_a_made_up_link_gets_nothing_and_reveals_nothing(owner):
    for token in ("", "x", "A" * 32, "A" * 129):
        answer = use_link(APIClient(), token)
        assert answer.status_code == 400
    assert APIClient().get(VERIFY).status_code == 405  # a GET (a mail scanner) uses nothing


def test_a_link_beats_a_drained_guess_budget(owner, mailoutbox, settings):
    """Strangers who asked for codes and spent the address's untrusted guesses make the right
    code of a new browser wait; the link in the owner's mail does not."""
    settings.CODE_GUESS_BURST = 3
    for address in STRANGERS[:3]:
        stranger = APIClient(REMOTE_ADDR=address)
        send_code(stranger, OWNER, "sign-in")
        stranger.post(
            "/api/auth/email-otp/sign-in/", {"email": OWNER, "otp": "000000"}, format="json"
        )
    owner_browser = APIClient(REMOTE_ADDR="198.51.100.7")
    send_code(owner_browser, OWNER, "sign-in")
    deliver_due()
    code = re.search(r"^\s+(\d{6})\s*$", mailoutbox[-1].body, re.MULTILINE).group(1)
    refused = owner_browser.post(
        "/api/auth/email-otp/sign-in/", {"email": OWNER, "otp": code}, format="json"
    )
    assert refused.status_code == 429  # the guessable path waits ...
    assert use_link(owner_browser, newest_link(mailoutbox)).status_code == 200  # ... not the link


def test_strangers_on_seven_addresses_cannot_keep_the_owner_out(owner, mailoutbox, settings, clock):
    """The lockout by strangers: they close password sign-in, spend the code guesses and the
    address's mail ceiling. The owner, in a fresh browser, gets in by the link in the newest mail
    (which a stranger's request sent), then by password from that now-trusted browser."""
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "sign_in_untrusted": (1000, 3600),
        "sign_in_account_ip": (1000, 900),
        "sign_in_ip": (1000, 60),
    }
    settings.CODE_GUESS_BURST = 6
    for n in range(settings.SIGN_IN_CLOSE_AFTER_FAILURES):
        sign_in(APIClient(), OWNER, f"guess-{n}", REMOTE_ADDR=STRANGERS[n % 7])
    for address in STRANGERS:  # each round a fresh client: a send and three wrong guesses
        stranger = APIClient(REMOTE_ADDR=address)
        if send_code(stranger, OWNER, "sign-in").status_code == 429:
            continue
        for _ in range(3):
            stranger.post(
                "/api/auth/email-otp/sign-in/", {"email": OWNER, "otp": "000000"}, format="json"
            )
    fresh = APIClient(REMOTE_ADDR="198.51.100.7")
    closed = sign_in(fresh, REMOTE_ADDR="198.51.100.7")
    assert closed.json()["code"] == "PASSWORD_SIGN_IN_CLOSED"
    assert send_code(fresh, OWNER, "sign-in", REMOTE_ADDR="198.51.100.7").status_code == 429

    signed_in = use_link(fresh, newest_link(mailoutbox))  # no budget stands in its way
    assert signed_in.status_code == 200
    assert AccountGuard.objects.get(pk=guard_key(OWNER)).closed_at is None  # reopened
    assert sign_in(fresh, REMOTE_ADDR="198.51.100.7").status_code == 200  # a trusted browser

    clock.advance(15 * 60)  # and the owner's own mail goes out again within 15 minutes
    assert send_code(APIClient(), OWNER, "sign-in", REMOTE_ADDR="198.51.100.8").status_code == 200


def test_a_link_only_mail_has_no_code(owner, mailoutbox):
    answer = APIClient().post(
        "/api/auth/email-link/send/", {"email": OWNER, "type": "sign-in"}, format="json"
    )
    assert answer.json() == {"success": True}
    deliver_due()
    assert not re.search(r"^\s+\d{6}\s*$", mailoutbox[-1].body, re.MULTILINE)
    assert use_link(APIClient(), newest_link(mailoutbox)).status_code == 200


def test_a_forgotten_password_link_gives_a_reset_token(owner, mailoutbox):
    send_code(APIClient(), OWNER, "forget-password")
    answer = use_link(APIClient(), newest_link(mailoutbox))
    reset_token = answer.json()["resetToken"]
    body = {"resetToken": reset_token, "password": "a fresh phrase 42"}
    assert APIClient().post("/api/auth/password/reset/", body, format="json").status_code == 200


def test_a_verification_link_verifies_for_the_signed_in_owner(db, mailoutbox):
    signed_up = APIClient().post(
        "/api/auth/sign-up/",
        {"name": "Nia", "email": "nia@example.com", "password": PASSWORD},
        format="json",
    )
    access = signed_up.json()["accessToken"]
    answer = use_link(APIClient(), newest_link(mailoutbox, "nia@example.com"), **bearer(access))
    assert answer.json()["user"]["emailVerified"] is True
    assert "accessToken" not in answer.json()


def test_an_email_change_is_told_to_the_old_address_with_a_link_that_undoes_it(
    owner, mailoutbox, known_codes
):
    """A stolen access token that moved the account (fresh, within 300 s) is not the last word:
    the old address gets the notice that it happened, and its link gives the account back."""
    thief = APIClient()
    access = sign_in(thief).json()["accessToken"]
    known_codes.append("271828")
    change = {"newEmail": "thief@example.com"}
    thief.post("/api/auth/email/change/", change, format="json", **bearer(access))
    body = {"newEmail": "thief@example.com", "otp": "271828"}
    confirmed = thief.post("/api/auth/email/change/confirm/", body, format="json", **bearer(access))
    assert confirmed.status_code == 200
    deliver_due()
    notice = [m for m in mailoutbox if OWNER in m.to][-1]
    assert "was changed" in notice.subject and "thief@example.com" in notice.body

    undone = use_link(APIClient(), newest_link(mailoutbox, OWNER))
    assert undone.json() == {"success": True}
    user = User.objects.get(pk=owner.pk)
    assert user.email == OWNER and not user.has_usable_password()  # a reset chooses a new one
    assert not SignIn.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert thief.get("/api/auth/session/", **bearer(access)).status_code == 401


# --- from an attacker's review: the undo cannot be beaten, strangers cannot fill the ceiling ---


def _change_email(client: APIClient, access: str, new_email: str, known_codes) -> str:
    known_codes.append("161803")
    client.post("/api/auth/email/change/", {"newEmail": new_email}, format="json", **bearer(access))
    confirmed = client.post(
        "/api/auth/email/change/confirm/",
        {"newEmail": new_email, "otp": "161803"},
        format="json",
        **bearer(access),
    )
    assert confirmed.status_code == 200, confirmed.content
    return confirmed.json()["accessToken"]


def test_a_thief_who_chains_changes_cannot_undo_the_owners_undo(owner, mailoutbox, known_codes):
    thief = APIClient()
    access = sign_in(thief).json()["accessToken"]
    access = _change_email(thief, access, "thief@example.com", known_codes)
    _change_email(thief, access, "thief2@example.com", known_codes)
    owners_undo = newest_link(mailoutbox, OWNER)
    thiefs_undo = newest_link(mailoutbox, "thief@example.com")
    assert use_link(APIClient(), owners_undo).json() == {"success": True}
    refused = use_link(APIClient(), thiefs_undo)  # the later change's undo died with the undo
    assert refused.json()["code"] == "INVALID_LINK"
    assert User.objects.get(pk=owner.pk).email == OWNER


def test_the_owners_undo_still_works_after_the_thief_undid_his_own(owner, mailoutbox, known_codes):
    thief = APIClient()
    access = sign_in(thief).json()["accessToken"]
    access = _change_email(thief, access, "thief@example.com", known_codes)
    _change_email(thief, access, "thief2@example.com", known_codes)
    owners_undo = newest_link(mailoutbox, OWNER)
    assert use_link(APIClient(), newest_link(mailoutbox, "thief@example.com")).status_code == 200
    assert use_link(APIClient(), owners_undo).json() == {"success": True}
    assert User.objects.get(pk=owner.pk).email == OWNER


def test_the_freed_address_stays_reserved_for_the_undo(owner, mailoutbox, known_codes):
    thief = APIClient()
    access = sign_in(thief).json()["accessToken"]
    _change_email(thief, access, "thief@example.com", known_codes)
    squat = APIClient().post(
        "/api/auth/sign-up/",
        {"name": "", "email": OWNER, "password": "squatter-phrase-1"},
        format="json",
    )
    assert (squat.status_code, squat.json()["code"]) == (422, "USER_ALREADY_EXISTS")
    assert use_link(APIClient(), newest_link(mailoutbox, OWNER)).json() == {"success": True}


def test_a_pending_email_change_dies_when_the_owner_signs_out_everywhere(
    owner, mailoutbox, known_codes
):
    thief = APIClient()
    access = sign_in(thief).json()["accessToken"]
    known_codes.append("161803")
    thief.post(
        "/api/auth/email/change/",
        {"newEmail": "thief@example.com"},
        format="json",
        **bearer(access),
    )
    pending = newest_link(mailoutbox, "thief@example.com")
    browser = APIClient()
    mine = sign_in(browser).json()["accessToken"]
    from tests.helpers import csrf_headers

    browser.post("/api/auth/sessions/revoke-all/", **bearer(mine), **csrf_headers(browser))
    assert use_link(APIClient(), pending).json()["code"] == "INVALID_LINK"
    assert User.objects.get(pk=owner.pk).email == OWNER


def test_a_pending_reset_link_dies_when_the_password_is_reset(owner, mailoutbox):
    send_code(APIClient(), OWNER, "forget-password")  # one client's pending reset ...
    pending = newest_link(mailoutbox)
    send_code(APIClient(REMOTE_ADDR="198.51.100.9"), OWNER, "forget-password")  # ... another's
    reset_token = use_link(APIClient(), newest_link(mailoutbox)).json()["resetToken"]
    body = {"resetToken": reset_token, "password": "a fresh phrase 42"}
    assert APIClient().post("/api/auth/password/reset/", body, format="json").status_code == 200
    assert use_link(APIClient(), pending).json()["code"] == "INVALID_LINK"


@pytest.mark.parametrize("path", ["/api/auth/email-otp/send/", "/api/auth/email-link/send/"])
def test_strangers_cannot_send_step_up_mail(owner, path):
    """Its link needs the owner's Bearer: from strangers it would only fill the address's mail
    ceiling with mail the owner cannot use in a new browser."""
    answer = APIClient().post(path, {"email": OWNER, "type": "reauthentication"}, format="json")
    assert (answer.status_code, answer.json()["code"]) == (401, "NOT_AUTHENTICATED")
    assert not OneTimeCode.objects.exists()


def test_taken_notices_cannot_fill_the_owners_mail_ceiling(owner, mailoutbox, clock):
    """Throwaway accounts asking to move to the owner's address send "taken" notices with no
    link: they have a cap of their own, and a usable mail still reaches the owner."""
    for n in range(3):
        throwaway = APIClient(REMOTE_ADDR=f"127.0.0.{n + 2}")
        body = {"name": "", "email": f"throwaway{n}@example.com", "password": PASSWORD}
        access = throwaway.post("/api/auth/sign-up/", body, format="json").json()["accessToken"]
        for _ in range(3):
            throwaway.post(
                "/api/auth/email/change/", {"newEmail": OWNER}, format="json", **bearer(access)
            )
    assert send_code(APIClient(), OWNER, "sign-in").status_code == 200
    assert use_link(APIClient(), newest_link(mailoutbox)).status_code == 200


def test_deleting_an_account_keeps_the_addresss_guard(mailoutbox):
    from auth_api.models import AccountGuard, guard_key

    address = "fresh@example.com"
    stranger = APIClient(REMOTE_ADDR="198.51.100.5")
    send_code(stranger, address, "sign-in")
    stranger.post(
        "/api/auth/email-otp/sign-in/", {"email": address, "otp": "000000"}, format="json"
    )
    spent = AccountGuard.objects.get(pk=guard_key(address)).code_allowance
    body = {"name": "", "email": address, "password": PASSWORD}
    access = APIClient().post("/api/auth/sign-up/", body, format="json").json()["accessToken"]
    assert APIClient().delete("/api/auth/user/", **bearer(access)).status_code == 204
    assert AccountGuard.objects.get(pk=guard_key(address)).code_allowance == spent


def test_the_undo_takes_the_thiefs_passkey_and_totp_with_it(owner, mailoutbox, known_codes):
    """A thief who held the account added a passkey (it would sign in alone) and TOTP (it would
    keep the owner out after the reset). The owner's undo removes both."""
    from auth_api.models import Passkey, TotpFactor
    from tests.authenticator import SoftAuthenticator
    from tests.two_factor import JsonClient, add_passkey, enable_totp, passkey_assertion

    thief = JsonClient()
    access = sign_in(thief).json()["accessToken"]
    key = SoftAuthenticator()
    add_passkey(thief, access, key)
    enable_totp(thief, access)
    _change_email(thief, access, "thief@example.com", known_codes)
    assert use_link(APIClient(), newest_link(mailoutbox, OWNER)).json() == {"success": True}
    assert not Passkey.objects.exists() and not TotpFactor.objects.exists()
    assert User.objects.get(pk=owner.pk).two_factor_enabled is False
    browser = JsonClient()
    credential = passkey_assertion(browser, key)
    answer = browser.post("/api/auth/passkey/sign-in/", {"credential": credential})
    assert answer.status_code == 401
