"""Sign-ins revoked recently, known to every process within about a second, at no per-request cost.

Access tokens are verified without the database; a revoked sign-in's token would otherwise work
until it expires. Each process keeps the ids of the sign-ins revoked within the last access-token
lifetime (older revocations no longer matter: every token they could stop has expired) and re-reads
them at most once every REVOCATION_REFRESH_SECONDS with two indexed queries (revoked sign-ins, and
ended ones whose rows went with a deleted user). Authenticating a request
costs a set lookup; the one request that finds the set older than the interval refreshes it.
"""

import random
import threading
from datetime import timedelta

from django.conf import settings

import clock
from auth_api.models import EndedSignIn, SignIn

# Clock differences between processes: the window reaches this much further back.
_MARGIN = timedelta(seconds=5)
_lock = threading.Lock()
_state: dict = {"revoked": frozenset(), "refreshed_at": float("-inf")}


def _refresh() -> None:
    """The whole window, read again: what this process noted itself is replaced by the truth."""
    since = clock.now() - settings.ACCESS_TOKEN_LIFETIME - _MARGIN
    rows = SignIn.objects.filter(revoked_at__gte=since).values_list("id", flat=True)
    ended = EndedSignIn.objects.filter(ended_at__gte=since).values_list("sid", flat=True)
    _state.update(revoked=frozenset(rows) | frozenset(ended), refreshed_at=clock.monotonic())
    if random.random() < 0.01:  # noqa: S311 - housekeeping: older ones can stop nothing
        EndedSignIn.objects.filter(ended_at__lt=since).delete()


def is_revoked(sid: str) -> bool:
    if clock.monotonic() - _state["refreshed_at"] >= settings.REVOCATION_REFRESH_SECONDS:
        with _lock:
            if clock.monotonic() - _state["refreshed_at"] >= settings.REVOCATION_REFRESH_SECONDS:
                _refresh()
    return sid in _state["revoked"]


def note_revoked(sids: list[str]) -> None:
    """This process revoked them: it knows at once, without waiting for its next refresh."""
    _state["revoked"] = _state["revoked"] | frozenset(sids)


def forget() -> None:
    _state.update(revoked=frozenset(), refreshed_at=float("-inf"))
