"""Passkeys: register, list, rename, delete; sign in with one alone; as a second step; step-up.
Every credential is made and signed by a software authenticator (tests/authenticator.py), and the
server's WebAuthn library checks the real bytes."""

import jwt
import pytest
from django.conf import settings as django_settings

from auth_api.flows import signing_in
from auth_api.models import Passkey, SecurityEvent, TrustedDevice
from auth_api.tokens.devices import device_end, trusted_device_id
from emailing.delivery import deliver_due
from tests.authenticator import SoftAuthenticator
from tests.helpers import PASSWORD, bearer, sign_in
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
PASSKEYS = "/api/auth/passkeys/"


@pytest.fixture
def key() -> SoftAuthenticator:
    return SoftAuthenticator()


@pytest.fixture
def registered(verified, key) -> dict:
    client = JsonClient()
    return add_passkey(client, access_of(client), key, name="Laptop")


def _claims(access: str) -> dict:
    return jwt.decode(access, options={"verify_signature": False})


def _passkey_sign_in(client: JsonClient, key: SoftAuthenticator, **kwargs):
    credential = passkey_assertion(client, key, **kwargs)
    return client.post(PASSKEY + "sign-in/", {"credential": credential})


# --- registration and the list ---------------------------------------------------------------


def test_registration_options_ask_for_a_discoverable_verified_credential(verified, key):
    client = JsonClient()
    access = access_of(client)
    options = client.post(PASSKEY + "registration-options/", **bearer(access)).json()
    assert options["rp"] == {"id": "localhost", "name": django_settings.WEBAUTHN_RP_NAME}
    assert options["user"]["name"] == "ada@example.com"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["excludeCredentials"] == []
    add_passkey(client, access, key)
    again = client.post(PASSKEY + "registration-options/", **bearer(access)).json()
    assert [c["id"] for c in again["excludeCredentials"]] == [Passkey.objects.get().credential_id]


def test_a_passkey_is_listed_renamed_and_deleted_and_the_owner_told(
    registered, verified, key, mailoutbox
):
    client = JsonClient()
    access = access_of(client)
    listed = client.get(PASSKEYS, **bearer(access)).json()
    assert listed == [registered]
    assert set(registered) == {"id", "name", "createdAt", "lastUsedAt", "backedUp", "deviceType"}
    assert (registered["backedUp"], registered["deviceType"]) == (False, "singleDevice")
    renamed = client.patch(
        PASSKEYS + f"{registered['id']}/", {"name": "Work laptop"}, **bearer(access)
    )
    assert renamed.json()["passkey"]["name"] == "Work laptop"
    gone = client.delete(PASSKEYS + f"{registered['id']}/", **bearer(access))
    assert gone.status_code == 204
    assert client.get(PASSKEYS, **bearer(access)).json() == []
    assert client.delete(PASSKEYS + f"{registered['id']}/", **bearer(access)).status_code == 404
    types = list(SecurityEvent.objects.values_list("type", flat=True))
    assert {"passkey_added", "passkey_removed"} <= set(types)
    deliver_due()
    subjects = [m.subject for m in mailoutbox]
    assert "A passkey was added to your account" in subjects
    assert "A passkey was removed from your account" in subjects


def test_someone_elses_passkey_is_not_found(registered, key):
    from tests.factories import UserFactory

    UserFactory(email="eve@example.com", email_verified=True)
    eve = JsonClient()
    access = access_of(eve, "eve@example.com")
    assert (
        eve.patch(PASSKEYS + f"{registered['id']}/", {"name": "x"}, **bearer(access)).status_code
        == 404
    )
    assert eve.delete(PASSKEYS + f"{registered['id']}/", **bearer(access)).status_code == 404
    assert Passkey.objects.count() == 1


def test_adding_or_deleting_needs_a_fresh_sign_in_and_adding_a_verified_address(user, key, clock):
    client = JsonClient()
    access = access_of(client)
    unverified = client.post(PASSKEY + "registration-options/", **bearer(access))
    assert (unverified.status_code, unverified.json()["code"]) == (403, "EMAIL_NOT_VERIFIED")
    user.email_verified = True
    user.save()
    passkey = add_passkey(client, access, key)
    clock.advance(django_settings.REAUTH_WINDOW_SECONDS + 1)
    stale = client.post(PASSKEY + "registration-options/", **bearer(access))
    assert stale.json()["code"] == "REAUTHENTICATION_REQUIRED"
    stale = client.delete(PASSKEYS + f"{passkey['id']}/", **bearer(access))
    assert stale.json()["code"] == "REAUTHENTICATION_REQUIRED"


