"""TOTP and recovery codes: enrolment, the second step of a sign-in, replay, limits, turning off."""

import threading

import jwt
import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from auth_api.flows import signing_in
from auth_api.models import (
    PendingSignIn,
    RecoveryCode,
    RevokeReason,
    SecurityEvent,
    SignIn,
    TotpFactor,
    TrustedDevice,
)
from auth_api.tokens.devices import device_end
from auth_api.tokens.sign_ins import sign_ins_revoke_all
from emailing.delivery import deliver_due
from tests.helpers import PASSWORD, bearer, deliver_and_read_code, send_code, sign_in
from tests.two_factor import TWO_FACTOR, JsonClient, access_of, code_at, enable_totp
from users.models import User

pytestmark = pytest.mark.django_db
VERIFY_TOTP = TWO_FACTOR + "verify-totp/"
VERIFY_BACKUP = TWO_FACTOR + "verify-backup-code/"


def _amr(access: str) -> list[str]:
    return jwt.decode(access, options={"verify_signature": False})["amr"]


def _events(user) -> list[str]:
    return list(
        SecurityEvent.objects.filter(user=user)
        .order_by("created_at")
        .values_list("type", flat=True)
    )


@pytest.fixture
def factors(verified, clock):
    """Ada with two-factor on: {secret, backupCodes}."""
    client = JsonClient()
    return enable_totp(client, access_of(client))


def _pending(client: JsonClient | None = None, **extra) -> JsonClient:
    client = client or JsonClient()
    answer = sign_in(client, **extra)
    assert answer.status_code == 200, answer.content
    assert answer.json()["twoFactorRedirect"] is True
    return client


# --- enrolment -------------------------------------------------------------------------------


def test_enrolment_gives_a_uri_and_ten_recovery_codes_and_counts_from_the_first_code(
    verified, clock, mailoutbox
):
    client = JsonClient()
    access = access_of(client)
    enabled = client.post(TWO_FACTOR + "enable/", {"password": PASSWORD}, **bearer(access))
    assert enabled.status_code == 200, enabled.content
    body = enabled.json()
    assert body["totpURI"].startswith("otpauth://totp/")
    assert "issuer=" in body["totpURI"] and "ada%40example.com" in body["totpURI"]
    assert len(body["backupCodes"]) == 10 and len(set(body["backupCodes"])) == 10
    assert all(len(code.replace("-", "")) == 12 for code in body["backupCodes"])  # 60 bits
    # Not on until confirmed: sign-in is unchanged.
    assert "accessToken" in sign_in(JsonClient()).json()
    assert TotpFactor.objects.get(pk=verified.pk).secret not in body["totpURI"]  # encrypted
    deliver_due()
    assert not [m for m in mailoutbox if "Two-factor" in m.subject]
    enable_secret = body["totpURI"].split("secret=")[1].split("&")[0]
    confirmed = client.post(VERIFY_TOTP, {"code": code_at(enable_secret)}, **bearer(access))
    assert confirmed.status_code == 200
    assert confirmed.json()["user"]["twoFactorEnabled"] is True
    assert "two_factor_enabled" in _events(verified)
    deliver_due()
    assert [m.subject for m in mailoutbox if "Two-factor" in m.subject] == [
        "Two-factor authentication is on"
    ]


def test_a_wrong_first_code_does_not_turn_it_on(verified):
    client = JsonClient()
    access = access_of(client)
    client.post(TWO_FACTOR + "enable/", {"password": PASSWORD}, **bearer(access))
    wrong = client.post(VERIFY_TOTP, {"code": "000000"}, **bearer(access))
    assert wrong.status_code == 400 and wrong.json()["code"] == "INVALID_TWO_FACTOR_CODE"
    assert (
        client.get("/api/auth/session/", **bearer(access)).json()["user"]["twoFactorEnabled"]
        is False
    )


