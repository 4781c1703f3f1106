"""Second factors and passkeys, attacked: ways around the second step, replays, someone else's
device or pending sign-in, the pre-registration case on every proof, odd input."""

import re
import threading

import pytest
from django.conf import settings as django_settings
from django.db import connection

from auth_api.models import Passkey, PendingSignIn, RecoveryCode, SecurityEvent, TotpFactor
from emailing.delivery import deliver_due
from tests.authenticator import SoftAuthenticator
from tests.factories import UserFactory
from tests.helpers import PASSWORD, bearer, csrf_headers, deliver_and_read_code, send_code, sign_in
from tests.two_factor import (
    PASSKEY,
    TWO_FACTOR,
    JsonClient,
    access_of,
    add_passkey,
    code_at,
    enable_totp,
    passkey_assertion,
)

pytestmark = pytest.mark.django_db
VERIFY_TOTP = TWO_FACTOR + "verify-totp/"
VERIFY_BACKUP = TWO_FACTOR + "verify-backup-code/"
ADMIN_PASSWORD = "admin-password-123"


@pytest.fixture
def factors(verified, clock):
    """Ada with two-factor on: {secret, backupCodes}."""
    client = JsonClient()
    return enable_totp(client, access_of(client))


def _pending(client: JsonClient | None = None, **extra) -> JsonClient:
    client = client or JsonClient()
    answer = sign_in(client, **extra)
    assert answer.json().get("twoFactorRedirect") is True, answer.content
    return client


# --- a pending sign-in is no sign-in --------------------------------------------------------------


def test_a_pending_sign_in_opens_nothing_that_needs_a_sign_in(factors):
    """Holding the pending cookie (the password, no second factor) gets no token anywhere."""
    client = _pending()
    assert django_settings.REFRESH_COOKIE_NAME not in client.cookies
    refreshed = client.post("/api/auth/refresh/", **csrf_headers(client))
    assert (refreshed.status_code, refreshed.json()["code"]) == (401, "INVALID_REFRESH_TOKEN")
    assert client.get("/api/auth/session/").status_code == 401
    assert client.post(PASSKEY + "registration-options/").status_code == 401
    assert client.post(TWO_FACTOR + "disable/", {"password": PASSWORD}).status_code == 401
    assert client.post("/api/auth/reauthenticate/", {"password": PASSWORD}).status_code == 401
    # The pending token is not a Bearer token either.
    token = client.cookies[django_settings.TWO_FACTOR_COOKIE_NAME].value
    assert client.get("/api/auth/session/", **bearer(token)).status_code == 401


def test_a_completed_pending_sign_in_cannot_be_answered_again_with_another_factor(factors):
    client = _pending()
    cookie = client.cookies[django_settings.TWO_FACTOR_COOKIE_NAME].value
    assert client.post(VERIFY_TOTP, {"code": code_at(factors["secret"])}).status_code == 200
    for path, code in [(VERIFY_BACKUP, factors["backupCodes"][0]), (VERIFY_TOTP, "123456")]:
        again = JsonClient()
        again.cookies[django_settings.TWO_FACTOR_COOKIE_NAME] = cookie
        answer = again.post(path, {"code": code})
        assert (answer.status_code, answer.json()["code"]) == (401, "TWO_FACTOR_SIGN_IN_EXPIRED")
    assert RecoveryCode.objects.filter(used_at__isnull=True).count() == 10


def test_a_pending_token_of_one_account_cannot_be_answered_with_anothers_factor(factors):
    """Eve holds Ada's password (a pending sign-in of Ada) and her own authenticator: her codes
    answer nothing of Ada's."""
    UserFactory(email="eve@example.com", email_verified=True)
    eve_browser = JsonClient()
    eve = enable_totp(eve_browser, access_of(eve_browser, "eve@example.com"))
    ada_pending = _pending()
    wrong = ada_pending.post(VERIFY_TOTP, {"code": code_at(eve["secret"])})
    assert wrong.json()["code"] == "INVALID_TWO_FACTOR_CODE"
    wrong = ada_pending.post(VERIFY_BACKUP, {"code": eve["backupCodes"][0]})
    assert wrong.json()["code"] == "INVALID_TWO_FACTOR_CODE"


