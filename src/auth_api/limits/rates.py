"""Fixed-window rate limits on a store shared by every worker process.

Counting is atomic in both stores, so N parallel attempts count as N: Redis INCR when the cache is
Redis (REDIS_URL; a request's several counts in one script, one round trip), otherwise a
single-statement upsert on a table (Django's database cache has no atomic increment).

A limit that guards a guessable secret counts failures, not attempts: the attempt is counted
before it is judged (so parallel guesses cannot slip past the limit), and a success gives its
count back (`refund`), so many people behind one address who get it right are never refused.
A request refused by one of its limits is counted on none of them (`hit_all`): it was never
judged, and must not spend a budget its sender needs once the refusing limit's window ends.
"""

import contextlib
import hashlib
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from functools import lru_cache

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db import connection

import clock
from auth_api.errors import TooManyRequests
from auth_api.models import RateLimitCounter
from observability import metrics


class Scope(StrEnum):
    """What a limit counts; each is configured in settings.RATE_LIMITS as (limit, window)."""

    SIGN_IN_IP = "sign_in_ip"  # password failures and attempts per client address
    SIGN_IN_ACCOUNT_IP = "sign_in_account_ip"  # per (address, client address)
    SIGN_IN_UNTRUSTED = "sign_in_untrusted"  # per address, every untrusted client together
    SIGN_IN_DEVICE = "sign_in_device"  # failures (passwords and codes) per trusted device
    TRUSTED_ACCOUNT = "trusted_account"  # every trusted device of one account together
    SIGN_UP_IP = "sign_up_ip"
    SIGN_UP_EMAIL = "sign_up_email"
    PASSWORD_CHANGE_USER = "password_change_user"  # noqa: S105 - password checks by a signed-in user
    CODE_SEND_IP = "otp_send_ip"
    CODE_SEND_ADDRESS_CLIENT = "otp_send_address_client"
    CODE_SEND_ADDRESS = "otp_send_address"  # the address's ceiling of mail that signs in
    # The address's ceiling of the other mail strangers can ask for (a reset, a verification)
    CODE_SEND_ADDRESS_NO_SIGN_IN = "otp_send_address_no_sign_in"
    NOTICE_SEND_ADDRESS = "notice_send_address"  # mail asked for by another account (email change)
    ACCOUNT_NOTICE_ADDRESS = "account_notice_address"  # an unproven account's notices to itself
    CODE_CHECK_IP = "otp_verify_ip"
    INTROSPECT_IP = "introspect_ip"  # failed service credentials per client address
    SECOND_FACTOR_IP = "second_factor_ip"  # wrong TOTP / recovery codes / passkeys per address
    PASSKEY_OPTIONS_IP = "passkey_options_ip"  # passkey challenges handed out per address
    RECOVERY_ACCOUNT_IP = "recovery_account_ip"  # untrusted wrong recovery codes per (account, IP)
    STAFF_STEP_UP_SESSION = "staff_step_up_session"  # the admin's wrong current passwords


# A request's keys, judged in turn: the first whose count would go over its limit refuses the
# request, and then none of them is counted (the refused attempt was never judged); otherwise
# each is counted, its expiry set when it is new (Redis >= 7: EXPIRE ... NX). Atomic, as a script
# is. Returns the counts, up to the refusing one. ARGV: each key's limit and expiry, in pairs.
_INCREMENT_UNLESS_REFUSED = """
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = tonumber(redis.call('GET', key) or '0') + 1
  if counts[i] > tonumber(ARGV[2 * i - 1]) then return counts end
end
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  redis.call('EXPIRE', key, ARGV[2 * i], 'NX')
end
return counts
"""


def _redis_client(cache: RedisCache):
    # Django's RedisCache writes every key to its first server: one client for all of them.
    return cache._cache.get_client(write=True)


def _redis_increment(cache: RedisCache, counters: "list[_Counter]") -> list[int]:
    full_keys = [cache.make_and_validate_key(counter.key) for counter in counters]
    limits = [value for c in counters for value in (c.limit, c.window + 1)]
    # EVALSHA: the script's text goes to the server once.
    script = _redis_client(cache).register_script(_INCREMENT_UNLESS_REFUSED)
    return [int(count) for count in script(keys=full_keys, args=limits)]


def _locmem_increment(key: str, window: int) -> int:
    cache = caches["default"]
    cache.add(key, 0, timeout=window + 1)
    return cache.incr(key)


# One statement per hit, so parallel first hits cannot deadlock (a separate UPDATE-then-INSERT
# does: the losers of the INSERT hold shared locks and then all ask for exclusive ones).
_UPSERT = {
    # LAST_INSERT_ID(expr) hands this connection the value it wrote, atomically, and the server
    # returns it in the statement's OK packet (cursor.lastrowid): one round trip per hit.
    "mysql": (
        "INSERT INTO {table} ({key}, {count}, {expires}) VALUES (%s, LAST_INSERT_ID(1), %s) "
        "ON DUPLICATE KEY UPDATE {count} = LAST_INSERT_ID({count} + 1)"
    ),
    "sqlite": (
        "INSERT INTO {table} ({key}, {count}, {expires}) VALUES (%s, 1, %s) "
        "ON CONFLICT({key}) DO UPDATE SET {count} = {count} + 1 RETURNING {count}"
    ),
}


