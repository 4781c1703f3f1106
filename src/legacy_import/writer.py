"""Write mapped legacy rows, one transaction per batch, keyed on the legacy id (idempotent)."""

import tempfile
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction

from observability import metrics
from users.models import LinkedAccount, User

from .mapping import LegacyUser, Skip, utc
from .report import ImportReport

USER_FIELDS = (
    "email",
    "name",
    "role",
    "email_verified",
    "image",
    "created_at",
    "updated_at",
    "password",
)
_INSERT_COLUMNS = ("id", *USER_FIELDS, "is_active", "is_staff", "is_superuser", "last_login")


@dataclass
class BatchOutcome:
    written: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (id, reason, detail)

    def merge_into(self, report: ImportReport) -> None:
        report.users.written += self.written
        report.users.updated += self.updated
        report.users.unchanged += self.unchanged
        for row_id, reason, detail in self.problems:
            report.problem("users", row_id, reason, detail)
        metrics.count_import_rows(
            table="users",
            written=self.written,
            updated=self.updated,
            unchanged=self.unchanged,
            skipped=len(self.problems),
        )


def password_changed_here(local: str, legacy: str) -> bool:
    """The user already signed in (hash upgraded) or changed the password here: keep it."""
    return local != legacy and not local.startswith(("better_auth_scrypt$", "!"))


def user_values(user: LegacyUser) -> dict:
    """The user as the ORM reads it back (aware datetimes), for comparisons."""
    values = {name: getattr(user, name) for name in USER_FIELDS}
    values["created_at"] = user.datetime_of("created_at")
    values["updated_at"] = user.datetime_of("updated_at")
    return values


def _insert_rows(users: list[LegacyUser]) -> list[tuple]:
    return [
        (
            u.id,
            u.email,
            u.name,
            u.role,
            u.email_verified,
            u.image,
            u.created_at,
            u.updated_at,
            u.password,
            True,
            False,
            False,
            None,
        )
        for u in users
    ]


