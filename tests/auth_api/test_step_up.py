"""Step-up that a stolen access token cannot pass: the current password whenever the account has
one, and no silent password oracle (failures are counted, recorded, and end the sign-in)."""

import pytest
from django.conf import settings

from auth_api.models import SecurityEvent, SecurityEventType, SignIn
from tests.helpers import PASSWORD, bearer, sign_in

pytestmark = pytest.mark.django_db

REAUTH = "/api/auth/reauthenticate/"
CHANGE = "/api/auth/password/change/"


@pytest.fixture
def stolen(api_client, user):
    """(client, access token) of a thief holding a fresh access token of Ada's, nothing else."""
    return api_client, sign_in(api_client).json()["accessToken"]


def test_a_fresh_stolen_token_cannot_set_a_new_password(stolen, user):
    client, access = stolen
    answer = client.post(
        CHANGE, {"newPassword": "the thief's phrase 9"}, format="json", **bearer(access)
    )
    assert (answer.status_code, answer.json()["code"]) == (400, "INVALID_PASSWORD")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("path", [REAUTH, CHANGE])
def test_wrong_passwords_in_a_row_end_the_sign_in(stolen, user, path):
    client, access = stolen
    limit = settings.STEP_UP_MAX_FAILURES
    for n in range(limit):
        body = (
            {"password": f"guess {n}"}
            if path == REAUTH
            else {"currentPassword": f"guess {n}", "newPassword": "the thief's phrase 9"}
        )
        answer = client.post(path, body, format="json", **bearer(access))
        assert answer.json()["code"] == "INVALID_PASSWORD"
    assert SignIn.objects.get().revoke_reason == "step_up_failed"
    assert client.get("/api/auth/session/", **bearer(access)).status_code == 401
    failures = SecurityEvent.objects.filter(user=user, type=SecurityEventType.STEP_UP_FAILED)
    assert failures.count() == limit


def test_a_right_password_starts_the_count_again(stolen, user):
    client, access = stolen
    limit = settings.STEP_UP_MAX_FAILURES
    for n in range(limit - 1):
        client.post(REAUTH, {"password": f"guess {n}"}, format="json", **bearer(access))
    fresh = client.post(REAUTH, {"password": PASSWORD}, format="json", **bearer(access))
    assert fresh.status_code == 200
    access = fresh.json()["accessToken"]
    wrong = client.post(REAUTH, {"password": "one more guess"}, format="json", **bearer(access))
    assert wrong.json()["code"] == "INVALID_PASSWORD"
    assert client.get("/api/auth/session/", **bearer(access)).status_code == 200


def test_right_passwords_spend_no_step_up_budget(stolen, user):
    client, access = stolen
    limit, _ = settings.RATE_LIMITS["password_change_user"]
    for _ in range(limit + 3):
        answer = client.post(REAUTH, {"password": PASSWORD}, format="json", **bearer(access))
        assert answer.status_code == 200


def test_step_up_failures_spend_the_accounts_password_budget(stolen, user):
    from auth_api.models import AccountGuard, guard_key

    client, access = stolen
    for n in range(4):
        client.post(REAUTH, {"password": f"guess {n}"}, format="json", **bearer(access))
    assert AccountGuard.objects.get(pk=guard_key(user.email)).untrusted_failures == 4
