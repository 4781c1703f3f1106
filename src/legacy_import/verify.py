"""Compare MySQL with the source, batch by batch (key ranges in id order).

For each batch both databases compute a digest in SQL, the row count and the sum of per-row hashes
(60 bits of an MD5) of the same canonical text (PostgreSQL: source._DIGEST, from the source's
columns; MySQL: TARGET_DIGEST, from the imported columns). Equal digests mean every row of the range
arrived with every field (a changed row would have to hit the same 60 bits). A batch whose digests
differ is re-read from both sides and compared row by row through the import's own mapping, which
names the missing, different and extra rows. Memory holds one batch of rows at most, and three
numbers per batch.
"""

import hashlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import chain
from queue import Queue
from threading import Thread

from django.db import connection, connections
from django.db.models import Q, QuerySet

from users.hashers import BetterAuthScryptHasher
from users.models import LinkedAccount, User

from .mapping import NO_PASSWORD, LegacyUser, Skip, map_user
from .report import VerifyReport
from .source import BatchDigest, Source
from .writer import ACCOUNT_FIELDS, USER_FIELDS, map_account, password_changed_here, user_values

_CANONICAL_COLUMNS = (
    "id",
    "email",
    "name",
    "role",
    "email_verified",
    "image",
    "created_at",
    "updated_at",
    "password",
)
_MYSQL_TIME = "DATE_FORMAT({}, '%%Y-%%m-%%d %%H:%%i:%%s.%%f')"
# The canonical text of source._DIGEST, from the row as MySQL holds it.
# The range's bounds are parameters.
TARGET_DIGEST = (
    "SELECT COUNT(*), COALESCE(SUM(CAST(CONV(SUBSTR(MD5(CONCAT_WS(CHAR(31), id, email, name, "  # noqa: S608
    "role, email_verified, IF(image IS NULL, '0', CONCAT('1', image)), "
    f"{_MYSQL_TIME.format('created_at')}, {_MYSQL_TIME.format('updated_at')}, password)), "
    "1, 15), 16, 10) AS UNSIGNED)), 0) FROM {table} {where}"
)


def row_digest(fields: Iterable[str]) -> int:
    """The per-row hash both SQL digests compute, in Python (fields in _CANONICAL_COLUMNS order,
    as text)."""
    text = "\x1f".join(fields).encode()
    return int(hashlib.md5(text, usedforsecurity=False).hexdigest()[:15], 16)


def _text_of_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _in_range(lo: str | None, hi: str | None) -> QuerySet:
    """Users in the key range (lo, hi]; None is an open end."""
    bounds = Q()
    if lo is not None:
        bounds &= Q(pk__gt=lo)
    if hi is not None:
        bounds &= Q(pk__lte=hi)
    return User.objects.filter(bounds)


def target_digest(lo: str | None, hi: str | None) -> tuple[int, int]:
    """(rows, digest) of MySQL's users in (lo, hi], computed by MySQL. Other databases (SQLite in
    tests) have no MD5: there the rows are read and hashed here."""
    if connection.vendor != "mysql":
        return target_digest_in_python(lo, hi)
    bounds = [*(["id > %s"] if lo is not None else []), *(["id <= %s"] if hi is not None else [])]
    sql = TARGET_DIGEST.format(
        table=connection.ops.quote_name(User._meta.db_table),
        where=("WHERE " + " AND ".join(bounds)) if bounds else "",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [bound for bound in (lo, hi) if bound is not None])
        rows, total = cursor.fetchone()
    return int(rows), int(total)


def target_digest_in_python(lo: str | None, hi: str | None) -> tuple[int, int]:
    rows, total = 0, 0
    for values in _in_range(lo, hi).values_list(*_CANONICAL_COLUMNS).iterator(2000):
        user_id, email, name, role, verified, image, created, updated, password = values
        image_text = "0" if image is None else "1" + image
        total += row_digest(
            [
                *(user_id, email, name, role, "1" if verified else "0", image_text),
                *(_text_of_time(created), _text_of_time(updated), password),
            ]
        )
        rows += 1
    return rows, total


_AHEAD = 4  # ranges whose MySQL digests are under way while the oldest is settled


def verify_import(
    source: Source, *, batch_size: int, on_batch: Callable[[int], None] = lambda done: None
) -> VerifyReport:
    report = VerifyReport()
    pending: deque[tuple[str | None, BatchDigest | None, Future]] = deque()
    with _target_digests() as submit:
        lo = None
        # The last range runs past the last source id (or is everything, when the source has no
        # user): MySQL should have no imported user there.
        for batch in chain(source.user_digests(batch_size), [None]):
            hi = batch.last_id if batch is not None else None
            pending.append((lo, batch, submit(lo, hi)))
            lo = hi
            while len(pending) > _AHEAD or (batch is None and pending):
                range_lo, range_batch, digest = pending.popleft()
                _settle(source, range_lo, range_batch, digest.result(), report, batch_size)
                on_batch(report.source_users)
    _compare_accounts(source, report, batch_size=batch_size)
    return report