# --- replay: one TOTP code, once, on every path --------------------------------------------------


def test_a_totp_code_spent_at_the_second_step_is_refused_at_step_up(factors, clock):
    client = _pending()
    code = code_at(factors["secret"])
    access = client.post(VERIFY_TOTP, {"code": code}).json()["accessToken"]
    replay = client.post("/api/auth/reauthenticate/", {"code": code}, **bearer(access))
    assert (replay.status_code, replay.json()["code"]) == (400, "INVALID_TWO_FACTOR_CODE")
    older = code_at(factors["secret"], -1)  # an earlier step than the one accepted
    replay = client.post("/api/auth/reauthenticate/", {"code": older}, **bearer(access))
    assert replay.json()["code"] == "INVALID_TWO_FACTOR_CODE"


def _staff_with_two_factor(clock) -> dict:
    from users.models import User

    User.objects.create_superuser("root@example.com", ADMIN_PASSWORD)
    api = JsonClient()
    access = access_of(api, "root@example.com", ADMIN_PASSWORD)
    return enable_totp(api, access, password=ADMIN_PASSWORD)


def _admin_login(client, code: str) -> bool:
    data = {"username": "root@example.com", "password": ADMIN_PASSWORD, "code": code}
    answer = client.post("/admin/login/", {**data, "next": "/admin/"})
    return answer.status_code == 302 and answer["Location"] == "/admin/"


def test_a_totp_code_spent_at_the_api_is_refused_at_the_admin(client, clock):
    staff = _staff_with_two_factor(clock)
    code = code_at(staff["secret"])
    api = _pending(email="root@example.com", password=ADMIN_PASSWORD)
    assert api.post(VERIFY_TOTP, {"code": code}).status_code == 200
    assert not _admin_login(client, code)


def test_a_recovery_code_used_at_the_admin_is_told_to_the_owner(client, clock, mailoutbox):
    """A recovery code spent at the admin's login is as much a used recovery code as one spent
    at the API: a security event, and a mail to the owner with how many remain."""
    staff = _staff_with_two_factor(clock)
    assert _admin_login(client, staff["backupCodes"][0])
    assert SecurityEvent.objects.filter(type="recovery_code_used").count() == 1
    deliver_due()
    used = [m for m in mailoutbox if m.subject == "A recovery code was used to sign in"]
    assert len(used) == 1 and "9 unused recovery codes" in used[0].body


def test_a_recovery_code_at_the_admin_reopens_totp_like_at_the_api(client, clock, settings):
    staff = _staff_with_two_factor(clock)
    settings.TOTP_CLOSE_AFTER_FAILURES = 3
    for n in range(3):
        assert not _admin_login(client, f"{n:06d}")
    assert TotpFactor.objects.get().untrusted_failures == 3
    assert _admin_login(client, staff["backupCodes"][1])
    assert TotpFactor.objects.get().untrusted_failures == 0


# --- trusted devices: only the account's own ------------------------------------------------------


def test_a_device_another_account_trusted_does_not_skip_the_second_step(factors):
    """Eve trusted her browser at her own second step; with Ada's password, that browser is
    still asked for Ada's second factor, however the device entries are shuffled."""
    UserFactory(email="eve@example.com", email_verified=True)
    browser = JsonClient()
    eve = enable_totp(browser, access_of(browser, "eve@example.com"))
    sign_in(browser, "eve@example.com")
    trusted = browser.post(VERIFY_TOTP, {"code": code_at(eve["secret"]), "trustDevice": True})
    assert trusted.status_code == 200
    answer = sign_in(browser)
    assert answer.json().get("twoFactorRedirect") is True
    device = browser.cookies[django_settings.DEVICE_COOKIE_NAME].value
    eve_id, _, eve_secret = device.partition(".")
    # Ada's device ids are not secret to whoever saw her device list; the secret is.
    ada_browser = JsonClient()
    _pending(ada_browser).post(
        VERIFY_TOTP, {"code": code_at(factors["secret"], 1), "trustDevice": True}
    )
    ada_id = ada_browser.cookies[django_settings.DEVICE_COOKIE_NAME].value.partition(".")[0]
    for token in [f"{ada_id}.{eve_secret}", f"{eve_id}.{eve_secret}~{ada_id}.{eve_secret}"]:
        answer = sign_in(JsonClient(), deviceToken=token)
        assert answer.json().get("twoFactorRedirect") is True, token


