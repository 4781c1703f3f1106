import os

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from auth_api.errors import TooManyRequests
from auth_api.limits import rates
from auth_api.models import RateLimitCounter
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def _redis_caches() -> dict:
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL).flushdb()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis at REDIS_TEST_URL")
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_TEST_URL,
        }
    }


@override_settings(RATE_LIMITS={**settings.RATE_LIMITS, "sign_in_untrusted": (3, 60)})
def test_shared_untrusted_budget_answers_429_with_retry_after(api_client, user):
    codes = [
        sign_in(api_client, password="wrong-password-1", REMOTE_ADDR=f"127.0.0.{n + 2}").status_code
        for n in range(3)
    ]
    assert codes == [401, 401, 401]
    response = sign_in(api_client)  # an untrusted client waits, even with the right password
    assert response.status_code == 429
    assert response.json()["code"] == "TOO_MANY_REQUESTS"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert sign_in(api_client, email="other@example.com").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_a_right_password_gives_its_counts_back_in_the_sign_in_commit(api_client, user):
    """No write of its own waits for the disk: the refund is the sign-in transaction's last
    statement, and that transaction takes no savepoint for the pipeline inside it."""
    with CaptureQueriesContext(connection) as captured:
        assert sign_in(api_client).status_code == 200
    sql = [query["sql"] for query in captured]
    table = RateLimitCounter._meta.db_table
    started = next(
        i
        for i, s in enumerate(sql)
        if s.startswith("INSERT INTO `auth_api_signin`")
        or s.startswith('INSERT INTO "auth_api_signin"')
    )
    refund = next(i for i, s in enumerate(sql) if s.startswith("UPDATE") and table in s)
    commit = next(i for i, s in enumerate(sql) if i > started and s == "COMMIT")
    assert started < refund < commit
    assert not [s for s in sql if "SAVEPOINT" in s]
    assert RateLimitCounter.objects.filter(count__gt=0).count() == 0


@override_settings(RATE_LIMITS={**settings.RATE_LIMITS, "sign_in_ip": (2, 60)})
def test_sign_in_per_ip_limit(api_client, user):
    sign_in(api_client, email="a@example.com", REMOTE_ADDR="198.51.100.1")
    sign_in(api_client, email="b@example.com", REMOTE_ADDR="198.51.100.1")
    assert sign_in(api_client, REMOTE_ADDR="198.51.100.1").status_code == 429
    assert sign_in(api_client, REMOTE_ADDR="198.51.100.2").status_code == 200


@override_settings(RATE_LIMITS={**rates.settings.RATE_LIMITS, "sign_up_email": (2, 3600)})
def test_sign_up_per_email_limit(api_client, db):
    body = {"name": "", "email": "x@example.com", "password": "cobol-compiler-1959"}
    assert api_client.post("/api/auth/sign-up/", body, format="json").status_code == 201
    assert APIClient().post("/api/auth/sign-up/", body, format="json").status_code == 422
    assert APIClient().post("/api/auth/sign-up/", body, format="json").status_code == 429


@override_settings(RATE_LIMITS={**rates.settings.RATE_LIMITS, "sign_up_email": (2, 3600)})
def test_junk_sign_ups_by_strangers_do_not_spend_an_addresss_sign_ups(db):
    for index, password in enumerate(["short", "password123", "x@example.com1", "12345678"] * 3):
        stranger = APIClient(REMOTE_ADDR=f"127.0.0.{index + 2}")
        body = {"name": "", "email": "x@example.com", "password": password}
        assert stranger.post("/api/auth/sign-up/", body, format="json").status_code == 400
    owner = {"name": "X", "email": "x@example.com", "password": "cobol-compiler-1959"}
    assert APIClient().post("/api/auth/sign-up/", owner, format="json").status_code == 201


@override_settings(RATE_LIMITS={**rates.settings.RATE_LIMITS, "sign_up_ip": (1, 3600)})
def test_sign_up_per_ip_limit(api_client, db):
    body = {"name": "", "email": "x@example.com", "password": "short"}
    api_client.post("/api/auth/sign-up/", body, format="json")
    body["email"] = "y@example.com"
    assert api_client.post("/api/auth/sign-up/", body, format="json").status_code == 429


