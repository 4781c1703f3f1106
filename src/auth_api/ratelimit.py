"""Fixed-window rate limits on a store shared by every worker process.

Counting is atomic in both stores, so N parallel attempts count as N: Redis INCR when the cache is
Redis (REDIS_URL), otherwise an UPDATE ... SET count = count + 1 on a table (Django's database cache
has no atomic increment).
"""

import hashlib
import math
import random
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .errors import TooManyRequests
from .models import RateLimitCounter


def _cache_increment(key: str, window: int) -> int:
    cache = caches["default"]
    cache.add(key, 0, timeout=window + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 0, timeout=window + 1)
        return cache.incr(key)


def _table_increment(key: str, window: int) -> int:
    with transaction.atomic():
        counters = RateLimitCounter.objects.filter(key=key)
        if not counters.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    RateLimitCounter.objects.create(
                        key=key, count=1, expires_at=timezone.now() + timedelta(seconds=window)
                    )
                _maybe_purge()
                return 1
            except IntegrityError:  # a concurrent first hit created it
                counters.update(count=F("count") + 1)
        # Our UPDATE holds the row lock until commit, so this reads exactly our own increment.
        return counters.values_list("count", flat=True).get()


def _maybe_purge() -> None:
    if random.random() < 0.02:  # noqa: S311 - housekeeping, not security
        RateLimitCounter.objects.filter(expires_at__lt=timezone.now()).delete()


def _increment(key: str, window: int) -> int:
    if isinstance(caches["default"], RedisCache | LocMemCache):
        return _cache_increment(key, window)
    return _table_increment(key, window)


def hit(scope: str, identifier: str) -> None:
    """Count one request of `scope` for `identifier`; raise TooManyRequests over the limit."""
    if not settings.RATE_LIMITS_ENABLED or not identifier:
        return
    limit, window = settings.RATE_LIMITS[scope]
    now = time.time()
    bucket = math.floor(now / window)
    digest = hashlib.sha256(identifier.encode()).hexdigest()[:40]
    if _increment(f"rl:{scope}:{digest}:{bucket}", window) > limit:
        raise TooManyRequests(retry_after=math.ceil((bucket + 1) * window - now))
