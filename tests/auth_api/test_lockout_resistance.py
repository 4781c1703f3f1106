"""No stranger can lock an owner out: device cookies, codes bound to the client that asked, and
password sign-in closing to untrusted clients after 100 consecutive failures.

Attacks come from their own loopback addresses against a live server with production settings
(DEBUG off, secure cookies), or through the test client with distinct REMOTE_ADDRs.
"""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from auth_api.models import AccountGuard, OneTimeCode, guard_key
from emailing.delivery import deliver_due
from tests.helpers import PASSWORD, LoopbackClient, deliver_and_read_code, send_code, sign_in
from users.models import User

OWNER = "ada@example.com"
ATTACKERS = [f"127.0.0.{n}" for n in range(2, 7)]
OTP_SIGN_IN = "/api/auth/email-otp/sign-in/"
CHECK = "/api/auth/email-otp/check/"
RESET = "/api/auth/password/reset/"
BODY = {"HTTP_X_REFRESH_TOKEN_TRANSPORT": "body"}


def _wrong_code(code: str) -> str:
    return "000000" if code != "000000" else "111111"


# --- the acceptance attack ------------------------------------------------------------------


def _attack_from(address: str, base_url: str, mailoutbox) -> dict:
    """Everything one attacker address can do to OWNER until the service refuses it."""
    seen: dict[str, list] = {"password": [], "own_codes": [], "made_up": []}
    client = LoopbackClient(base_url, address)
    while True:  # wrong passwords
        answer = client.post("/api/auth/sign-in/", {"email": OWNER, "password": "guess-1234"})
        seen["password"].append(answer.status_code)
        if answer.status_code == 429:
            break
    while True:  # real codes the attacker asks for (they go to the owner's mailbox) ...
        if (
            client.post(
                "/api/auth/email-otp/send/", {"email": OWNER, "type": "sign-in"}
            ).status_code
            == 429
        ):
            break
        for _ in range(4):  # ... guessed wrong until each is dead
            answer = client.post(OTP_SIGN_IN, {"email": OWNER, "otp": "000000"})
            seen["own_codes"].append(answer.code)
    made_up = [
        (OTP_SIGN_IN, {"email": OWNER, "otp": "123456"}),
        (CHECK, {"email": OWNER, "type": "forget-password", "otp": "123456"}),
        (RESET, {"email": OWNER, "otp": "123456", "password": "attacker-chosen-77"}),
    ]
    while True:  # made-up codes for flows the attacker never started
        path, body = made_up[len(seen["made_up"]) % 3]
        answer = LoopbackClient(base_url, address).post(path, body)
        seen["made_up"].append(answer.status_code)
        if answer.status_code == 429:
            break
    return seen