@contextmanager
def _target_digests() -> Iterator[Callable[[str | None, str | None], Future]]:
    """submit(lo, hi) -> a future of target_digest(lo, hi). Outside a transaction (the command)
    two threads with their own connections keep MySQL's cores busy while this thread reads the
    source; inside one (tests) other connections would not see the rows: computed here."""
    if connection.vendor != "mysql" or connection.in_atomic_block:

        def inline(lo: str | None, hi: str | None) -> Future:
            future: Future = Future()
            future.set_result(target_digest(lo, hi))
            return future

        yield inline
        return
    work: Queue[tuple[str | None, str | None, Future] | None] = Queue()
    threads = [Thread(target=_digest_worker, args=(work,), name="legacy-verify") for _ in "ab"]
    for thread in threads:
        thread.start()
    try:

        def submit(lo: str | None, hi: str | None) -> Future:
            future: Future = Future()
            work.put((lo, hi, future))
            return future

        yield submit
    finally:
        for _ in threads:
            work.put(None)
        for thread in threads:
            thread.join()


def _digest_worker(work: Queue) -> None:
    while (item := work.get()) is not None:
        lo, hi, future = item
        try:
            future.set_result(target_digest(lo, hi))
        except BaseException as exc:  # handed to the waiting thread
            future.set_exception(exc)
    connections.close_all()


def _settle(
    source: Source,
    lo: str | None,
    batch: BatchDigest | None,
    target: tuple[int, int],
    report: VerifyReport,
    page_size: int,
) -> None:
    rows, total = (batch.rows, batch.total) if batch is not None else (0, 0)
    report.source_users += rows
    report.batches += 1
    if target == (rows, total):
        report.expected += rows
        report.equal += rows
        return
    report.batches_compared += 1
    hi = batch.last_id if batch is not None else None
    _compare_range(source, lo, hi, report, page_size=page_size)


def _compare_range(
    source: Source, lo: str | None, hi: str | None, report: VerifyReport, *, page_size: int
) -> None:
    """Row by row, through the mapping. The source side of a range is one batch; MySQL's side
    is read in pages of the same size (a range past the last source id may hold any number)."""
    expected: dict[str, LegacyUser] = {}
    source_ids = set()
    for row in source.users_between(lo, hi):
        source_ids.add(row[0])
        try:
            user = map_user(row)
        except Skip as skip:
            report.skipped[skip.reason] += 1
            continue
        expected[user.id] = user
    absent = dict(expected)
    for page in _pages(lo, hi, page_size):
        for have in page:
            if have["id"] in absent:
                _compare_user(absent.pop(have["id"]), have, report)
            elif have["id"] not in source_ids:
                _here_only(have, report)
    owners = dict(
        User.objects.filter(email__in=[u.email for u in absent.values()]).values_list("email", "id")
    )
    for user in absent.values():
        if owners.get(user.email, user.id) != user.id:
            report.skipped["email_clash"] += 1  # skipped at import: reported there
        else:
            report.expected += 1
            report.missing += 1
            report.difference(f"user {user.id}: missing")


def _pages(lo: str | None, hi: str | None, size: int) -> Iterator[list[dict]]:
    """MySQL's users in (lo, hi] in id order, `size` at a time."""
    while page := list(_in_range(lo, hi).order_by("pk").values("id", *USER_FIELDS)[:size]):
        yield page
        lo = page[-1]["id"]


def _compare_user(user: LegacyUser, have: dict, report: VerifyReport) -> None:
    report.expected += 1
    want = user_values(user)
    if password_changed_here(have["password"], user.password):
        report.passwords_changed_here += 1
        want["password"] = have["password"]
    changed = [name for name in USER_FIELDS if have[name] != want[name]]
    if changed:
        report.different += 1
        report.difference(f"user {user.id}: differs in {', '.join(changed)}")
    else:
        report.equal += 1


def _here_only(user: dict, report: VerifyReport) -> None:
    """A user MySQL has and the source has not: signed up here, or gone from the source. One
    still holding an imported password (a legacy hash or the no-credential marker) can only
    have come from an import, so the source lost it or MySQL gained it: a difference."""
    report.here_only += 1
    password = user["password"]
    if password == NO_PASSWORD or password.startswith(f"{BetterAuthScryptHasher.algorithm}$"):
        report.here_only_imported += 1
        report.difference(f"user {user['id']}: in MySQL only, with an imported password")


def _compare_accounts(source: Source, report: VerifyReport, *, batch_size: int) -> None:
    for rows in source.accounts(batch_size):
        report.source_accounts += len(rows)
        local = {
            a["id"]: a
            for a in LinkedAccount.objects.filter(pk__in=[r["id"] for r in rows]).values(
                "id", *ACCOUNT_FIELDS
            )
        }
        imported_users = set(
            User.objects.filter(pk__in={r["user_id"] for r in rows}).values_list("id", flat=True)
        )
        for row in rows:
            if row["user_id"] not in imported_users:
                continue  # its user was skipped, so the account was too (reported at import)
            have = local.get(row["id"])
            if have is not None:
                report.target_accounts += 1
            try:
                want = map_account(row)
            except Skip:
                continue
            if have is None or any(have[k] != v for k, v in want.items()):
                report.accounts_different += 1
                report.difference(f"account {row['id']}: missing or different")