@pytest.mark.parametrize(
    "bad",
    ["other origin", "no user verification", "challenge of another user", "used twice", "junk"],
)
def test_a_bad_new_credential_is_refused(verified, bad):
    from tests.factories import UserFactory

    client = JsonClient()
    access = access_of(client)
    key = SoftAuthenticator(user_verified=bad != "no user verification")
    options = client.post(PASSKEY + "registration-options/", **bearer(access)).json()
    if bad == "challenge of another user":
        UserFactory(email="eve@example.com", email_verified=True)
        eve = JsonClient()
        eve_access = access_of(eve, "eve@example.com")
        options = eve.post(PASSKEY + "registration-options/", **bearer(eve_access)).json()
    origin = "https://evil.example" if bad == "other origin" else None
    credential = key.create(options, origin=origin)
    if bad == "junk":
        credential["response"]["attestationObject"] = "AAAA"
    body = {"credential": credential}
    if bad == "used twice":
        assert client.post(PASSKEY + "register/", body, **bearer(access)).status_code == 201
        Passkey.objects.all().delete()
    answer = client.post(PASSKEY + "register/", body, **bearer(access))
    assert (answer.status_code, answer.json()["code"]) == (400, "INVALID_PASSKEY")
    assert not Passkey.objects.exists()


# --- signing in with a passkey alone ----------------------------------------------------------


def test_a_passkey_signs_in_alone_as_multi_factor(registered, key, verified):
    browser = JsonClient()
    answer = _passkey_sign_in(browser, key)
    assert answer.status_code == 200, answer.content
    assert _claims(answer.json()["accessToken"])["amr"] == ["hwk", "mfa"]
    assert browser.cookies[django_settings.REFRESH_COOKIE_NAME].value
    assert "signed_in_passkey" in set(SecurityEvent.objects.values_list("type", flat=True))
    listed = Passkey.objects.get()
    assert listed.sign_count == 1 and listed.last_used_at is not None


def test_a_device_whose_trust_ends_during_a_passkey_sign_in_is_not_kept(
    registered, key, verified, monkeypatch
):
    """Read before the sign-in's transaction holds it, ended in between (its owner revoked it
    elsewhere): the client gets a new device, and the ended one stays ended."""
    browser = JsonClient()
    assert sign_in(browser).status_code == 200
    cookie = django_settings.DEVICE_COOKIE_NAME
    old = trusted_device_id(browser.cookies[cookie].value, user_id=verified.pk)
    assert old is not None
    read = signing_in.trusted_device

    def ended_after_the_read(token, *, user_id):
        known = read(token, user_id=user_id)
        device_end(user_id=user_id, device_id=old)
        return known

    monkeypatch.setattr(signing_in, "trusted_device", ended_after_the_read)
    assert _passkey_sign_in(browser, key).status_code == 200
    new = trusted_device_id(browser.cookies[cookie].value, user_id=verified.pk)
    assert new not in (None, old)
    assert not TrustedDevice.objects.filter(pk=old).exists()


def test_a_synced_passkey_is_a_software_key_and_its_backup_flags_are_kept(verified):
    key = SoftAuthenticator(synced=True)
    client = JsonClient()
    passkey = add_passkey(client, access_of(client), key)
    assert (passkey["backedUp"], passkey["deviceType"]) == (True, "multiDevice")
    answer = _passkey_sign_in(JsonClient(), key)
    assert _claims(answer.json()["accessToken"])["amr"] == ["swk", "mfa"]


