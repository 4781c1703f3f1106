"""Attacks and races under real parallelism, against MySQL/MariaDB row locks."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.test import override_settings
from rest_framework.test import APIClient

from auth_api.models import AccountGuard, RateLimitCounter, SignIn, guard_key
from auth_api.tokens.claims import decode_refresh_token
from tests.helpers import PASSWORD
from users.models import User

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "mysql", reason="needs MySQL row locks"),
]


def _in_threads(count: int, work):
    barrier = threading.Barrier(count)

    def run(index: int):
        try:
            barrier.wait()
            return work(index)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


@override_settings(RATE_LIMITS={**settings.RATE_LIMITS, "sign_in_untrusted": (10, 300)})
def test_fifty_parallel_bad_sign_ins_judge_exactly_the_limit_and_count_only_those():
    User.objects.create_user("ada@example.com", PASSWORD)

    def attempt(index: int) -> int:
        return (
            APIClient()
            .post(
                "/api/auth/sign-in/",
                {"email": "ada@example.com", "password": f"guess-{index}"},
                format="json",
                REMOTE_ADDR=f"192.0.2.{index + 1}",
            )
            .status_code
        )

    codes = _in_threads(50, attempt)
    assert codes.count(401) == 10  # exactly the limit was evaluated
    assert codes.count(429) == 40
    # The ten judged attempts stay counted; the refused forty are counted on no limit (their
    # per-address counts were taken back with the refusal).
    assert sorted(RateLimitCounter.objects.values_list("count", flat=True))[-1] == 10
    assert sum(RateLimitCounter.objects.values_list("count", flat=True)) == 10 * 3
    # Each evaluated failure counts towards closing password sign-in to untrusted clients.
    assert AccountGuard.objects.get(pk=guard_key("ada@example.com")).untrusted_failures == 10


def test_parallel_refresh_with_one_token_never_forks_the_family():
    User.objects.create_user("ada@example.com", PASSWORD)
    client = APIClient()
    token = client.post(
        "/api/auth/sign-in/",
        {"email": "ada@example.com", "password": PASSWORD},
        format="json",
        HTTP_X_REFRESH_TOKEN_TRANSPORT="body",
    ).json()["refreshToken"]

    def refresh(_: int):
        response = APIClient().post("/api/auth/refresh/", {"refreshToken": token}, format="json")
        return response.status_code, response.json().get("refreshToken")

    results = _in_threads(12, refresh)
    assert {status for status, _ in results} == {200}
    issued = {new for _, new in results}
    assert len(issued) == 1  # every racer got the same newest token: one live branch
    sign_in = SignIn.objects.get()
    assert sign_in.revoked_at is None
    assert sign_in.current_jti == decode_refresh_token(issued.pop()).jti
    assert sign_in.previous_jti == decode_refresh_token(token).jti


@override_settings(RATE_LIMITS_ENABLED=False)
def test_parallel_sign_ups_with_one_email_create_one_user():
    def sign_up(index: int) -> int:
        return (
            APIClient()
            .post(
                "/api/auth/sign-up/",
                {"name": f"n{index}", "email": "race@example.com", "password": "race-password-123"},
                format="json",
            )
            .status_code
        )

    codes = _in_threads(8, sign_up)
    assert codes.count(201) == 1
    assert codes.count(422) == 7
    assert User.objects.filter(email="race@example.com").count() == 1


def _pause_after(monkeypatch, module, name: str, seconds: float = 0.05) -> None:
    """`module.name` keeps what it just locked for `seconds` more before it returns."""
    original = getattr(module, name)

    def paused(*args, **kwargs):
        result = original(*args, **kwargs)
        time.sleep(seconds)
        return result

    monkeypatch.setattr(module, name, paused)


def _user_locked_then(user: User, end) -> str:
    """What a change of credentials does: lock the user's row, then end something of its."""
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        time.sleep(0.02)
        end(user_id=user.pk)
    return "ended"