def _executemany(users: list[LegacyUser]) -> None:
    table = connection.ops.quote_name(User._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _INSERT_COLUMNS)
    placeholders = ", ".join(["%s"] * len(_INSERT_COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608
            _insert_rows(users),
        )


def enable_bulk_loading() -> bool:
    """Reconnect this process's MySQL connections with LOAD DATA LOCAL allowed; False when the
    caller is inside a transaction (then rows go in with plain INSERTs).

    Only the import process does this (it trusts the database it writes to): a client that
    allows LOCAL INFILE lets its server ask for files, so the web app never enables it."""
    if connection.vendor != "mysql" or connection.in_atomic_block:
        return False
    options = connection.settings_dict.setdefault("OPTIONS", {})
    if not options.get("local_infile"):
        options["local_infile"] = True
        connection.close()
    return True


def local_infile_enabled() -> bool:
    """True when LOAD DATA LOCAL INFILE works here: allowed by this client and by the server."""
    if connection.vendor != "mysql":
        return False
    connection.ensure_connection()
    raw = connection.connection
    cached = getattr(raw, "_legacy_local_infile", None)
    if cached is None:
        from pymysql.constants import CLIENT

        cached = bool(raw.client_flag & CLIENT.LOCAL_FILES)
        if cached:
            with connection.cursor() as cursor:
                cursor.execute("SELECT @@GLOBAL.local_infile")
                cached = bool(cursor.fetchone()[0])
        raw._legacy_local_infile = cached
    return cached


_LOAD_COLUMNS = (
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
# LOAD DATA's default text format: tab-separated, backslash escapes, \N for NULL.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n"})
_NULL = "\\N"


def _text(value: str) -> str:
    return value.translate(_ESCAPES) if ("\\" in value or "\t" in value or "\n" in value) else value


def _lines(users: list[LegacyUser]) -> str:
    """The batch in LOAD DATA's text format (four times faster to make than with the csv module).
    Ids, roles, timestamps and hashes come out of the mapping free of tabs and backslashes."""
    return "".join(
        f"{u.id}\t{_text(u.email)}\t{_text(u.name)}\t{u.role}\t{u.verified}\t"
        f"{_NULL if u.image_is_null else _text(u.image_text)}\t{u.created_at}\t{u.updated_at}\t"
        f"{u.password}\n"
        for u in users
    )


def _load_data(users: list[LegacyUser]) -> None:
    """MySQL's bulk loader: the batch written to a file, one round trip loads it."""
    table = connection.ops.quote_name(User._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _LOAD_COLUMNS)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", suffix=".tsv") as data:
        data.write(_lines(users))
        data.flush()
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOAD DATA LOCAL INFILE %s INTO TABLE {table} CHARACTER SET utf8mb4 "
                "FIELDS TERMINATED BY '\\t' ENCLOSED BY '' ESCAPED BY '\\\\' "
                f"LINES TERMINATED BY '\\n' ({columns}) "
                "SET is_active = 1, is_staff = 0, is_superuser = 0, last_login = NULL",
                [data.name],
            )
            loaded = cursor.rowcount
            cursor.execute("SHOW COUNT(*) WARNINGS")
            warnings = cursor.fetchone()[0]
    # LOCAL turns duplicate keys and bad values into warnings: treat any as a failed batch.
    if loaded != len(users) or warnings:
        raise IntegrityError(f"LOAD DATA loaded {loaded} of {len(users)} rows, {warnings} warnings")


def _insert_users(users: list[LegacyUser]) -> None:
    if len(users) > 1 and local_infile_enabled():
        _load_data(users)
    elif users:
        _executemany(users)


def _insert_with_fallback(users: list[LegacyUser], outcome: BatchOutcome) -> None:
    try:
        with transaction.atomic():
            _insert_users(users)
        outcome.written += len(users)
    except IntegrityError:  # someone took an email meanwhile: find the row, keep the rest
        for user in users:
            try:
                with transaction.atomic():
                    _executemany([user])
                outcome.written += 1
            except IntegrityError:
                outcome.problems.append((user.id, "email_clash", user.email))


def _taken(users: list[LegacyUser]) -> dict[str, str]:
    """email -> id, and id -> id, of the rows already here (one raw query: this runs per batch)."""
    table = connection.ops.quote_name(User._meta.db_table)
    ids, emails = [u.id for u in users], [u.email for u in users]
    sql = (
        f"SELECT id, email FROM {table} WHERE id IN ({', '.join(['%s'] * len(ids))}) "  # noqa: S608
        f"OR email IN ({', '.join(['%s'] * len(emails))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, *emails])
        return {key: row_id for row_id, email in cursor.fetchall() for key in (row_id, email)}


def _plan(users: list[LegacyUser], outcome: BatchOutcome) -> tuple[list, list]:
    """(rows to insert, (id, values) to update); clashes and unchanged rows go to `outcome`."""
    taken = _taken(users)
    existing_ids = [u.id for u in users if taken.get(u.id) == u.id]
    existing = {
        row["id"]: row
        for row in User.objects.filter(pk__in=existing_ids).values("id", *USER_FIELDS)
    }
    inserts, updates = [], []
    for user in users:
        if taken.setdefault(user.email, user.id) != user.id:
            outcome.problems.append((user.id, "email_clash", user.email))
            continue
        current = existing.get(user.id)
        if current is None:
            inserts.append(user)
            continue
        desired = user_values(user)
        if password_changed_here(current["password"], user.password):
            desired["password"] = current["password"]
        if all(current[k] == v for k, v in desired.items()):
            outcome.unchanged += 1
        else:
            updates.append((user.id, desired))
    return inserts, updates


def _bulk_load_new(users: list[LegacyUser]) -> bool:
    """Fast path for a batch of rows that are all new: True if every row went in."""
    if not local_infile_enabled():
        return False
    try:
        with transaction.atomic():
            _load_data(users)
        return True
    except IntegrityError:  # some id or email is already here: take the careful path
        return False


def write_users(users: list[LegacyUser], *, dry_run: bool) -> BatchOutcome:
    outcome = BatchOutcome()
    if not users:
        return outcome
    with transaction.atomic():
        if not dry_run and len(users) > 1 and _bulk_load_new(users):
            outcome.written = len(users)
            return outcome
        inserts, updates = _plan(users, outcome)
        if dry_run:
            outcome.written += len(inserts)
            outcome.updated += len(updates)
            return outcome
        _insert_with_fallback(inserts, outcome)
        for user_id, desired in updates:
            User.objects.filter(pk=user_id).update(**desired)
        outcome.updated += len(updates)
    return outcome


ACCOUNT_FIELDS = (
    "user_id",
    "provider_id",
    "account_id",
    "access_token",
    "refresh_token",
    "id_token",
    "access_token_expires_at",
    "refresh_token_expires_at",
    "scope",
    "created_at",
    "updated_at",
)


def map_account(row: dict) -> dict:
    if not row["id"] or len(row["id"]) > 64:
        raise Skip("id_invalid", repr(row["id"]))
    values = {name: row[name] for name in ACCOUNT_FIELDS}
    for name in ("access_token_expires_at", "refresh_token_expires_at", "created_at", "updated_at"):
        values[name] = utc(values[name])
    return values


def write_accounts(rows: list[dict], report: ImportReport, *, dry_run: bool) -> None:
    """Accounts of other providers (OAuth), kept as they were."""
    with transaction.atomic():
        known_users = set(
            User.objects.filter(pk__in={r["user_id"] for r in rows}).values_list("id", flat=True)
        )
        existing = {
            a["id"]: a
            for a in LinkedAccount.objects.filter(pk__in=[r["id"] for r in rows]).values(
                "id", *ACCOUNT_FIELDS
            )
        }
        for row in rows:
            provider = f"provider {row['provider_id']}"
            report.accounts.notes[provider] = report.accounts.notes.get(provider, 0) + 1
            try:
                values = map_account(row)
            except Skip as skip:
                report.problem("accounts", str(row["id"]), skip.reason, skip.detail)
                continue
            if values["user_id"] not in known_users:
                report.problem("accounts", row["id"], "user_not_imported", values["user_id"])
                continue
            current = existing.get(row["id"])
            if current is not None and all(current[k] == v for k, v in values.items()):
                report.accounts.unchanged += 1
                continue
            if not dry_run:
                try:
                    with transaction.atomic():
                        LinkedAccount.objects.update_or_create(id=row["id"], defaults=values)
                except IntegrityError:
                    report.problem("accounts", row["id"], "account_clash", values["provider_id"])
                    continue
            if current is None:
                report.accounts.written += 1
            else:
                report.accounts.updated += 1
