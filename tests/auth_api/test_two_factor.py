"""TOTP and recovery codes: enrolment, the second step of a sign-in, replay, limits, turning off."""

import jwt
import pytest
from rest_framework.test import APIClient

from auth_api.models import SecurityEvent
from tests.helpers import sign_in
from tests.two_factor import TWO_FACTOR, access_of, code_at, enable_totp

pytestmark = pytest.mark.django_db


def _amr(access: str) -> list[str]:
    return jwt.decode(access, options={"verify_signature": False})["amr"]


def test_enrol_then_password_sign_in_asks_for_the_code(user, clock, mailoutbox):
    user.email_verified = True
    user.save()
    client = APIClient()
    factors = enable_totp(client, access_of(client))
    assert len(factors["backupCodes"]) == 10
    other = APIClient()
    pending = sign_in(other)
    assert pending.status_code == 200
    assert pending.json() == {
        "twoFactorRedirect": True,
        "twoFactorMethods": ["totp", "backup-code"],
    }
    assert "refresh_token" not in pending.cookies
    verified = other.post(
        TWO_FACTOR + "verify-totp/", {"code": code_at(factors["secret"])}, format="json"
    )
    assert verified.status_code == 200, verified.content
    assert _amr(verified.json()["accessToken"]) == ["pwd", "otp", "mfa"]
    types = set(SecurityEvent.objects.values_list("type", flat=True))
    assert "two_factor_enabled" in types