def test_the_options_name_no_credential_and_say_nothing_about_the_address(registered):
    client = JsonClient()
    known = client.post(PASSKEY + "authentication-options/", {"email": "ada@example.com"}).json()
    unknown = client.post(PASSKEY + "authentication-options/", {"email": "nobody@example.com"})
    assert known["allowCredentials"] == unknown.json()["allowCredentials"] == []
    assert known["userVerification"] == "required" and known["rpId"] == "localhost"
    cookie = client.cookies[django_settings.PASSKEY_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"


@pytest.mark.parametrize(
    "attack", ["replayed", "another client's challenge", "other origin", "not verified"]
)
def test_a_passkey_answer_is_judged_strictly(registered, key, attack):
    victim, attacker = JsonClient(), JsonClient()
    if attack == "replayed":
        credential = passkey_assertion(victim, key)
        assert victim.post(PASSKEY + "sign-in/", {"credential": credential}).status_code == 200
        answer = victim.post(PASSKEY + "sign-in/", {"credential": credential})
    elif attack == "another client's challenge":
        credential = passkey_assertion(victim, key)  # the victim's browser asked for it
        attacker.post(PASSKEY + "authentication-options/", {})  # the attacker has its own
        answer = attacker.post(PASSKEY + "sign-in/", {"credential": credential})
    elif attack == "other origin":
        answer = _passkey_sign_in(attacker, key, origin="https://evil.example")
    else:
        key.user_verified = False
        answer = _passkey_sign_in(attacker, key)
    assert (answer.status_code, answer.json()["code"]) == (401, "INVALID_PASSKEY")


def test_a_sign_count_that_does_not_grow_is_refused(registered, key):
    assert _passkey_sign_in(JsonClient(), key, sign_count=5).status_code == 200
    cloned = _passkey_sign_in(JsonClient(), key, sign_count=5)  # a copy of the authenticator
    assert (cloned.status_code, cloned.json()["code"]) == (401, "INVALID_PASSKEY")
    older = _passkey_sign_in(JsonClient(), key, sign_count=3)
    assert older.status_code == 401
    assert Passkey.objects.get().sign_count == 5
    assert _passkey_sign_in(JsonClient(), key, sign_count=6).status_code == 200


def test_body_transport_clients_carry_a_challenge_token(registered, key):
    transport = {"HTTP_X_REFRESH_TOKEN_TRANSPORT": "body"}
    client = JsonClient()
    options = client.post(PASSKEY + "authentication-options/", {}, **transport).json()
    assert options["challengeToken"]
    assert django_settings.PASSKEY_COOKIE_NAME not in client.cookies
    body = {"credential": key.get(options), "challengeToken": options["challengeToken"]}
    answer = JsonClient().post(PASSKEY + "sign-in/", body, **transport)
    assert answer.status_code == 200 and "refreshToken" in answer.json()
    missing = JsonClient().post(PASSKEY + "sign-in/", {"credential": key.get(options)}, **transport)
    assert missing.status_code == 401


def test_a_passkey_of_a_deactivated_account_signs_no_one_in(registered, key, verified):
    verified.is_active = False
    verified.save()
    assert _passkey_sign_in(JsonClient(), key).status_code == 401


# --- a passkey as the second step, and for step-up --------------------------------------------


def test_a_passkey_answers_the_second_step(registered, key, verified):
    client = JsonClient()
    enable_totp(client, access_of(client))
    browser = JsonClient()
    pending = sign_in(browser).json()
    assert pending["twoFactorMethods"] == ["totp", "backup-code", "passkey"]
    credential = passkey_assertion(browser, key)
    answer = browser.post(TWO_FACTOR + "verify-passkey/", {"credential": credential})
    assert answer.status_code == 200, answer.content
    assert _claims(answer.json()["accessToken"])["amr"] == ["pwd", "hwk", "mfa"]


def test_a_passkey_sign_in_is_never_asked_for_a_second_step(registered, key):
    client = JsonClient()
    enable_totp(client, access_of(client))
    assert "accessToken" in _passkey_sign_in(JsonClient(), key).json()


def test_someone_elses_passkey_cannot_answer_ones_second_step(registered, key, verified):
    from tests.factories import UserFactory

    client = JsonClient()
    enable_totp(client, access_of(client))
    UserFactory(email="eve@example.com", email_verified=True)
    eve = JsonClient()
    eve_key = SoftAuthenticator()
    add_passkey(eve, access_of(eve, "eve@example.com"), eve_key)
    browser = JsonClient()
    sign_in(browser)  # Ada's password, held by Eve
    before = Passkey.objects.get(user__email="eve@example.com")
    credential = passkey_assertion(browser, eve_key)
    answer = browser.post(TWO_FACTOR + "verify-passkey/", {"credential": credential})
    assert (answer.status_code, answer.json()["code"]) == (401, "INVALID_PASSKEY")
    # Refused before it is verified: Eve's passkey is untouched (count, last use).
    after = Passkey.objects.get(pk=before.pk)
    assert (after.sign_count, after.last_used_at) == (before.sign_count, before.last_used_at)


def test_someone_elses_passkey_cannot_step_up_ones_sign_in(registered, key, clock):
    from tests.factories import UserFactory

    client = JsonClient()
    access = access_of(client)
    UserFactory(email="eve@example.com", email_verified=True)
    eve = JsonClient()
    eve_key = SoftAuthenticator()
    add_passkey(eve, access_of(eve, "eve@example.com"), eve_key)
    before = Passkey.objects.get(user__email="eve@example.com")
    clock.advance(django_settings.REAUTH_WINDOW_SECONDS + 1)
    credential = passkey_assertion(client, eve_key)
    answer = client.post("/api/auth/reauthenticate/", {"credential": credential}, **bearer(access))
    assert (answer.status_code, answer.json()["code"]) == (400, "INVALID_PASSKEY")
    after = Passkey.objects.get(pk=before.pk)
    assert (after.sign_count, after.last_used_at) == (before.sign_count, before.last_used_at)


def test_step_up_by_passkey(registered, key, clock):
    client = JsonClient()
    access = access_of(client)
    clock.advance(django_settings.REAUTH_WINDOW_SECONDS + 1)
    credential = passkey_assertion(client, key)
    answer = client.post("/api/auth/reauthenticate/", {"credential": credential}, **bearer(access))
    assert answer.status_code == 200, answer.content
    fresh = answer.json()["accessToken"]
    assert _claims(fresh)["authTime"] > _claims(access)["authTime"]


def test_a_failed_step_up_by_passkey_is_a_400_not_an_expired_token(registered, key, clock):
    client = JsonClient()
    access = access_of(client)
    credential = passkey_assertion(client, key, origin="https://evil.example")
    answer = client.post("/api/auth/reauthenticate/", {"credential": credential}, **bearer(access))
    assert (answer.status_code, answer.json()["code"]) == (400, "INVALID_PASSKEY")


def test_a_passkey_reopens_what_strangers_closed(registered, key, verified, settings):
    from auth_api.limits import guard

    settings.SIGN_IN_CLOSE_AFTER_FAILURES = 3
    for n in range(3):
        sign_in(JsonClient(), password=f"guess {n}", REMOTE_ADDR=f"10.0.1.{n}")
    assert sign_in(JsonClient()).json()["code"] == "PASSWORD_SIGN_IN_CLOSED"
    assert _passkey_sign_in(JsonClient(), key).status_code == 200
    assert not guard.untrusted_standing(email=verified.email).closed
    assert "accessToken" in sign_in(JsonClient(), password=PASSWORD).json()


def test_the_second_step_with_a_totp_code_after_a_passkey_was_added(registered, key):
    client = JsonClient()
    factors = enable_totp(client, access_of(client))
    browser = JsonClient()
    sign_in(browser)
    answer = browser.post(TWO_FACTOR + "verify-totp/", {"code": code_at(factors["secret"])})
    assert answer.status_code == 200


JUNK = [
    {},
    {"id": 1},
    {"id": "x", "rawId": "x", "type": "public-key", "response": 5},
    {"id": "x", "rawId": "x", "type": "public-key", "response": {"clientDataJSON": 7}},
    {"id": "***", "rawId": "***", "type": "public-key", "response": {"clientDataJSON": "***"}},
    {"id": "AA", "rawId": "AA", "type": "public-key", "response": {"clientDataJSON": "e30"}},
    {"id": "AA", "rawId": "AA", "type": "other", "response": {}, "authenticatorAttachment": 3},
]


@pytest.mark.parametrize("credential", JUNK)
@pytest.mark.parametrize(
    "path", ["passkey/sign-in/", "passkey/register/", "two-factor/verify-passkey/"]
)
def test_junk_credentials_are_clear_errors(verified, credential, path):
    client = JsonClient()
    access = access_of(client)
    client.post(PASSKEY + "authentication-options/", {})
    if path == "two-factor/verify-passkey/":
        client.cookies.pop(django_settings.REFRESH_COOKIE_NAME, None)
    answer = client.post("/api/auth/" + path, {"credential": credential}, **bearer(access))
    assert answer.status_code in (400, 401), answer.content
    assert answer.json()["code"] in ("INVALID_PASSKEY", "TWO_FACTOR_SIGN_IN_EXPIRED")
