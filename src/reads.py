"""A request's first read checks its database connection itself.

With persistent connections (CONN_MAX_AGE) and health checks on (the service's defaults), Django
pings a kept connection before the first query of every request: a round trip of its own. The
first read of the hot paths (the caller's sign-in on every Bearer request, the user on every
sign-in) goes through `read()` instead: it runs on the kept connection unpinged, and on one that
turns out dead (the server restarted, a proxy dropped it) it runs once more on a new connection,
as the ping would have led to. Only a lost connection is retried (any other error is the
query's own, and raised); a read outside any transaction repeats safely; inside one, or when the
check is already done, it is a plain call.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

T = TypeVar("T")


def read(query: Callable[[], T], using: str = DEFAULT_DB_ALIAS) -> T:
    # Any: the stubs lack the health-check attributes (Django's since 4.1; the Django releases
    # this is checked against: prepared.CHECKED_DJANGO).
    connection: Any = connections[using]
    standing_in = (
        connection.health_check_enabled
        and not connection.health_check_done
        and connection.connection is not None
        and not connection.in_atomic_block
    )
    if not standing_in:
        return query()
    connection.health_check_done = True
    try:
        return query()
    except (OperationalError, InterfaceError) as error:
        if not _connection_lost(error):
            raise  # the query's own failure (a timeout, a bad column...): nothing to retry
        connection.close()
        return query()


# The client's codes for a connection that is gone (MySQL's and MariaDB's client errors and the
# server's idle-timeout notice): the only failures that a new connection mends.
_LOST = {2006, 2013, 2055, 4031}


def _connection_lost(error: Exception) -> bool:
    if isinstance(error, InterfaceError):
        return True  # the driver's own connection object is closed
    code = error.args[0] if error.args else None
    return code in _LOST