@pytest.mark.real_hashers
@pytest.mark.django_db(transaction=True)
def test_five_attacker_addresses_cannot_lock_the_owner_out(live_server, mailoutbox, clock):
    assert not settings.DEBUG and settings.SECURE_COOKIES  # production settings
    User.objects.create_user(OWNER, PASSWORD, email_verified=True)
    laptop = LoopbackClient(live_server.url, "127.0.0.1")  # the owner's usual browser
    assert (
        laptop.post("/api/auth/sign-in/", {"email": OWNER, "password": PASSWORD}).status_code == 200
    )
    assert settings.DEVICE_COOKIE_NAME in laptop.cookies

    attacks = [_attack_from(address, live_server.url, mailoutbox) for address in ATTACKERS]

    # The attack was refused everywhere, and got nowhere.
    assert all(a["password"][-1] == 429 and a["made_up"][-1] == 429 for a in attacks), attacks
    assert all(set(a["made_up"][:-1]) == {400} for a in attacks), attacks
    assert {code for a in attacks for code in a["own_codes"]} == {
        "INVALID_OTP",
        "TOO_MANY_ATTEMPTS",
    }
    assert sum(a["password"].count(401) for a in attacks) <= 5  # the shared untrusted budget

    # (a) The owner's usual browser signs in with the right password.
    answer = laptop.post("/api/auth/sign-in/", {"email": OWNER, "password": PASSWORD})
    assert answer.status_code == 200, answer.content

    # (b) A fresh browser: the strangers spent the address's mail ceiling, but every mail they
    # had sent carries a link, and the newest one signs the owner in, from any browser.
    phone = LoopbackClient(live_server.url, "127.0.0.7")
    refused = phone.post("/api/auth/email-otp/send/", {"email": OWNER, "type": "sign-in"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) <= 15 * 60
    deliver_due()
    link = re.search(r"#token=([A-Za-z0-9_-]+)", [m for m in mailoutbox if OWNER in m.to][-1].body)
    answer = phone.post("/api/auth/email-link/verify/", {"token": link.group(1)})
    assert answer.status_code == 200, answer.content
    assert answer.json()["user"]["email"] == OWNER

    # ... and within 15 minutes another fresh browser gets a code of its own and signs in.
    clock.advance(15 * 60)
    tablet = LoopbackClient(live_server.url, "127.0.0.8")
    assert (
        tablet.post("/api/auth/email-otp/send/", {"email": OWNER, "type": "sign-in"}).status_code
        == 200
    )
    code = deliver_and_read_code(mailoutbox, OWNER)
    answer = tablet.post(OTP_SIGN_IN, {"email": OWNER, "otp": code})
    assert answer.status_code == 200, answer.content
    assert answer.json()["user"]["email"] == OWNER


@pytest.mark.django_db
def test_reset_mail_from_strangers_never_keeps_a_sign_in_link_from_the_owner(user, mailoutbox):
    """Strangers spend the shared untrusted password budget (a new browser's right password
    waits an hour) and fill the address's mail with reset codes, whose links sign no one in:
    the owner in a new browser still gets a sign-in code and link of their own at once."""
    user.email_verified = True
    user.save()
    assert set(_fail_from_strangers(OWNER, 25)) == {401, 429}
    sends = [
        send_code(APIClient(), OWNER, "forget-password", REMOTE_ADDR=f"10.9.0.{n + 1}").status_code
        for n in range(8)
    ]
    assert sends[-1] == 429 and 200 in sends  # that mail's ceiling is full
    deliver_due()
    phone = APIClient(REMOTE_ADDR="192.0.2.77")
    refused = sign_in(phone)  # the password: the strangers spent its budget, for 15 minutes
    assert refused.status_code == 429 and int(refused["Retry-After"]) <= 15 * 60
    mailoutbox.clear()
    assert send_code(phone, OWNER, "sign-in").status_code == 200
    code = deliver_and_read_code(mailoutbox, OWNER)
    answer = phone.post(OTP_SIGN_IN, {"email": OWNER, "otp": code}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["user"]["email"] == OWNER
    link = re.search(r"#token=([A-Za-z0-9_-]+)", mailoutbox[-1].body)
    assert link is not None  # the same mail's link, for a browser other than the one that asked


def test_an_owner_refused_while_strangers_fill_the_mail_ceiling_is_served_when_it_ends(user, clock):
    """Strangers fill the address's sign-in mail ceiling (15-minute windows) just before one ends;
    the owner's browser asks again and again meanwhile, and is refused. Those refusals count on
    none of its limits: when the ceiling's window ends, the owner's next ask is served at once,
    not refused by its own per-(address, client) count (a 10-minute window still running)."""
    ceiling = settings.RATE_LIMITS["otp_send_address"][1]
    now = clock.time()
    window = int(now // ceiling) + 1
    window += 1 - window % 2  # an odd one: its last minute is mid-window for 600-second counts
    clock.advance(window * ceiling - 60 - now)
    strangers = [
        send_code(APIClient(), OWNER, "sign-in", REMOTE_ADDR=f"10.8.0.{n + 1}").status_code
        for n in range(settings.RATE_LIMITS["otp_send_address"][0])
    ]
    assert strangers == [200] * len(strangers)
    owner = APIClient(REMOTE_ADDR="192.0.2.55")
    asks = [send_code(owner, OWNER, "sign-in").status_code for _ in range(6)]
    assert asks == [429] * 6
    clock.advance(61)  # the ceiling's window ended; the owner's 10-minute count did not
    assert send_code(owner, OWNER, "sign-in").status_code == 200


# --- device cookies -------------------------------------------------------------------------


@pytest.mark.django_db
def test_strangers_failures_never_slow_a_trusted_device(user):
    owner = APIClient()
    assert sign_in(owner).status_code == 200
    for index in range(40):  # until every budget a stranger can spend is spent
        sign_in(APIClient(), password=f"guess-{index}", REMOTE_ADDR=f"127.0.0.{index % 5 + 2}")
    assert sign_in(APIClient(), REMOTE_ADDR="127.0.0.9").status_code == 429  # a stranger waits
    assert sign_in(owner).status_code == 200  # the owner does not


@pytest.mark.django_db
def test_a_trusted_device_is_counted_on_its_own(user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in_device": (3, 900)}
    laptop, phone = APIClient(), APIClient()
    assert sign_in(laptop).status_code == 200
    assert sign_in(phone).status_code == 200
    assert [sign_in(laptop, password="typo-typo-1").status_code for _ in range(3)] == [401] * 3
    assert sign_in(laptop).status_code == 429  # this device is slowed ...
    assert sign_in(phone).status_code == 200  # ... no other is
    assert not AccountGuard.objects.filter(untrusted_failures__gt=0).exists()


@pytest.mark.django_db
def test_body_transport_clients_hold_a_device_token(user):
    token = sign_in(APIClient(), **BODY).json()["deviceToken"]
    for index in range(40):
        sign_in(APIClient(), password=f"guess-{index}", REMOTE_ADDR=f"127.0.0.{index % 5 + 2}")
    assert sign_in(APIClient(), **BODY).status_code == 429
    assert sign_in(APIClient(), deviceToken=token, **BODY).status_code == 200


@pytest.mark.django_db
def test_a_device_token_is_trusted_only_for_its_own_account(user):
    other = User.objects.create_user("bob@example.com", PASSWORD)
    token = sign_in(APIClient(), email=other.email, **BODY).json()["deviceToken"]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for index in range(40):
        sign_in(APIClient(), password=f"guess-{index}", REMOTE_ADDR=f"127.0.0.{index % 5 + 2}")
    for device in (token, forged, "not-a-token"):
        assert sign_in(APIClient(), deviceToken=device, **BODY).status_code == 429


@pytest.mark.django_db
def test_one_browser_is_trusted_for_several_accounts(user):
    browser = APIClient()
    User.objects.create_user("bob@example.com", PASSWORD)
    assert sign_in(browser).status_code == 200
    assert sign_in(browser, email="bob@example.com").status_code == 200
    for email in (user.email, "bob@example.com"):
        for index in range(40):
            sign_in(
                APIClient(),
                email=email,
                password=f"g-{index}",
                REMOTE_ADDR=f"127.0.0.{index % 5 + 2}",
            )
    assert sign_in(browser).status_code == 200
    assert sign_in(browser, email="bob@example.com").status_code == 200


# --- closing after 100 consecutive untrusted failures ---------------------------------------


def _fail_from_strangers(email: str, count: int) -> list[int]:
    return [
        sign_in(
            APIClient(),
            email=email,
            password=f"guess-{n}",
            REMOTE_ADDR=f"10.0.{n // 250}.{n % 250 + 1}",
        ).status_code
        for n in range(count)
    ]


@pytest.fixture
def generous_budgets(settings):
    """Rate budgets out of the way, so the closure itself is what the test meets."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in_untrusted": (1000, 3600)}


@pytest.mark.django_db
def test_password_sign_in_closes_to_strangers_after_100_failures(
    user, generous_budgets, mailoutbox
):
    user.email_verified = True
    user.save()
    laptop = APIClient()
    assert sign_in(laptop).status_code == 200
    assert _fail_from_strangers(OWNER, 100) == [401] * 100
    closed = sign_in(APIClient(), REMOTE_ADDR="192.0.2.200")  # even the right password
    assert (closed.status_code, closed.json()["code"]) == (403, "PASSWORD_SIGN_IN_CLOSED")
    _fail_from_strangers(OWNER, 20)  # more attempts after closing are not even evaluated
    assert AccountGuard.objects.get(pk=guard_key(OWNER)).untrusted_failures == 100
    assert sign_in(laptop).status_code == 200  # a trusted device goes on as before
    deliver_due()
    notices = [m for m in mailoutbox if "paused" in m.subject]
    assert len(notices) == 1 and notices[0].to == [OWNER]  # told once

    # The owner signs in by code from a new browser: password sign-in reopens for everyone.
    phone = APIClient()
    send_code(phone, OWNER, "sign-in")
    code = deliver_and_read_code(mailoutbox, OWNER)
    assert phone.post(OTP_SIGN_IN, {"email": OWNER, "otp": code}, format="json").status_code == 200
    assert sign_in(APIClient(), REMOTE_ADDR="192.0.2.201").status_code == 200


@pytest.mark.django_db
def test_the_owners_trusted_device_opens_a_closed_password_sign_in_for_one_attempt_at_a_time(
    user, generous_budgets, mailoutbox
):
    """The owner's sign-in from a trusted device opens what strangers closed, for the owner's new
    browser, without forgetting their count: the next untrusted attempt is judged alone, and a
    wrong one closes it again (the owner was told once)."""
    user.email_verified = True
    user.save()
    laptop = APIClient()
    assert sign_in(laptop).status_code == 200
    assert _fail_from_strangers(OWNER, 100) == [401] * 100
    assert sign_in(APIClient(), REMOTE_ADDR="192.0.2.200").status_code == 403
    assert sign_in(laptop).status_code == 200  # the owner, on the trusted device
    fresh = sign_in(APIClient(), REMOTE_ADDR="192.0.2.200")  # the owner, in a new browser
    assert fresh.status_code == 200, fresh.content
    guard = AccountGuard.objects.get(pk=guard_key(OWNER))
    assert (guard.untrusted_failures, guard.closed_at) == (0, None)

    assert _fail_from_strangers(OWNER, 100) == [401] * 100
    assert sign_in(laptop).status_code == 200
    assert _fail_from_strangers(OWNER, 3) == [401, 403, 403]  # one judged, then closed again
    assert sign_in(APIClient(), REMOTE_ADDR="192.0.2.201").status_code == 403
    assert AccountGuard.objects.get(pk=guard_key(OWNER)).untrusted_failures == 101
    deliver_due()
    assert len([m for m in mailoutbox if "paused" in m.subject]) == 2  # once per closing by 100


@pytest.mark.skipif(connection.vendor != "mysql", reason="needs MySQL row locks")
@pytest.mark.django_db(transaction=True)
def test_parallel_strangers_get_one_attempt_after_the_owners_device_opened_it(user, settings):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in_untrusted": (1000, 3600)}
    settings.SIGN_IN_CLOSE_AFTER_FAILURES = 5
    laptop = APIClient()
    assert sign_in(laptop).status_code == 200
    assert _fail_from_strangers(OWNER, 5) == [401] * 5
    assert sign_in(laptop).status_code == 200  # opened again, the count kept

    def attempt(n: int) -> int:
        try:
            address = f"10.2.0.{n + 1}"
            return sign_in(APIClient(), password=f"guess-{n}", REMOTE_ADDR=address).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(attempt, range(24)))
    assert sorted(answers) == [401] + [403] * 23
    assert AccountGuard.objects.get(pk=guard_key(OWNER)).untrusted_failures == 6


@pytest.mark.django_db
def test_a_password_reset_reopens_and_a_success_resets_the_count(
    user, generous_budgets, mailoutbox
):
    _fail_from_strangers(OWNER, 99)
    assert sign_in(APIClient(), REMOTE_ADDR="192.0.2.200").status_code == 200
    assert _fail_from_strangers(OWNER, 99) == [401] * 99  # consecutive: counting started again
    _fail_from_strangers(OWNER, 1)
    assert sign_in(APIClient()).json()["code"] == "PASSWORD_SIGN_IN_CLOSED"
    client = APIClient()
    send_code(client, OWNER, "forget-password")
    code = deliver_and_read_code(mailoutbox, OWNER)
    body = {"email": OWNER, "otp": code, "password": "a new pass phrase 9"}
    assert client.post(RESET, body, format="json").status_code == 200
    assert sign_in(APIClient(), password="a new pass phrase 9").status_code == 200


@pytest.mark.django_db
def test_closing_tells_a_stranger_nothing_about_the_address(user, generous_budgets, mailoutbox):
    _fail_from_strangers(OWNER, 100)
    _fail_from_strangers("ghost@example.com", 100)
    known = sign_in(APIClient(), password="guess-x", REMOTE_ADDR="192.0.2.200")
    unknown = sign_in(
        APIClient(), email="ghost@example.com", password="guess-x", REMOTE_ADDR="192.0.2.201"
    )
    assert (known.status_code, known.content) == (unknown.status_code, unknown.content)
    deliver_due()
    assert [m.to for m in mailoutbox] == [[OWNER]]  # nothing is sent to an unknown address


@pytest.mark.skipif(connection.vendor != "mysql", reason="needs MySQL row locks")
@pytest.mark.django_db(transaction=True)
def test_parallel_failures_close_exactly_once(user, settings, mailoutbox):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in_untrusted": (1000, 3600)}
    settings.SIGN_IN_CLOSE_AFTER_FAILURES = 10

    def attempt(n: int) -> int:
        try:
            client, address = APIClient(), f"10.1.0.{n + 1}"
            return sign_in(client, password=f"guess-{n}", REMOTE_ADDR=address).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(attempt, range(30)))
    assert answers.count(401) >= 10 and set(answers) <= {401, 403}
    assert AccountGuard.objects.get(pk=guard_key(OWNER)).closed_at is not None
    deliver_due()
    assert len([m for m in mailoutbox if "paused" in m.subject]) == 1


# --- codes bound to the client that asked for them ------------------------------------------


@pytest.mark.django_db
def test_guesses_without_a_code_of_ones_own_spend_nothing_of_the_owners(user, mailoutbox):
    owner = APIClient()
    send_code(owner, OWNER, "forget-password")
    code = deliver_and_read_code(mailoutbox, OWNER)
    for index in range(25):
        stranger = APIClient()
        address = {"REMOTE_ADDR": f"127.0.0.{index % 5 + 2}"}
        answer = stranger.post(
            CHECK,
            {"email": OWNER, "type": "forget-password", "otp": "123456"},
            format="json",
            **address,
        )
        assert answer.json()["code"] in ("INVALID_OTP", "TOO_MANY_REQUESTS")
    assert OneTimeCode.objects.get(email=OWNER).attempts == 0
    answer = owner.post(
        CHECK, {"email": OWNER, "type": "forget-password", "otp": code}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["resetToken"]


@pytest.mark.django_db
def test_a_strangers_send_does_not_replace_the_owners_code(user, mailoutbox, known_codes):
    known_codes.extend(["111111", "222222"])
    owner, stranger = APIClient(), APIClient()
    send_code(owner, OWNER, "sign-in")
    send_code(stranger, OWNER, "sign-in", REMOTE_ADDR="127.0.0.2")
    for _ in range(3):
        stranger.post(
            OTP_SIGN_IN, {"email": OWNER, "otp": "111111"}, format="json", REMOTE_ADDR="127.0.0.2"
        )
    assert OneTimeCode.objects.count() == 2
    answer = owner.post(OTP_SIGN_IN, {"email": OWNER, "otp": "111111"}, format="json")
    assert answer.status_code == 200
    # The stranger's wrong guesses landed on its own code, which is now dead.
    answer = stranger.post(
        OTP_SIGN_IN, {"email": OWNER, "otp": "222222"}, format="json", REMOTE_ADDR="127.0.0.2"
    )
    assert answer.json()["code"] == "TOO_MANY_ATTEMPTS"


@pytest.mark.django_db
def test_body_transport_clients_carry_a_flow_token(user, mailoutbox):
    sent = APIClient().post(
        "/api/auth/email-otp/send/", {"email": OWNER, "type": "sign-in"}, format="json", **BODY
    )
    assert sent.json()["success"] is True and sent.json()["flowToken"]
    assert settings.OTP_FLOW_COOKIE_NAME not in sent.cookies
    code = deliver_and_read_code(mailoutbox, OWNER)
    without = APIClient().post(OTP_SIGN_IN, {"email": OWNER, "otp": code}, format="json", **BODY)
    assert without.json()["code"] == "INVALID_OTP"
    body = {"email": OWNER, "otp": code, "flowToken": sent.json()["flowToken"]}
    answer = APIClient().post(OTP_SIGN_IN, body, format="json", **BODY)
    assert answer.status_code == 200 and answer.json()["refreshToken"]


@pytest.mark.django_db
def test_untrusted_wrong_guesses_spend_a_bounded_allowance(user, mailoutbox, settings):
    """Odds: every wrong guess of an untrusted client spends the address's allowance, whichever
    client and code it came from; the owner's trusted device is not held back by it."""
    settings.CODE_GUESS_BURST = 6
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "otp_send_address_client": (100, 600)}
    laptop = APIClient()
    assert sign_in(laptop).status_code == 200
    answers = []
    for index in range(3):
        stranger = APIClient()
        address = {"REMOTE_ADDR": f"127.0.0.{index + 2}"}
        send_code(stranger, OWNER, "sign-in", **address)
        code = deliver_and_read_code(mailoutbox, OWNER)
        for _ in range(3):
            answer = stranger.post(
                OTP_SIGN_IN, {"email": OWNER, "otp": _wrong_code(code)}, format="json", **address
            )
            answers.append(answer.json()["code"])
    assert answers == ["INVALID_OTP"] * 6 + ["TOO_MANY_REQUESTS"] * 3
    send_code(laptop, OWNER, "sign-in")
    code = deliver_and_read_code(mailoutbox, OWNER)
    assert laptop.post(OTP_SIGN_IN, {"email": OWNER, "otp": code}, format="json").status_code == 200


def test_device_and_flow_cookies_are_httponly_strict_and_scoped(user, db):
    client = APIClient()
    response = sign_in(client)
    sent = send_code(client, OWNER, "sign-in")
    for morsel in (
        response.cookies[settings.DEVICE_COOKIE_NAME],
        sent.cookies[settings.OTP_FLOW_COOKIE_NAME],
    ):
        assert morsel["httponly"] and morsel["samesite"] == "Strict"
        assert morsel["path"] == "/api/auth/" and morsel["secure"]
        assert re.fullmatch(r"[A-Za-z0-9_:.\-]+", morsel.value)


@pytest.mark.django_db
def test_the_owners_usual_device_does_not_reset_the_strangers_count(user, generous_budgets):
    laptop = APIClient()
    assert sign_in(laptop).status_code == 200
    _fail_from_strangers(OWNER, 5)
    assert sign_in(laptop).status_code == 200
    assert AccountGuard.objects.get(pk=guard_key(OWNER)).untrusted_failures == 5
    assert sign_in(APIClient(), REMOTE_ADDR="192.0.2.200").status_code == 200
    assert AccountGuard.objects.get(pk=guard_key(OWNER)).untrusted_failures == 0


def _guard_statements(client, **extra) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert sign_in(client, **extra).status_code == 200
    return [q["sql"].split()[0] for q in queries.captured_queries if "accountguard" in q["sql"]]


@pytest.mark.django_db
def test_a_success_with_no_count_to_forget_only_reads_the_guard(user):
    assert _guard_statements(APIClient()) == ["SELECT"]
    _fail_from_strangers(OWNER, 2)
    assert _guard_statements(APIClient(), REMOTE_ADDR="192.0.2.200") == ["SELECT", "UPDATE"]
    assert AccountGuard.objects.get(pk=guard_key(OWNER)).untrusted_failures == 0
    with override_settings(RATE_LIMITS_ENABLED=False):
        assert _guard_statements(APIClient()) == []
