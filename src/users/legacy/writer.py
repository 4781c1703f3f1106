"""Write mapped legacy rows, one transaction per batch, keyed on the legacy id (idempotent)."""

from django.db import IntegrityError, connection, transaction

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


def password_changed_here(local: str, legacy: str) -> bool:
    """The user already signed in (hash upgraded) or changed the password here: keep it."""
    return local != legacy and not local.startswith(("better_auth_scrypt$", "!"))


def _values(user: LegacyUser) -> dict:
    return {name: getattr(user, name) for name in USER_FIELDS}


def _insert_users(users: list[LegacyUser]) -> None:
    table = connection.ops.quote_name(User._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _INSERT_COLUMNS)
    placeholders = ", ".join(["%s"] * len(_INSERT_COLUMNS))
    adapt = connection.ops.adapt_datetimefield_value
    rows = [
        (
            u.id,
            u.email,
            u.name,
            u.role,
            u.email_verified,
            u.image,
            adapt(u.created_at),
            adapt(u.updated_at),
            u.password,
            True,
            False,
            False,
            None,
        )
        for u in users
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608


def _insert_with_fallback(users: list[LegacyUser], report: ImportReport) -> int:
    try:
        with transaction.atomic():
            _insert_users(users)
        return len(users)
    except IntegrityError:  # someone took an email meanwhile: find the row, keep the rest
        written = 0
        for user in users:
            try:
                with transaction.atomic():
                    _insert_users([user])
                written += 1
            except IntegrityError:
                report.problem("users", user.id, "email_clash", user.email)
        return written


def write_users(users: list[LegacyUser], report: ImportReport, *, dry_run: bool) -> None:
    ids = [u.id for u in users]
    with transaction.atomic():
        existing = {
            row["id"]: row for row in User.objects.filter(pk__in=ids).values("id", *USER_FIELDS)
        }
        owners = dict(
            User.objects.filter(email__in=[u.email for u in users]).values_list("email", "id")
        )
        inserts, updates = [], []
        for user in users:
            owner = owners.setdefault(user.email, user.id)
            if owner != user.id:
                report.problem("users", user.id, "email_clash", user.email)
                continue
            current = existing.get(user.id)
            if current is None:
                inserts.append(user)
                continue
            desired = _values(user)
            if password_changed_here(current["password"], user.password):
                desired["password"] = current["password"]
            if all(current[k] == v for k, v in desired.items()):
                report.users.unchanged += 1
            else:
                updates.append((user.id, desired))
        if dry_run:
            report.users.written += len(inserts)
            report.users.updated += len(updates)
            return
        report.users.written += _insert_with_fallback(inserts, report)
        for user_id, desired in updates:
            User.objects.filter(pk=user_id).update(**desired)
        report.users.updated += len(updates)


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
