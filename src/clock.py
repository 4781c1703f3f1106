"""The one clock of the service. Code reads the time here, never from `timezone.now()` or `time`
directly, so tests move time with one seam (the `clock` fixture: `clock.advance(301)`) instead of
patching modules or sleeping.

- `now()`: an aware UTC datetime (what rows and tokens record).
- `time()`: seconds since the epoch (fixed rate-limit windows).
- `monotonic()`: for intervals inside one process (caches reloaded every N seconds).

In production the offset is always zero and each call is the standard library's.
"""

import time as _time
from datetime import datetime, timedelta

from django.utils import timezone

_offset = 0.0  # seconds added to every reading; only tests change it


def now() -> datetime:
    return timezone.now() + timedelta(seconds=_offset) if _offset else timezone.now()


def time() -> float:
    return _time.time() + _offset


def monotonic() -> float:
    return _time.monotonic() + _offset


def advance(seconds: float) -> None:
    """Move every reading `seconds` ahead (tests)."""
    global _offset
    _offset += seconds


def reset() -> None:
    global _offset
    _offset = 0.0