@pytest.mark.parametrize(
    "case, expected",
    [
        ("wrong password", (400, "INVALID_PASSWORD")),
        ("no password", (400, "INVALID_PASSWORD")),
        ("stale sign-in", (403, "REAUTHENTICATION_REQUIRED")),
        ("unverified address", (403, "EMAIL_NOT_VERIFIED")),
        ("already on", (400, "TWO_FACTOR_ALREADY_ENABLED")),
    ],
)
def test_enabling_needs_the_owner_fresh_on_a_verified_address(user, clock, case, expected):
    if case != "unverified address":
        user.email_verified = True
        user.save()
    client = JsonClient()
    access = access_of(client)
    if case == "already on":
        enable_totp(client, access)
        access = client.post(
            "/api/auth/reauthenticate/", {"password": PASSWORD}, **bearer(access)
        ).json()["accessToken"]
    if case == "stale sign-in":
        clock.advance(django_settings.REAUTH_WINDOW_SECONDS + 1)
        access = client.post("/api/auth/refresh/", **_csrf(client)).json()["accessToken"]
    body = {
        "wrong password": {"password": "not the password"},
        "no password": {},
    }.get(case, {"password": PASSWORD})
    answer = client.post(TWO_FACTOR + "enable/", body, format="json", **bearer(access))
    assert (answer.status_code, answer.json()["code"]) == expected


def _csrf(client: JsonClient) -> dict:
    client.get("/api/auth/csrf/")
    return {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}


def test_an_account_without_a_password_enables_with_a_fresh_sign_in_alone(verified, clock):
    verified.set_unusable_password()
    verified.save()
    from auth_api.client import ClientInfo
    from auth_api.tokens.sign_ins import sign_in_start

    tokens = sign_in_start(
        user=verified, remember_me=True, client=ClientInfo(ip=None, user_agent=""), amr=("otp",)
    )
    client = JsonClient()
    enable_totp(client, tokens.access_token, password=None)


# --- the second step ------------------------------------------------------------------------