# A counter that is at zero stays there: a refund never drives one below (one UPDATE for all).
_REFUND = "UPDATE {table} SET {count} = {count} - 1 WHERE {count} > 0 AND {key} IN ({keys})"


@lru_cache(maxsize=16)
def _table_sql(template: str, vendor: str, keys: int = 0) -> str:
    """A counter statement for this database, written once per process (`keys`: how many
    placeholders its IN list has)."""
    quote = connection.ops.quote_name
    return template.format(
        table=quote(RateLimitCounter._meta.db_table),
        key=quote("key"),
        count=quote("count"),
        expires=quote("expires_at"),
        keys=", ".join(["%s"] * keys),
    )


def _table_increment(key: str, window: int) -> int:
    vendor = connection.vendor
    expires_at = clock.now() + timedelta(seconds=window)
    with connection.cursor() as cursor:
        cursor.execute(_table_sql(_UPSERT[vendor], vendor), [key, expires_at])
        if vendor == "mysql":
            count = int(cursor.lastrowid)
            # One affected row for a row inserted, two for one updated: a counter brought back
            # to zero by refunds and hit again is not a new one.
            created = cursor.rowcount == 1
        else:
            count = int(cursor.fetchone()[0])
            created = count == 1
    if created:
        _maybe_purge()
    return count


def _table_decrement(keys: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_table_sql(_REFUND, connection.vendor, len(keys)), keys)


def _maybe_purge() -> None:
    """Expired counters deleted, by one in fifty of the counters made."""
    if random.random() < 0.02:  # noqa: S311 - housekeeping, not security
        RateLimitCounter.objects.filter(expires_at__lt=clock.now()).delete()


@dataclass(frozen=True)
class _Counter:
    scope: Scope
    key: str
    limit: int
    window: int
    retry_after: int  # seconds to the window's end


def _counter(scope: Scope, identifier: str) -> _Counter:
    limit, window = settings.RATE_LIMITS[scope]
    now = clock.time()
    bucket = math.floor(now / window)
    digest = hashlib.sha256(identifier.encode()).hexdigest()[:40]
    return _Counter(
        scope=scope,
        key=f"rl:{scope}:{digest}:{bucket}",
        limit=limit,
        window=window,
        retry_after=math.ceil((bucket + 1) * window - now),
    )


def _increment(counters: list[_Counter]) -> list[int]:
    """The counts, in order, up to the first over its limit; a refused request is left counted
    on none of its keys."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):  # one round trip, all or nothing
        return _redis_increment(backend, counters)
    # LocMemCache: a single process only (development and tests).
    increment = _locmem_increment if isinstance(backend, LocMemCache) else _table_increment
    counts: list[int] = []
    for counter in counters:
        counts.append(increment(counter.key, counter.window))
        if counts[-1] > counter.limit:  # refused: what it counted is given back
            refund(c.key for c in counters[: len(counts)])
            break
    return counts


def hit(scope: Scope, identifier: str) -> str | None:
    """Count one request of `scope` for `identifier`; over the limit, raise TooManyRequests
    (the refused request is not counted). Returns the counter's key, for `refund` (None when
    nothing was counted)."""
    return hit_all((scope, identifier))[0]


def hit_all(*hits: tuple[Scope, str]) -> tuple[str | None, ...]:
    """`hit` for each (scope, identifier) together: if any is over its limit, TooManyRequests
    (the first such, in order) and none of them counted. With Redis, one round trip."""
    if not settings.RATE_LIMITS_ENABLED:
        return (None,) * len(hits)
    counters = [_counter(scope, identifier) for scope, identifier in hits if identifier]
    counts = _increment(counters) if counters else []
    refusing = counters[len(counts) - 1] if counts else None
    if refusing is not None and counts[-1] > refusing.limit:  # counting stopped at a refusal
        metrics.RATE_LIMITED.labels(refusing.scope).inc()
        raise TooManyRequests(retry_after=refusing.retry_after)
    keys = iter(counter.key for counter in counters)
    return tuple(next(keys) if identifier else None for _, identifier in hits)


def refund(keys: Iterable[str | None]) -> None:
    """Give back the counts of these hits: the attempt succeeded, and only failures spend a
    budget. One round trip for all of them."""
    wanted = [key for key in keys if key]
    if not wanted:
        return
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        _redis_decrement(backend, wanted)
    elif isinstance(backend, LocMemCache):
        for key in wanted:
            with contextlib.suppress(ValueError):
                backend.decr(key)
    else:
        _table_decrement(wanted)


# Decrement only a counter that still exists: one whose window ended must not come back as -1.
_DECREMENT_IF_PRESENT = (
    "for i, key in ipairs(KEYS) do "
    "if redis.call('EXISTS', key) == 1 then redis.call('DECR', key) end end return 0"
)


def _redis_decrement(cache: RedisCache, keys: list[str]) -> None:
    full_keys = [cache.make_and_validate_key(key) for key in keys]
    _redis_client(cache).register_script(_DECREMENT_IF_PRESENT)(keys=full_keys)