# --- the pre-registration case, on the paths the other tests leave out ------------------------


def _pre_registered_factors(user, clock) -> None:
    from auth_api.factors import recovery, totp

    totp.enrol(user=user)
    TotpFactor.objects.update(confirmed_at=clock.now())
    recovery.new_set(user_id=user.pk)
    Passkey.objects.create(user=user, credential_id="x", credential_hash="x", public_key=b"x")
    user.two_factor_enabled = True
    user.save()


def _link(mailoutbox) -> str:
    deliver_due()
    return re.search(r"#token=([\w-]+)", mailoutbox[-1].body).group(1)


@pytest.mark.parametrize(
    "proof", ["link sign-in", "link verification", "reset token", "reset link"]
)
def test_every_proof_of_the_address_drops_a_pre_registrations_factors(
    user, clock, mailoutbox, proof
):
    _pre_registered_factors(user, clock)
    client = JsonClient()
    kind = {"link sign-in": "sign-in", "link verification": "email-verification"}
    send_code(client, user.email, kind.get(proof, "forget-password"))
    if proof.startswith("link"):
        answer = client.post("/api/auth/email-link/verify/", {"token": _link(mailoutbox)})
        assert "accessToken" in answer.json(), answer.content
    else:
        if proof == "reset token":
            code = deliver_and_read_code(mailoutbox, user.email)
            body = {"email": user.email, "type": "forget-password", "otp": code}
            reset_token = client.post("/api/auth/email-otp/check/", body).json()["resetToken"]
        else:
            answer = client.post("/api/auth/email-link/verify/", {"token": _link(mailoutbox)})
            reset_token = answer.json()["resetToken"]
        body = {"resetToken": reset_token, "password": "mine, not theirs 42"}
        assert client.post("/api/auth/password/reset/", body).status_code == 200
        answer = sign_in(client, password="mine, not theirs 42")
        assert "accessToken" in answer.json(), answer.content
    assert answer.json()["user"]["twoFactorEnabled"] is False
    assert not TotpFactor.objects.exists() and not RecoveryCode.objects.exists()
    assert not Passkey.objects.exists()


# --- strangers holding the password cannot keep the owner out -----------------------------------


def test_strangers_with_the_password_cannot_keep_the_owner_out(factors, clock, settings):
    """Strangers who hold Ada's password close TOTP and spend recovery-code guesses from many
    addresses. Ada's own recovery code and her passkey still get her in at once."""
    key = SoftAuthenticator()
    owner = JsonClient()
    add_passkey(owner, _owner_access(owner, factors), key)
    n = 0
    while TotpFactor.objects.get().untrusted_failures < settings.TOTP_CLOSE_AFTER_FAILURES:
        stranger = _pending(REMOTE_ADDR=f"10.9.{n // 200}.{n % 200}")
        for _ in range(5):
            stranger.post(VERIFY_TOTP, {"code": "000000"}, REMOTE_ADDR=f"10.9.{n // 200}.{n % 200}")
        n += 1
    for m in range(11):
        address = f"10.8.0.{m}"
        _pending(REMOTE_ADDR=address).post(
            VERIFY_BACKUP, {"code": "aaaaaa-aaaaaa"}, REMOTE_ADDR=address
        )
    fresh = _pending()
    assert fresh.post(VERIFY_TOTP, {"code": code_at(factors["secret"])}).status_code == 429
    by_passkey = fresh.post(
        TWO_FACTOR + "verify-passkey/", {"credential": passkey_assertion(fresh, key)}
    )
    assert by_passkey.status_code == 200, by_passkey.content
    by_code = _pending().post(VERIFY_BACKUP, {"code": factors["backupCodes"][6]})
    assert by_code.status_code == 200, by_code.content


