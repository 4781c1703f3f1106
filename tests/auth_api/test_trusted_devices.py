"""Trusted devices are server-side records: listed, revocable, ended by every event that must end
them, and bounded per device and per account. Attacks come from the squatter of an address, a
pile of devices, and a thief of one device."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from auth_api.models import (
    AccountGuard,
    SecurityEvent,
    SecurityEventType,
    TrustedDevice,
    guard_key,
)
from auth_api.tokens.devices import device_renew, trusted_device, trusted_device_id
from tests.helpers import PASSWORD, bearer, csrf_headers, deliver_and_read_code, send_code, sign_in
from users.models import User

pytestmark = pytest.mark.django_db

VICTIM = "victim@example.com"
BODY = {"HTTP_X_REFRESH_TOKEN_TRANSPORT": "body"}


def _device_token(**extra) -> str:
    return sign_in(APIClient(), **extra, **BODY).json()["deviceToken"]


def test_a_squatters_devices_die_when_the_owner_claims_the_address(api_client, mailoutbox):
    squatter = APIClient()
    body = {"name": "", "email": VICTIM, "password": "squatter-phrase-1"}
    assert squatter.post("/api/auth/sign-up/", body, format="json").status_code == 201
    tokens = [_device_token(email=VICTIM, password="squatter-phrase-1") for _ in range(8)]
    owner = User.objects.get(email=VICTIM)
    assert all(trusted_device_id(token, user_id=owner.pk) for token in tokens)

    send_code(api_client, VICTIM, "sign-in")  # the owner proves the address
    code = deliver_and_read_code(mailoutbox, VICTIM)
    claimed = api_client.post(
        "/api/auth/email-otp/sign-in/", {"email": VICTIM, "otp": code}, format="json"
    )
    assert claimed.status_code == 200

    assert not any(trusted_device_id(token, user_id=owner.pk) for token in tokens)
    guesses = [
        sign_in(
            APIClient(), VICTIM, f"guess-{n}", deviceToken=token, REMOTE_ADDR=f"127.0.0.{n + 2}"
        ).status_code
        for n, token in enumerate(tokens[:5])  # the account's shared untrusted budget
    ]
    assert guesses == [401] * 5
    # ... each an untrusted failure now: the strangers' count moves towards closing.
    assert AccountGuard.objects.get(pk=guard_key(VICTIM)).untrusted_failures == 5


def test_a_pile_of_trusted_devices_is_no_larger_budget(user):
    per_account, _ = settings.RATE_LIMITS["trusted_account"]
    per_device, _ = settings.RATE_LIMITS["sign_in_device"]
    devices = per_account // per_device + 2
    tokens = [_device_token() for _ in range(devices)]
    answers = [
        sign_in(APIClient(), password=f"guess-{d}-{n}", deviceToken=token, **BODY).status_code
        for d, token in enumerate(tokens)
        for n in range(per_device)
    ]
    assert answers.count(401) == per_account  # every guess beyond the account's bound refused
    assert set(answers[per_account:]) == {429}


def test_a_trusted_devices_code_guesses_are_bounded(user, mailoutbox, known_codes):
    per_account, _ = settings.RATE_LIMITS["trusted_account"]
    devices = [_device_token() for _ in range(4)]
    evaluated = 0
    for token in devices:
        for _ in range(3):  # the sends a device may make in ten minutes
            known_codes.append("314159")
            sent = APIClient().post(
                "/api/auth/email-otp/send/",
                {"email": user.email, "type": "sign-in", "deviceToken": token},
                format="json",
                **BODY,
            )
            flow = sent.json()["flowToken"]
            for guess in ("000001", "000002", "000003"):
                answer = APIClient().post(
                    "/api/auth/email-otp/sign-in/",
                    {"email": user.email, "otp": guess, "deviceToken": token, "flowToken": flow},
                    format="json",
                    **BODY,
                )
                evaluated += answer.json().get("code") == "INVALID_OTP"
    assert evaluated <= per_account


def test_devices_are_listed_and_revoked_one_by_one(user):
    laptop, phone = APIClient(), APIClient()
    access = sign_in(laptop).json()["accessToken"]
    sign_in(phone)
    listed = laptop.get("/api/auth/devices/", **bearer(access)).json()
    assert len(listed) == 2
    assert [d["current"] for d in listed].count(True) == 1
    phone_id = next(d["id"] for d in listed if not d["current"])
    assert laptop.delete(f"/api/auth/devices/{phone_id}/", **bearer(access)).status_code == 204
    assert len(laptop.get("/api/auth/devices/", **bearer(access)).json()) == 1
    # Someone else's device (or an unknown id) is a 404 like any other.
    assert laptop.delete(f"/api/auth/devices/{phone_id}/", **bearer(access)).status_code == 404
    stranger = User.objects.create_user("bob@example.com", PASSWORD)
    sign_in(APIClient(), stranger.email)
    bobs = TrustedDevice.objects.get(user=stranger).pk
    assert laptop.delete(f"/api/auth/devices/{bobs}/", **bearer(access)).status_code == 404
    assert TrustedDevice.objects.filter(pk=bobs).exists()


def test_a_revoked_device_is_a_stranger_again(user):
    token = _device_token()
    access = sign_in(APIClient(), **BODY).json()["accessToken"]
    device_id = TrustedDevice.objects.order_by("created_at").first().pk
    APIClient().delete(f"/api/auth/devices/{device_id}/", **bearer(access))
    assert trusted_device_id(token, user_id=user.pk) is None


def test_signing_out_everywhere_ends_every_device(user):
    browser = APIClient()
    access = sign_in(browser).json()["accessToken"]
    _device_token()
    browser.post("/api/auth/sessions/revoke-all/", **bearer(access), **csrf_headers(browser))
    assert not TrustedDevice.objects.exists()


def test_signing_out_the_others_keeps_this_device_only(user):
    browser = APIClient()
    access = sign_in(browser).json()["accessToken"]
    other = _device_token()
    browser.post("/api/auth/sessions/revoke-others/", **bearer(access))
    assert TrustedDevice.objects.count() == 1
    assert trusted_device_id(other, user_id=user.pk) is None


def test_a_password_reset_ends_every_device(user, mailoutbox, api_client):
    token = _device_token()
    send_code(api_client, user.email, "forget-password")
    code = deliver_and_read_code(mailoutbox, user.email)
    body = {"email": user.email, "otp": code, "password": "a whole new phrase 3"}
    assert api_client.post("/api/auth/password/reset/", body, format="json").status_code == 200
    assert trusted_device_id(token, user_id=user.pk) is None


def test_trust_ends_after_its_days(user, clock):
    token = _device_token()
    clock.advance(settings.TRUSTED_DEVICE_DAYS * 24 * 3600 + 1)
    assert trusted_device_id(token, user_id=user.pk) is None


def test_only_a_hash_of_the_secret_is_kept(user):
    token = _device_token()
    device_id, _, secret = token.partition(".")
    row = TrustedDevice.objects.get(pk=device_id)
    assert secret not in row.secret_hash and len(secret) >= 22  # 128 bits, base64url
    forged = f"{device_id}.{'A' * len(secret)}"
    assert trusted_device_id(forged, user_id=user.pk) is None


def _device_reads(captured) -> int:
    table = TrustedDevice._meta.db_table
    return sum(
        1 for query in captured if query["sql"].startswith("SELECT") and table in query["sql"]
    )


def test_a_returning_devices_sign_in_reads_its_device_once(user):
    token = _device_token()
    with CaptureQueriesContext(connection) as captured:
        answer = sign_in(APIClient(), deviceToken=token, **BODY)
    assert answer.status_code == 200
    assert answer.json()["deviceToken"] == token  # the same device, kept
    assert _device_reads(captured) == 1
    assert TrustedDevice.objects.count() == 1


def test_a_device_whose_trust_ended_during_the_sign_in_is_not_kept(user, monkeypatch):
    """Read by the credential check, ended before the sign-in renews it (its owner signed out
    everywhere while the password was hashed): the client gets a new device, not the ended one."""
    token = _device_token()
    known = trusted_device(token, user_id=user.pk)
    assert known is not None
    check = User.check_password

    def ended_while_hashing(self, raw):
        right = check(self, raw)
        TrustedDevice.objects.filter(pk=known.id).delete()
        return right

    monkeypatch.setattr(User, "check_password", ended_while_hashing)
    answer = sign_in(APIClient(), deviceToken=token, **BODY)
    assert answer.status_code == 200
    renewed = answer.json()["deviceToken"]
    assert trusted_device_id(renewed, user_id=user.pk) not in (None, known.id)
    assert trusted_device_id(token, user_id=user.pk) is None
    assert not device_renew(known, user_id=user.pk)
    # ... and the owner reads what happened: a sign-in from a new device.
    latest = SecurityEvent.objects.filter(user=user).latest("created_at", "pk")
    assert latest.type == SecurityEventType.SIGNED_IN_NEW_DEVICE


def test_a_returning_device_signs_in_as_a_known_one(user):
    token = _device_token()
    assert sign_in(APIClient(), deviceToken=token, **BODY).status_code == 200
    kinds = list(
        SecurityEvent.objects.filter(user=user).order_by("pk").values_list("type", flat=True)
    )
    assert kinds == [SecurityEventType.SIGNED_IN_NEW_DEVICE, SecurityEventType.SIGNED_IN_PASSWORD]


def test_another_spelling_of_a_devices_id_is_no_device(user):
    """A token whose id is spelt otherwise (another case; trailing spaces, which MySQL's binary
    collations pad away) holds no device, and is no error."""
    token = _device_token()
    device_id, _, secret = token.partition(".")
    for respelt in (f"{device_id.swapcase()}.{secret}", f"{device_id} .{secret}"):
        assert trusted_device_id(respelt, user_id=user.pk) is None
        answer = sign_in(APIClient(), deviceToken=respelt, **BODY)
        assert answer.status_code == 200
        assert answer.json()["deviceToken"].partition(".")[0] != device_id  # a new device


def test_a_renewal_moves_a_live_devices_expiry_and_nothing_else(user, clock):
    """device_renew's one UPDATE: the device of this account, live, renewed from now; its
    second-step skip set only when asked; an expired device, or another account's, untouched."""
    token = _device_token()
    device = trusted_device(token, user_id=user.pk)
    before = TrustedDevice.objects.get(pk=device.id)
    clock.advance(3600)
    other = User.objects.create_user("other@example.com", PASSWORD)
    assert not device_renew(device, user_id=other.pk)
    kept = TrustedDevice.objects.get(pk=device.id)
    assert (kept.expires_at, kept.last_used_at) == (before.expires_at, before.last_used_at)

    assert device_renew(device, user_id=user.pk)
    renewed = TrustedDevice.objects.get(pk=device.id)
    assert renewed.last_used_at - before.last_used_at >= timedelta(seconds=3600)
    assert renewed.expires_at - before.expires_at >= timedelta(seconds=3600)
    assert (renewed.skips_second_factor, renewed.secret_hash) == (False, before.secret_hash)
    assert device_renew(device, user_id=user.pk, skip_second_factor=True)
    assert TrustedDevice.objects.get(pk=device.id).skips_second_factor

    clock.advance(settings.TRUSTED_DEVICE_DAYS * 24 * 3600 + 1)
    assert not device_renew(device, user_id=user.pk)  # its trust ran out
