"""Re-read MySQL and compare it with the source: counts, per-row fields and a checksum."""

import hashlib

from users.models import LinkedAccount, User

from .mapping import LegacyUser, Skip, map_user
from .report import VerifyReport
from .source import Source
from .writer import ACCOUNT_FIELDS, USER_FIELDS, map_account, password_changed_here, user_values

_MOD = 2**256


def _digest(values: dict) -> int:
    """Order-independent checksum term over id, email, name, role, emailVerified, timestamps
    (to the microsecond, UTC) and the password hash."""
    text = "\x1f".join(
        [
            values["id"],
            values["email"],
            values["name"],
            values["role"],
            str(bool(values["email_verified"])),
            values["created_at"].isoformat(),
            values["updated_at"].isoformat(),
            values["password"],
        ]
    )
    return int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")


def verify_import(source: Source, *, batch_size: int) -> VerifyReport:
    report = VerifyReport()
    for rows in source.users(batch_size):
        report.source_users += len(rows)
        expected: list[LegacyUser] = []
        for row in rows:
            try:
                expected.append(map_user(row))
            except Skip as skip:
                report.skipped[skip.reason] += 1
        _compare_users(expected, report)
    _compare_accounts(source, report, batch_size=batch_size)
    return report


def _compare_users(expected: list[LegacyUser], report: VerifyReport) -> None:
    local = {
        u["id"]: u
        for u in User.objects.filter(pk__in=[e.id for e in expected]).values("id", *USER_FIELDS)
    }
    owners = dict(
        User.objects.filter(email__in=[e.email for e in expected]).values_list("email", "id")
    )
    for user in expected:
        want = {"id": user.id, **user_values(user)}
        have = local.get(user.id)
        if have is None and owners.get(user.email, user.id) != user.id:
            report.skipped["email_clash"] += 1
            continue
        report.expected += 1
        report.source_checksum = (report.source_checksum + _digest(want)) % _MOD
        if have is None:
            report.missing += 1
            report.differences.append(f"user {user.id}: missing")
            continue
        have = dict(have)
        if password_changed_here(have["password"], user.password):
            report.passwords_changed_here += 1
            have["password"] = user.password
        report.target_checksum = (report.target_checksum + _digest(have)) % _MOD
        changed = [name for name in USER_FIELDS if have[name] != want[name]]
        if changed:
            report.different += 1
            report.differences.append(f"user {user.id}: differs in {', '.join(changed)}")
        else:
            report.equal += 1


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
                report.differences.append(f"account {row['id']}: missing or different")