def test_a_returning_devices_sign_in_and_an_end_of_its_trust_never_deadlock(monkeypatch):
    """A sign-in renews its device and inserts a sign-in of the user; a change of credentials
    locks the user and ends its devices. Both take the user's row first, so however they
    interleave (a pause held inside each, at the worst point) neither fails with a deadlock."""

    from auth_api.flows import signing_in
    from auth_api.tokens.devices import devices_end

    user = User.objects.create_user("ada@example.com", PASSWORD)
    first = APIClient().post(
        "/api/auth/sign-in/",
        {"email": "ada@example.com", "password": PASSWORD},
        format="json",
        HTTP_X_REFRESH_TOKEN_TRANSPORT="body",
    )
    token = first.json()["deviceToken"]
    # The device's row held, the sign-in's INSERT still to come.
    _pause_after(monkeypatch, signing_in, "device_renew")

    def work(index: int) -> str:
        if index % 2:
            return _user_locked_then(user, devices_end)  # a credential change
        answer = APIClient().post(
            "/api/auth/sign-in/",
            {"email": "ada@example.com", "password": PASSWORD, "deviceToken": token},
            format="json",
            HTTP_X_REFRESH_TOKEN_TRANSPORT="body",
        )
        return str(answer.status_code)

    outcomes = _in_threads(6, work)
    assert outcomes.count("ended") == 3
    assert sorted(o for o in outcomes if o != "ended") == ["200", "200", "200"]


def test_a_second_step_and_an_end_of_pending_sign_ins_never_deadlock(monkeypatch):
    """A second step ends its pending sign-in and inserts a sign-in of the user; securing the
    account locks the user and ends its pending sign-ins. Both take the user's row first, so
    with a pause held inside each at the worst point, neither fails with a deadlock."""

    from auth_api.flows import signing_in
    from auth_api.tokens.pending import pendings_end
    from tests.two_factor import TWO_FACTOR, access_of, enable_totp

    user = User.objects.create_user("ada@example.com", PASSWORD, email_verified=True)
    owner = APIClient()
    codes = enable_totp(owner, access_of(owner))["backupCodes"]
    pending = []
    for _ in range(3):
        client = APIClient()
        answer = client.post(
            "/api/auth/sign-in/", {"email": "ada@example.com", "password": PASSWORD}, format="json"
        )
        assert answer.json()["twoFactorRedirect"] is True
        pending.append(client)
    # The pending row deleted, the sign-in's INSERT still to come.
    _pause_after(monkeypatch, signing_in, "pending_end")

    def work(index: int) -> str:
        if index % 2:
            return _user_locked_then(user, pendings_end)  # securing the account
        client = pending[index // 2]
        answer = client.post(
            TWO_FACTOR + "verify-backup-code/", {"code": codes[index // 2]}, format="json"
        )
        return str(answer.status_code)

    outcomes = _in_threads(6, work)
    assert outcomes.count("ended") == 3
    assert all(o in ("200", "401") for o in outcomes if o != "ended"), outcomes  # no 503


def test_a_replayed_refresh_token_and_a_sign_out_of_its_sign_in_never_deadlock(monkeypatch):
    """A rotated refresh token comes back (a thief's copy) while the owner signs out: the replay
    holds the sign-in's row and ends it; the sign-out ends it too. Whichever goes first (a pause
    held inside the replay, its row locked), neither fails with a deadlock, and a replay judged
    as reuse leaves its security event."""
    from auth_api.models import SecurityEvent, SecurityEventType
    from auth_api.tokens import sign_ins

    User.objects.create_user("ada@example.com", PASSWORD)
    _pause_after(monkeypatch, sign_ins, "_classify")
    for _ in range(3):
        answer = APIClient().post(
            "/api/auth/sign-in/",
            {"email": "ada@example.com", "password": PASSWORD},
            format="json",
            HTTP_X_REFRESH_TOKEN_TRANSPORT="body",
        )
        tokens = [answer.json()["refreshToken"]]
        for _ in range(2):
            body = {"refreshToken": tokens[-1]}
            tokens.append(
                APIClient().post("/api/auth/refresh/", body, format="json").json()["refreshToken"]
            )

        def work(index: int, tokens: list[str] = tokens):
            path = "/api/auth/sign-out/" if index == 0 else "/api/auth/refresh/"
            body = {"refreshToken": tokens[-1] if index == 0 else tokens[0]}
            answer = APIClient().post(path, body, format="json")
            return answer.status_code, answer.json().get("code") if answer.content else None

        outcomes = _in_threads(4, work)
        assert outcomes[0][0] in (200, 204), outcomes
        assert {status for status, _ in outcomes[1:]} == {401}, outcomes  # no 503
        if any(code == "REFRESH_TOKEN_REUSED" for _, code in outcomes):
            assert SecurityEvent.objects.filter(type=SecurityEventType.REFRESH_REUSED).exists()
        assert SignIn.objects.filter(revoked_at__isnull=True).count() == 0
        SecurityEvent.objects.filter(type=SecurityEventType.REFRESH_REUSED).delete()