def test_the_pending_sign_in_is_a_cookie_bound_to_the_client_and_carries_no_token(factors):
    client = _pending()
    cookie = client.cookies[django_settings.TWO_FACTOR_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert int(cookie["max-age"]) == 300
    assert django_settings.REFRESH_COOKIE_NAME not in client.cookies
    stranger = JsonClient()
    answer = stranger.post(VERIFY_TOTP, {"code": code_at(factors["secret"])})
    assert (answer.status_code, answer.json()["code"]) == (401, "TWO_FACTOR_SIGN_IN_EXPIRED")
    signed_in = client.post(VERIFY_TOTP, {"code": code_at(factors["secret"])})
    assert signed_in.status_code == 200
    assert client.cookies[django_settings.TWO_FACTOR_COOKIE_NAME].value == ""  # cleared
    assert django_settings.REFRESH_COOKIE_NAME in client.cookies


def test_body_transport_clients_get_a_two_factor_token(factors):
    client = JsonClient()
    transport = {"HTTP_X_REFRESH_TOKEN_TRANSPORT": "body"}
    pending = sign_in(client, **transport).json()
    assert set(pending) == {"twoFactorRedirect", "twoFactorMethods", "twoFactorToken"}
    assert django_settings.TWO_FACTOR_COOKIE_NAME not in client.cookies
    body = {"code": code_at(factors["secret"]), "twoFactorToken": pending["twoFactorToken"]}
    signed_in = JsonClient().post(VERIFY_TOTP, body, format="json", **transport).json()
    assert {"accessToken", "refreshToken", "deviceToken"} <= set(signed_in)


def test_a_code_is_accepted_once_even_thirty_seconds_later(factors, clock):
    code = code_at(factors["secret"])
    first = _pending().post(VERIFY_TOTP, {"code": code})
    assert first.status_code == 200
    clock.advance(30)  # still inside the ±1 step window: only the stored step refuses it
    replay = _pending().post(VERIFY_TOTP, {"code": code})
    assert (replay.status_code, replay.json()["code"]) == (400, "INVALID_TWO_FACTOR_CODE")
    fresh = _pending().post(VERIFY_TOTP, {"code": code_at(factors["secret"])})
    assert fresh.status_code == 200


def test_codes_one_step_either_side_are_accepted_two_are_not(factors, clock):
    secret = factors["secret"]
    for offset, status in [(-2, 400), (2, 400), (-1, 200), (1, 200)]:
        clock.advance(60 + 15 - clock.time() % 30)  # mid-step: no step ends before the check
        answer = _pending().post(VERIFY_TOTP, {"code": code_at(secret, offset)})
        assert answer.status_code == status, offset


def test_five_wrong_answers_kill_the_pending_sign_in(factors):
    client = _pending()
    for _ in range(5):
        wrong = client.post(VERIFY_TOTP, {"code": "000000"})
        assert wrong.json()["code"] == "INVALID_TWO_FACTOR_CODE"
    late = client.post(VERIFY_TOTP, {"code": code_at(factors["secret"])})
    assert (late.status_code, late.json()["code"]) == (401, "TWO_FACTOR_SIGN_IN_EXPIRED")
    assert "second_factor_failed" in _events(factors and TotpFactor.objects.get().user)


def test_the_attempt_limit_holds_with_rate_limits_off(factors, settings):
    settings.RATE_LIMITS_ENABLED = False
    client = _pending()
    for _ in range(5):
        client.post(VERIFY_TOTP, {"code": "000000"})
    late = client.post(VERIFY_TOTP, {"code": code_at(factors["secret"])})
    assert late.json()["code"] == "TWO_FACTOR_SIGN_IN_EXPIRED"


def test_a_pending_sign_in_lives_five_minutes(factors, clock):
    client = _pending()
    clock.advance(301)
    late = client.post(VERIFY_TOTP, {"code": code_at(factors["secret"])})
    assert late.json()["code"] == "TWO_FACTOR_SIGN_IN_EXPIRED"


def test_a_right_code_completes_the_pending_sign_in_once(factors):
    client = _pending()
    cookie = client.cookies[django_settings.TWO_FACTOR_COOKIE_NAME].value
    assert client.post(VERIFY_TOTP, {"code": code_at(factors["secret"])}).status_code == 200
    again = JsonClient()
    again.cookies[django_settings.TWO_FACTOR_COOKIE_NAME] = cookie
    answer = again.post(VERIFY_BACKUP, {"code": factors["backupCodes"][0]})
    assert answer.json()["code"] == "TWO_FACTOR_SIGN_IN_EXPIRED"
    assert not PendingSignIn.objects.exists()


@pytest.mark.skipif(connection.vendor != "mysql", reason="needs parallel connections")
@pytest.mark.django_db(transaction=True)
def test_parallel_answers_cannot_pass_the_attempt_limit_or_reuse_a_code(user, clock):
    user.email_verified = True
    user.save()
    client = JsonClient()
    factors = enable_totp(client, access_of(client))
    pending = _pending()
    cookie = pending.cookies[django_settings.TWO_FACTOR_COOKIE_NAME].value
    statuses: list[int] = []

    def answer(code: str) -> None:
        c = JsonClient()
        c.cookies[django_settings.TWO_FACTOR_COOKIE_NAME] = cookie
        statuses.append(c.post(VERIFY_TOTP, {"code": code}).status_code)
        connection.close()

    threads = [threading.Thread(target=answer, args=(f"{n:06d}",)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert PendingSignIn.objects.get().attempts == 5
    assert sorted(statuses) == [400] * 5 + [401] * 7
    # The same right code, sent by 8 pending sign-ins at once: one of them signs in.
    code = code_at(factors["secret"])
    cookies = [_pending().cookies[django_settings.TWO_FACTOR_COOKIE_NAME].value for _ in range(8)]
    results: list[int] = []

    def spend(value: str) -> None:
        c = JsonClient()
        c.cookies[django_settings.TWO_FACTOR_COOKIE_NAME] = value
        results.append(c.post(VERIFY_TOTP, {"code": code}).status_code)
        connection.close()

    threads = [threading.Thread(target=spend, args=(value,)) for value in cookies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200] + [400] * 7


# --- recovery codes ---------------------------------------------------------------------------


def test_a_recovery_code_signs_in_once_and_the_owner_is_told_how_many_remain(factors, mailoutbox):
    code = factors["backupCodes"][3]
    first = _pending().post(VERIFY_BACKUP, {"code": code.upper().replace("-", " ")})
    assert first.status_code == 200, first.content
    assert _amr(first.json()["accessToken"]) == ["pwd", "otp", "mfa"]
    again = _pending().post(VERIFY_BACKUP, {"code": code})
    assert (again.status_code, again.json()["code"]) == (400, "INVALID_TWO_FACTOR_CODE")
    deliver_due()
    used = [m for m in mailoutbox if m.subject == "A recovery code was used to sign in"]
    assert len(used) == 1 and "9 unused recovery codes" in used[0].body
    assert RecoveryCode.objects.filter(used_at__isnull=True).count() == 9


def test_new_recovery_codes_end_the_old_ones(factors, verified, mailoutbox):
    client = JsonClient()
    pending = _pending(client)
    access = pending.post(VERIFY_TOTP, {"code": code_at(factors["secret"])}).json()["accessToken"]
    fresh = client.post(TWO_FACTOR + "generate-backup-codes/", **bearer(access))
    assert fresh.status_code == 200
    new_codes = fresh.json()["backupCodes"]
    assert len(new_codes) == 10 and not set(new_codes) & set(factors["backupCodes"])
    old = _pending().post(VERIFY_BACKUP, {"code": factors["backupCodes"][0]})
    assert old.json()["code"] == "INVALID_TWO_FACTOR_CODE"
    assert _pending().post(VERIFY_BACKUP, {"code": new_codes[0]}).status_code == 200
    assert "recovery_codes_new" in _events(verified)


def test_recovery_codes_are_stored_as_keyed_hashes(factors):
    stored = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert len(stored) == 10
    for code in factors["backupCodes"]:
        assert code not in str(stored) and code.replace("-", "") not in str(stored)


# --- trusting the device, turning it off -----------------------------------------------------


def test_a_trusted_device_skips_the_second_step_and_only_that_device(factors):
    laptop = _pending()
    body = {"code": code_at(factors["secret"]), "trustDevice": True}
    assert laptop.post(VERIFY_TOTP, body, format="json").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        again = sign_in(laptop)
    assert "accessToken" in again.json(), again.content
    devices = [q for q in captured if q["sql"].startswith("SELECT") and "trusteddevice" in q["sql"]]
    assert len(devices) == 1  # the credential check's read serves the second-step skip too
    assert _amr(again.json()["accessToken"]) == ["pwd", "mfa"]
    _pending()  # a new browser is asked
    # A device that completed a second step without asking to be trusted is asked again.
    phone = _pending()
    phone.post(VERIFY_BACKUP, {"code": factors["backupCodes"][0]})
    assert sign_in(phone).json().get("twoFactorRedirect") is True


@pytest.mark.parametrize("end", ["sign-out-everywhere", "device-revoked"])
def test_a_device_whose_trust_ends_during_the_password_check_skips_nothing(
    factors, verified, monkeypatch, end
):
    """The device is read before the password's hash and used after it: trust ended in between
    (by its owner, elsewhere) asks for the second step, and no sign-in outlives the ending."""
    laptop = _pending()
    body = {"code": code_at(factors["secret"]), "trustDevice": True}
    assert laptop.post(VERIFY_TOTP, body, format="json").status_code == 200
    device = TrustedDevice.objects.get(skips_second_factor=True)
    check = User.check_password

    def ended_while_hashing(self, raw):
        right = check(self, raw)
        if end == "sign-out-everywhere":
            sign_ins_revoke_all(user_id=self.pk, reason=RevokeReason.REVOKED)
        else:
            device_end(user_id=self.pk, device_id=device.pk)
        return right

    def live() -> set[str]:
        return set(SignIn.objects.filter(revoked_at__isnull=True).values_list("pk", flat=True))

    before = live()
    monkeypatch.setattr(User, "check_password", ended_while_hashing)
    answer = sign_in(laptop).json()
    assert answer.get("twoFactorRedirect") is True and "accessToken" not in answer
    assert live() <= before  # no new sign-in
    assert not TrustedDevice.objects.filter(pk=device.pk).exists()


def test_a_device_whose_trust_ends_before_a_code_sign_in_holds_it_skips_nothing(
    factors, verified, monkeypatch, mailoutbox
):
    """A code sign-in reads the device before its transaction holds it: trust ended in between
    asks for the second step there too, and the ended device is not made again."""
    laptop = _pending()
    body = {"code": code_at(factors["secret"]), "trustDevice": True}
    assert laptop.post(VERIFY_TOTP, body, format="json").status_code == 200
    device = TrustedDevice.objects.get(skips_second_factor=True)
    read = signing_in.trusted_device

    def ended_after_the_read(token, *, user_id):
        known = read(token, user_id=user_id)
        device_end(user_id=user_id, device_id=device.pk)  # its owner, elsewhere
        return known

    monkeypatch.setattr(signing_in, "trusted_device", ended_after_the_read)
    send_code(laptop, verified.email, "sign-in")
    code = deliver_and_read_code(mailoutbox, verified.email)
    answer = laptop.post("/api/auth/email-otp/sign-in/", {"email": verified.email, "otp": code})
    assert answer.status_code == 200, answer.content
    assert answer.json().get("twoFactorRedirect") is True and "accessToken" not in answer.json()
    assert not TrustedDevice.objects.filter(pk=device.pk).exists()


def test_turning_it_off_ends_trust_factors_and_tells_the_owner(factors, verified, mailoutbox):
    laptop = _pending()
    body = {"code": code_at(factors["secret"]), "trustDevice": True}
    access = laptop.post(VERIFY_TOTP, body, format="json").json()["accessToken"]
    assert TrustedDevice.objects.filter(skips_second_factor=True).count() == 1
    wrong = laptop.post(TWO_FACTOR + "disable/", {"password": "nope"}, **bearer(access))
    assert wrong.json()["code"] == "INVALID_PASSWORD"
    off = laptop.post(TWO_FACTOR + "disable/", {"password": PASSWORD}, **bearer(access))
    assert off.status_code == 200 and off.json()["user"]["twoFactorEnabled"] is False
    assert not TrustedDevice.objects.exists()
    assert not TotpFactor.objects.exists() and not RecoveryCode.objects.exists()
    assert "accessToken" in sign_in(JsonClient()).json()
    assert "two_factor_disabled" in _events(verified)
    deliver_due()
    assert "Two-factor authentication was turned off" in [m.subject for m in mailoutbox]


def test_refresh_keeps_the_sign_in_as_it_was(factors):
    client = _pending()
    client.post(VERIFY_TOTP, {"code": code_at(factors["secret"])})
    refreshed = client.post("/api/auth/refresh/", **_csrf(client))
    assert _amr(refreshed.json()["accessToken"]) == ["pwd", "otp", "mfa"]


def test_step_up_by_a_totp_code(factors, clock):
    client = _pending()
    access = client.post(VERIFY_TOTP, {"code": code_at(factors["secret"])}).json()["accessToken"]
    clock.advance(django_settings.REAUTH_WINDOW_SECONDS + 30)
    wrong = client.post("/api/auth/reauthenticate/", {"code": "000000"}, **bearer(access))
    assert wrong.json()["code"] == "INVALID_TWO_FACTOR_CODE"
    right = client.post(
        "/api/auth/reauthenticate/", {"code": code_at(factors["secret"])}, **bearer(access)
    )
    assert right.status_code == 200, right.content
    assert right.json()["accessToken"] != access


# --- budgets: strangers who hold the password ------------------------------------------------


def test_untrusted_wrong_codes_close_totp_until_the_owner_proves_it_otherwise(factors, settings):
    settings.TOTP_CLOSE_AFTER_FAILURES = 12
    for n in range(12 // 4):
        client = _pending(REMOTE_ADDR=f"10.0.0.{n + 1}")
        for _ in range(4):
            client.post(VERIFY_TOTP, {"code": "000000"}, REMOTE_ADDR=f"10.0.0.{n + 1}")
    closed = _pending().post(VERIFY_TOTP, {"code": code_at(factors["secret"])})
    assert closed.status_code == 429 and closed.json()["code"] == "TOO_MANY_REQUESTS"
    # The owner's recovery code (unguessable in practice) gets in and reopens TOTP.
    assert _pending().post(VERIFY_BACKUP, {"code": factors["backupCodes"][0]}).status_code == 200
    assert _pending().post(VERIFY_TOTP, {"code": code_at(factors["secret"])}).status_code == 200


def test_turning_it_on_ends_the_trust_of_every_other_device(verified):
    """A device that signed in with the password alone before (perhaps a thief's) keeps no
    budget of its own for guessing codes."""
    thief = JsonClient()
    sign_in(thief)
    owner = JsonClient()
    enable_totp(owner, access_of(owner))
    assert TrustedDevice.objects.count() == 1  # the owner's
    from auth_api.tokens.devices import trusted_device_id

    thiefs = thief.cookies[django_settings.DEVICE_COOKIE_NAME].value
    assert trusted_device_id(thiefs, user_id=verified.pk) is None


def test_a_trusted_devices_wrong_codes_do_not_close_totp_to_others(factors, settings):
    settings.TOTP_CLOSE_AFTER_FAILURES = 3
    laptop = _pending()
    laptop.post(VERIFY_BACKUP, {"code": factors["backupCodes"][0]})  # a device record, no skip
    for _ in range(2):
        client = _pending(laptop)
        for _ in range(2):
            client.post(VERIFY_TOTP, {"code": "000000"})
    assert TotpFactor.objects.get().untrusted_failures == 0
    assert _pending().post(VERIFY_TOTP, {"code": code_at(factors["secret"])}).status_code == 200


def test_recovery_codes_spend_a_window_per_account_and_address_never_the_owners(
    factors, settings, clock
):
    """Wrong recovery codes spend a budget of the account and the address they come from, which
    lapses: a stranger's address is slowed, the owner's own address never is (a recovery code is
    what the owner holds when strangers closed TOTP)."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "recovery_account_ip": (4, 900)}
    stranger = {"REMOTE_ADDR": "10.0.2.1"}
    for _ in range(4):
        wrong = _pending(**stranger).post(VERIFY_BACKUP, {"code": "aaaaaa-aaaaaa"}, **stranger)
        assert wrong.json()["code"] == "INVALID_TWO_FACTOR_CODE"
    refused = _pending(**stranger).post(VERIFY_BACKUP, {"code": "aaaaaa-aaaaab"}, **stranger)
    assert refused.status_code == 429 and int(refused["Retry-After"]) <= 900
    owner = _pending()
    assert owner.post(VERIFY_BACKUP, {"code": factors["backupCodes"][0]}).status_code == 200
    clock.advance(901)
    again = _pending(**stranger).post(VERIFY_BACKUP, {"code": "aaaaaa-aaaaac"}, **stranger)
    assert again.json()["code"] == "INVALID_TWO_FACTOR_CODE"


@pytest.mark.parametrize("event", ["password reset", "sign out everywhere"])
def test_what_secures_the_account_ends_its_pending_sign_ins(factors, mailoutbox, event):
    pending = _pending()
    owner = _pending()
    access = owner.post(VERIFY_TOTP, {"code": code_at(factors["secret"])}).json()["accessToken"]
    if event == "password reset":
        from tests.helpers import deliver_and_read_code, send_code

        send_code(owner, "ada@example.com", "forget-password")
        code = deliver_and_read_code(mailoutbox, "ada@example.com")
        body = {"email": "ada@example.com", "otp": code, "password": "another long phrase 7"}
        assert owner.post("/api/auth/password/reset/", body).status_code == 200
    else:
        assert owner.post("/api/auth/sessions/revoke-all/", **bearer(access)).status_code in (
            200,
            204,
        )
    late = pending.post(VERIFY_BACKUP, {"code": factors["backupCodes"][0]})
    assert late.json()["code"] == "TWO_FACTOR_SIGN_IN_EXPIRED"


# --- the pre-registration case ---------------------------------------------------------------


@pytest.mark.parametrize("proof", ["code sign-in", "password reset", "verification code"])
def test_proving_the_address_drops_factors_a_pre_registration_set(user, clock, mailoutbox, proof):
    """Someone registered Ada's address first (never proved), and factors arrived with it (an
    import). Ada proves the address: their TOTP, recovery codes and passkeys are gone, so they
    cannot keep her out."""
    from auth_api.factors import recovery, totp
    from auth_api.models import Passkey
    from tests.helpers import deliver_and_read_code

    totp.enrol(user=user)
    TotpFactor.objects.update(confirmed_at=clock.now())
    recovery.new_set(user_id=user.pk)
    Passkey.objects.create(user=user, credential_id="x", credential_hash="x", public_key=b"x")
    user.two_factor_enabled = True
    user.save()
    client = JsonClient()
    kind = {"password reset": "forget-password", "verification code": "email-verification"}
    client.post(
        "/api/auth/email-otp/send/", {"email": user.email, "type": kind.get(proof, "sign-in")}
    )
    code = deliver_and_read_code(mailoutbox, user.email)
    if proof == "password reset":
        body = {"email": user.email, "otp": code, "password": "mine, not theirs 42"}
        assert client.post("/api/auth/password/reset/", body).status_code == 200
        answer = sign_in(client, password="mine, not theirs 42")
    else:
        url = "sign-in/" if proof == "code sign-in" else "verify-email/"
        answer = client.post("/api/auth/email-otp/" + url, {"email": user.email, "otp": code})
    assert "accessToken" in answer.json(), answer.content
    assert answer.json()["user"]["twoFactorEnabled"] is False
    assert not TotpFactor.objects.exists() and not RecoveryCode.objects.exists()
    assert not Passkey.objects.exists()
