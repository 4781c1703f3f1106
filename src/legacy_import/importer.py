"""Import a better-auth database: users (with their credential hash), other providers' accounts,
unexpired email codes (optional), second factors (TOTP and backup codes: with the old app's
secret) and passkeys; sessions are only counted (this API is stateless)."""

import time
from concurrent.futures import ThreadPoolExecutor

from django.db import connections, transaction

import clock
from auth_api.codes.store import code_import
from auth_api.codes.types import CodeType

from .cipher import Keys
from .factors import undo_gone_passkeys, undo_gone_two_factors, write_passkeys, write_two_factors
from .mapping import Skip, map_code, map_user
from .report import ImportReport
from .source import Source
from .writer import enable_bulk_loading, write_accounts, write_users


def import_better_auth(
    source: Source,
    *,
    batch_size: int,
    dry_run: bool,
    carry_codes: bool,
    keys: Keys | None,
    on_batch=lambda table, report: None,
) -> ImportReport:
    """`keys`: the old app's secrets for the twoFactor rows; None leaves them out (counted)."""
    report = ImportReport()
    started = time.perf_counter()
    _import_users(source, report, batch_size=batch_size, dry_run=dry_run, on_batch=on_batch)
    report.users.seconds = time.perf_counter() - started
    started = time.perf_counter()
    for rows in source.accounts(batch_size):
        report.accounts.read += len(rows)
        write_accounts(rows, report, dry_run=dry_run)
    report.accounts.seconds = time.perf_counter() - started
    total, live = source.session_counts()
    report.sessions.read = total
    report.sessions.notes = {"still valid": live, "carried": 0}
    _import_codes(source, report, batch_size=batch_size, dry_run=dry_run, carry=carry_codes)
    _import_two_factors(source, report, keys, batch_size=batch_size, dry_run=dry_run)
    _import_passkeys(source, report, batch_size=batch_size, dry_run=dry_run)
    return report


def _import_two_factors(source, report, keys: Keys | None, *, batch_size, dry_run) -> None:
    started = time.perf_counter()
    if keys is None:
        report.two_factors.notes["twoFactor rows not carried (--skip-two-factor)"] = (
            source.two_factor_count()
        )
        return
    seen: set[str] = set()
    for rows in source.two_factors(batch_size):
        with transaction.atomic():
            write_two_factors(rows, keys, report, dry_run=dry_run, seen=seen)
    undo_gone_two_factors(report, seen=seen, dry_run=dry_run)
    report.two_factors.seconds = time.perf_counter() - started


def _import_passkeys(source, report, *, batch_size, dry_run) -> None:
    started = time.perf_counter()
    seen: set[str] = set()
    for rows in source.passkeys(batch_size):
        with transaction.atomic():
            write_passkeys(rows, report, dry_run=dry_run, seen=seen)
    undo_gone_passkeys(report, seen=seen, dry_run=dry_run)
    report.passkeys.seconds = time.perf_counter() - started


def _import_users(source, report, *, batch_size, dry_run, on_batch) -> None:
    # Outside a transaction, batch N is written by a second thread while batch N+1 is read and
    # mapped: MySQL's work overlaps Python's. Inside one (tests), everything stays on this thread.
    pipelined = enable_bulk_loading()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="legacy-writer") as writer:
        pending = None
        for rows in source.users(batch_size):
            report.users.read += len(rows)
            mapped = []
            for row in rows:
                try:
                    mapped.append(map_user(row))
                except Skip as skip:
                    report.problem("users", str(row[0]), skip.reason, skip.detail)
            if not pipelined:
                write_users(mapped, dry_run=dry_run).merge_into(report)
                on_batch("users", report)
                continue
            if pending is not None:
                pending.result().merge_into(report)
                on_batch("users", report)
            pending = writer.submit(write_users, mapped, dry_run=dry_run)
        if pending is not None:
            pending.result().merge_into(report)
            on_batch("users", report)
        if pipelined:
            writer.submit(connections.close_all).result()


def _import_codes(source, report, *, batch_size, dry_run, carry) -> None:
    notes = {"expired": 0, "other": 0}
    now = clock.now()
    for rows in source.verifications(batch_size):
        report.verifications.read += len(rows)
        for row in rows:
            try:
                code = map_code(row)
            except Skip as skip:
                notes["other"] += 1
                if skip.reason != "not_an_email_code":
                    report.problem("verifications", str(row["id"]), skip.reason)
                continue
            if code.expires_at <= now:
                notes["expired"] += 1
            elif not carry:
                report.verifications.unchanged += 1
            else:
                if not dry_run:
                    code_import(
                        email=code.email,
                        type=CodeType(code.type),
                        code=code.code,
                        attempts=code.attempts,
                        expires_at=code.expires_at,
                    )
                report.verifications.written += 1
    if not carry:
        notes["unexpired, not carried (--carry-codes)"] = report.verifications.unchanged
        report.verifications.unchanged = 0
    report.verifications.notes = notes