def _owner_access(client: JsonClient, factors: dict) -> str:
    _pending(client)
    answer = client.post(VERIFY_TOTP, {"code": code_at(factors["secret"], 1)})
    assert answer.status_code == 200, answer.content
    return answer.json()["accessToken"]


# --- passkeys: clashing credentials, odd ids -----------------------------------------------------


@pytest.mark.skipif(connection.vendor != "mysql", reason="needs parallel connections")
@pytest.mark.django_db(transaction=True)
def test_one_credential_registered_twice_at_once_is_kept_once_and_never_a_500(user, clock):
    """Registrations of one credential id race past the "already registered" check: the losers
    are INVALID_PASSKEY, not a server error."""
    user.email_verified = True
    user.save()
    client = JsonClient()
    access = access_of(client)
    key = SoftAuthenticator()
    options = [
        client.post(PASSKEY + "registration-options/", **bearer(access)).json() for _ in range(6)
    ]
    bodies = [key.create(options[0])]
    bodies += [_created_again(key, each) for each in options[1:]]
    statuses: list[int] = []

    def register(credential: dict) -> None:
        c = JsonClient()
        answer = c.post(PASSKEY + "register/", {"credential": credential}, **bearer(access))
        statuses.append(answer.status_code)
        connection.close()

    threads = [threading.Thread(target=register, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Passkey.objects.count() == 1
    assert sorted(statuses) == [201] + [400] * 5, statuses


def _created_again(key: SoftAuthenticator, options: dict) -> dict:
    """The registration answer to `options` that names the key's first credential again."""
    import hashlib
    import struct

    import cbor2

    from tests.authenticator import AT, b64url

    credential = key.credentials[0]
    rp_hash = hashlib.sha256(options["rp"].get("id", key.rp_id).encode()).digest()
    attested = key.aaguid + struct.pack(">H", len(credential.id)) + credential.id
    attested += credential.cose_public_key()
    auth_data = rp_hash + bytes([key._flags(AT)]) + struct.pack(">I", 0) + attested
    attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
    client_data = key._client_data("webauthn.create", options["challenge"])
    return {
        "id": b64url(credential.id),
        "rawId": b64url(credential.id),
        "type": "public-key",
        "response": {
            "clientDataJSON": b64url(client_data),
            "attestationObject": b64url(attestation),
            "transports": ["internal"],
        },
        "clientExtensionResults": {},
    }


@pytest.mark.parametrize("odd", ["%C3%A9", "%F0%9F%94%91", "x" * 300, "%00", "..", "%FF"])
def test_odd_passkey_ids_are_not_found_never_a_500(verified, odd):
    client = JsonClient()
    access = access_of(client)
    renamed = client.patch(f"/api/auth/passkeys/{odd}/", {"name": "n"}, **bearer(access))
    deleted = client.delete(f"/api/auth/passkeys/{odd}/", **bearer(access))
    assert renamed.status_code == deleted.status_code == 404, (renamed.content, deleted.content)


@pytest.mark.parametrize(
    "token", ["\u0000", "é" * 40, "a.b~c.d~e.f~g.h~i.j~k.l", "." * 900, "🔑.🔑", "x" * 2000]
)
def test_odd_device_and_pending_tokens_are_refused_never_a_500(factors, token):
    answer = sign_in(JsonClient(), deviceToken=token)
    assert answer.status_code in (200, 400), answer.content
    answer = JsonClient().post(VERIFY_TOTP, {"code": "123456", "twoFactorToken": token})
    assert answer.status_code in (400, 401), answer.content
    assert not PendingSignIn.objects.filter(attempts__gt=0).exists()


# --- a new SECRET_KEY -----------------------------------------------------------------------------


def test_a_new_secret_key_with_the_old_one_as_fallback_locks_no_owner_out(factors, settings):
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a brand new secret key, long enough to be one " * 2
    settings.SECRET_KEY_FALLBACKS = [old]
    answer = _pending().post(VERIFY_TOTP, {"code": code_at(factors["secret"])})
    assert answer.status_code == 200, answer.content
    answer = _pending().post(VERIFY_BACKUP, {"code": factors["backupCodes"][0]})
    assert answer.status_code == 200, answer.content