@override_settings(
    RATE_LIMITS_ENABLED=False,
    RATE_LIMITS={**settings.RATE_LIMITS, "sign_in_untrusted": (1, 60), "sign_in_ip": (1, 60)},
)
def test_rate_limits_can_be_switched_off(api_client, user):
    assert [sign_in(api_client).status_code for _ in range(3)] == [200, 200, 200]


@override_settings(RATE_LIMITS={"t": (2, 60)})
def test_table_store_counts_and_keys_are_hashed(db):
    rates.hit("t", "ada@example.com")
    rates.hit("t", "ada@example.com")
    with pytest.raises(TooManyRequests):
        rates.hit("t", "ada@example.com")
    counter = RateLimitCounter.objects.get()
    assert counter.count == 2  # the refused hit is not counted
    assert "ada" not in counter.key


def test_redis_store_counts(db):
    with override_settings(CACHES=_redis_caches(), RATE_LIMITS={"t": (2, 60)}):
        rates.hit("t", "k")
        rates.hit("t", "k")
        with pytest.raises(TooManyRequests) as caught:
            rates.hit("t", "k")
        assert caught.value.retry_after >= 1
        assert not RateLimitCounter.objects.exists()


@pytest.mark.parametrize("store", ["table", "redis", "locmem"])
def test_a_refund_gives_the_count_back_and_never_below_zero(db, store):
    caches = {
        "table": None,
        "redis": _redis_caches if store == "redis" else None,
        "locmem": lambda: {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    }[store]
    overrides = {"RATE_LIMITS": {"t": (2, 60)}}
    if caches is not None:
        overrides["CACHES"] = caches()
    with override_settings(**overrides):
        for _ in range(5):  # five successes: each counted, then given back
            rates.refund([rates.hit("t", "k")])
        rates.hit("t", "k")
        rates.hit("t", "k")
        with pytest.raises(TooManyRequests):  # failures still meet the limit
            rates.hit("t", "k")
        rates.refund(["rl:t:gone:0"])  # a counter whose window ended stays gone
        if store == "table":
            assert not RateLimitCounter.objects.filter(key="rl:t:gone:0").exists()


@override_settings(RATE_LIMITS={"t": (5, 60)})
def test_expired_counters_are_purged_by_a_new_counter(db, monkeypatch):
    from datetime import timedelta

    import clock

    RateLimitCounter.objects.create(
        key="rl:t:old:0", count=3, expires_at=clock.now() - timedelta(seconds=1)
    )
    live = RateLimitCounter.objects.create(
        key="rl:t:live:0", count=1, expires_at=clock.now() + timedelta(seconds=60)
    )
    monkeypatch.setattr(rates.random, "random", lambda: 0.0)  # the lottery always draws
    rates.hit("t", "k")
    assert set(RateLimitCounter.objects.values_list("key", flat=True)) == {
        live.key,
        rates.hit("t", "k"),
    }


@override_settings(RATE_LIMITS={"t": (5, 60)})
def test_a_counter_refunded_to_zero_and_hit_again_is_not_a_new_one(db, monkeypatch):
    """The purge's lottery is drawn once per counter made (MySQL tells an insert from an update);
    a counter that successes keep bringing back to zero is not made again on each hit."""
    draws: list[None] = []
    monkeypatch.setattr(rates, "_maybe_purge", lambda: draws.append(None))
    for _ in range(3):
        rates.refund([rates.hit("t", "k")])
    assert RateLimitCounter.objects.get().count == 0
    # SQLite's upsert says only the count: there, a count of one is taken for a new counter.
    assert len(draws) == (1 if connection.vendor == "mysql" else 3)


def test_password_change_is_limited_per_user(api_client, user):
    access = sign_in(api_client).json()["accessToken"]
    body = {"currentPassword": "wrong-guess-000", "newPassword": "whatever-new-pass-1"}
    with override_settings(
        RATE_LIMITS={**rates.settings.RATE_LIMITS, "password_change_user": (2, 300)}
    ):
        codes = [
            APIClient()
            .post(
                "/api/auth/password/change/",
                body,
                format="json",
                HTTP_AUTHORIZATION=f"Bearer {access}",
            )
            .status_code
            for _ in range(3)
        ]
    assert codes == [400, 400, 429]


def test_redis_counter_expires_with_its_window(db):
    import redis

    with override_settings(CACHES=_redis_caches(), RATE_LIMITS={"t": (5, 30)}):
        rates.hit("t", "expiring")
        rates.hit("t", "expiring")
        client = redis.Redis.from_url(REDIS_TEST_URL)
        keys = client.keys("*rl:t:*")
        assert len(keys) == 1
        assert int(client.get(keys[0])) == 2
        assert 0 < client.ttl(keys[0]) <= 31


def test_redis_counts_parallel_hits_exactly(db):
    from concurrent.futures import ThreadPoolExecutor

    with override_settings(CACHES=_redis_caches(), RATE_LIMITS={"t": (10, 60)}):

        def attempt(_):
            try:
                rates.hit("t", "burst")
                return True
            except TooManyRequests:
                return False

        with ThreadPoolExecutor(max_workers=16) as pool:
            outcomes = list(pool.map(attempt, range(50)))
    assert outcomes.count(True) == 10


def _store_caches(store: str) -> dict:
    if store == "redis":
        return {"CACHES": _redis_caches()}
    if store == "locmem":
        return {"CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}}
    return {}


@pytest.mark.parametrize("store", ["table", "redis", "locmem"])
def test_a_request_refused_by_one_of_its_limits_is_counted_on_none(db, store):
    limits = {"a": (3, 60), "b": (1, 60), "c": (9, 60)}
    with override_settings(RATE_LIMITS=limits, **_store_caches(store)):
        keys = rates.hit_all(("a", "x"), ("b", ""), ("c", "x"))  # a 1, c 1
        assert keys[1] is None  # an empty identifier is not counted
        assert keys[0] == rates.hit("a", "x") and keys[2].startswith("rl:c:")  # a 2
        rates.hit("b", "x")  # b's one
        for _ in range(3):  # b refuses: neither a nor c counted
            with pytest.raises(TooManyRequests):
                rates.hit_all(("a", "x"), ("b", "x"), ("c", "x"))
        rates.hit("a", "x")  # a 3: a's last
        for _ in range(3):  # a refuses: not counted itself, nor c after it
            with pytest.raises(TooManyRequests) as caught:
                rates.hit_all(("a", "x"), ("c", "x"))
            assert 1 <= caught.value.retry_after <= 60
        rates.refund([keys[0]])  # a back to 2 (refused attempts would have left it above 3)
        rates.hit("a", "x")
        with pytest.raises(TooManyRequests):
            rates.hit("a", "x")
        for _ in range(8):  # c was counted once: eight more fit, the ninth does not
            rates.hit("c", "x")
        with pytest.raises(TooManyRequests):
            rates.hit("c", "x")


def test_redis_counts_hits_together_and_refunds_them_in_one_round_trip_each(db, monkeypatch):
    from redis.connection import Connection

    with override_settings(CACHES=_redis_caches(), RATE_LIMITS={"a": (5, 60), "b": (5, 60)}):
        rates.refund(rates.hit_all(("a", "warm"), ("b", "warm")))  # scripts loaded once
        sent = []
        real_send = Connection.send_packed_command

        def counting_send(self, command, *args, **kwargs):
            sent.append(command)
            return real_send(self, command, *args, **kwargs)

        monkeypatch.setattr(Connection, "send_packed_command", counting_send)
        keys = rates.hit_all(("a", "k"), ("b", "k"), ("a", "other"))
        assert len(sent) == 1
        rates.refund(keys)
        assert len(sent) == 2
        monkeypatch.undo()
        for _ in range(5):  # every count given back: the whole budget is there
            rates.hit_all(("a", "k"), ("b", "k"), ("a", "other"))
        with pytest.raises(TooManyRequests):
            rates.hit("b", "k")
