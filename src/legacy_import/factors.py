"""Second factors and passkeys: better-auth's twoFactor rows (the TOTP secret and the backup
codes, encrypted with the old app's secret: legacy_import.cipher) and its passkey rows, as this
service's TotpFactor, RecoveryCode and Passkey rows and `User.two_factor_enabled`.

A source row is written whole, keyed on its user (twoFactor) or its id (passkey), and a keyed
digest of what was written is kept (ImportedRow). A re-run writes a row again only when
better-auth changed it since, and undoes here what better-auth removed since; what the owner did
here meanwhile stands (a recovery code used stays used, two-factor turned off stays off, a
passkey removed stays removed), so a re-run on an unchanged source changes nothing.
"""

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import partial
from itertools import groupby

from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac
from webauthn.helpers import bytes_to_base64url, decode_credential_public_key
from webauthn.helpers.exceptions import WebAuthnException

import clock
from auth_api.factors import recovery, totp
from auth_api.models import Passkey, TotpFactor
from users.models import User

from .cipher import Keys, Undecryptable, decrypt
from .mapping import Skip, utc, valid_id
from .models import ImportedRow
from .report import ImportReport, TableReport
from .source import Source

BASE32_PREFIX = "base32:"  # better-auth's mark for a secret stored as base32 (totp/index.mjs)
DEVICE_TYPES = {"singleDevice", "multiDevice"}
_SAMPLE = 20  # twoFactor rows the secret is tried on before anything is written


@dataclass(frozen=True)
class LegacyTwoFactor:
    user_id: str
    enabled: bool  # user.twoFactorEnabled
    secret: str | None  # base32 (unpadded, as in better-auth's otpauth URI); None: no row
    confirmed: bool  # enrolment finished and two-factor on: TOTP is asked at sign-in
    backup_codes: tuple[str, ...]
    extra_rows: int = 0  # twoFactor rows of the same user beyond the first (ignored)


@dataclass(frozen=True)
class LegacyPasskey:
    id: str
    user_id: str
    credential_id: str  # base64url, no padding
    credential_hash: str  # sha256 of the raw id
    public_key: bytes  # COSE
    sign_count: int
    transports: str
    device_type: str
    backed_up: bool
    aaguid: str
    name: str
    created_at: datetime | None


def digest(value: LegacyTwoFactor | LegacyPasskey) -> str:
    """Keyed (the digest of a TOTP secret must not be a way to test guesses of it)."""
    fields = asdict(value)
    fields.pop("extra_rows", None)
    text = json.dumps(fields, sort_keys=True, default=repr)
    return salted_hmac("legacy_import.imported-row", text, algorithm="sha256").hexdigest()


# --- twoFactor rows -----------------------------------------------------------------------------


def totp_base32(secret: str) -> str:
    """The base32 secret an authenticator app holds. better-auth keys its HMAC with the UTF-8
    bytes of the decrypted text, or with the bytes of the base32 after `base32:`."""
    if secret.startswith(BASE32_PREFIX):
        text = secret[len(BASE32_PREFIX) :].upper().rstrip("=")
        try:
            base64.b32decode(text + "=" * (-len(text) % 8))
        except (binascii.Error, ValueError):
            raise Skip("secret_malformed", "not base32 after 'base32:'") from None
    else:
        text = base64.b32encode(secret.encode()).decode().rstrip("=")
    if not text:
        raise Skip("secret_malformed", "empty")
    return text


def backup_codes(value: str, keys: Keys) -> tuple[str, ...]:
    """The JSON list better-auth keeps, encrypted (its default) or plain (`storeBackupCodes:
    "plain"`)."""
    try:
        text = value if value.lstrip().startswith("[") else decrypt(keys, value)
    except Undecryptable as exc:
        raise Skip("backup_codes_undecryptable", str(exc)) from None
    try:
        codes = json.loads(text)
    except ValueError:
        codes = None
    if not isinstance(codes, list) or not all(isinstance(c, str) and c for c in codes):
        raise Skip("backup_codes_malformed", "not a JSON list of codes")
    return tuple(codes)


def map_two_factor(rows: list[dict], keys: Keys) -> LegacyTwoFactor:
    """One user's lines of source._TWO_FACTORS (the first twoFactor row counts, as better-auth's
    findOne takes one)."""
    first = rows[0]
    user_id, enabled = first["user_id"], bool(first["enabled"])
    if first["id"] is None:
        return LegacyTwoFactor(user_id, enabled, None, False, ())
    try:
        secret = totp_base32(decrypt(keys, first["secret"] or ""))
    except Undecryptable as exc:
        raise Skip("secret_undecryptable", str(exc)) from None
    codes = backup_codes(first["backup_codes"] or "", keys)
    # Before better-auth 1.4 there was no `verified`: a row was a finished enrolment.
    confirmed = enabled and first["verified"] is not False
    return LegacyTwoFactor(user_id, enabled, secret, confirmed, codes, len(rows) - 1)


def _apply_two_factor(factor: LegacyTwoFactor) -> None:
    user_id = factor.user_id
    if factor.secret is None:
        totp.remove(user_id=user_id)
        recovery.remove(user_id=user_id)
    else:
        current = TotpFactor.objects.filter(pk=user_id).first()
        same = current is not None and totp.unseal(current.secret) == factor.secret
        confirmed_at = None
        if factor.confirmed:
            kept = current.confirmed_at if same and current is not None else None
            confirmed_at = kept or clock.now()
        if same:  # the steps used here stay used, the failure counts stay counted
            TotpFactor.objects.filter(pk=user_id).update(confirmed_at=confirmed_at)
        else:  # another secret: a new factor, its counts at their start
            TotpFactor.objects.filter(pk=user_id).delete()
            TotpFactor.objects.create(
                user_id=user_id,
                secret=totp.seal(factor.secret),
                confirmed_at=confirmed_at,
                created_at=clock.now(),
            )
        recovery.store(user_id=user_id, codes=list(factor.backup_codes))
    User.objects.filter(pk=user_id).update(two_factor_enabled=factor.confirmed)


def _undo_two_factor(user_id: str) -> None:
    """better-auth no longer has two-factor for this user (turned off there since)."""
    _apply_two_factor(LegacyTwoFactor(user_id, False, None, False, ()))


def write_two_factors(
    rows: list[dict], keys: Keys, report: ImportReport, *, dry_run: bool, seen: set[str]
) -> None:
    """A batch of source._TWO_FACTORS lines (a user's lines all in one batch)."""
    table = report.two_factors
    groups = [list(g) for _, g in groupby(rows, key=lambda r: r["user_id"])]
    user_ids = [g[0]["user_id"] for g in groups]
    seen.update(user_ids)
    here = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "email_verified"))
    marks = _marks(ImportedRow.Kind.TWO_FACTOR, user_ids)
    for group in groups:
        user_id = group[0]["user_id"]
        table.read += 1
        try:
            factor = map_two_factor(group, keys)
        except Skip as skip:
            report.problem("two_factors", user_id, skip.reason, skip.detail)
            continue
        if factor.extra_rows:
            _note(table, "extra twoFactor rows ignored", factor.extra_rows)
        if user_id not in here and not dry_run:
            report.problem("two_factors", user_id, "user_not_imported")
            continue
        if factor.enabled and not factor.confirmed:
            # better-auth's `otp` method (codes by mail or SMS) has no counterpart here.
            report.problem("two_factors", user_id, "otp_method_not_carried", "two-factor off here")
        if factor.confirmed and here.get(user_id) is False:
            # Nobody proved the address: its first proof (a code, a link) ends the password and
            # the factors, as for any unproven account (it may be someone's pre-registration).
            _note(table, "on for an unproven address (ended at its first proof)", 1)
        _write(
            report,
            "two_factors",
            ImportedRow.Kind.TWO_FACTOR,
            user_id,
            user_id,
            digest(factor),
            marks,
            partial(_apply_two_factor, factor),
            dry_run=dry_run,
        )


def undo_gone_two_factors(report: ImportReport, *, seen: set[str], dry_run: bool) -> None:
    _undo_gone(
        report.two_factors,
        ImportedRow.Kind.TWO_FACTOR,
        seen,
        _undo_two_factor,
        dry_run=dry_run,
        label="two-factor gone from better-auth, off here",
    )


def secret_problem(source: Source, keys: Keys) -> str | None:
    """Why the twoFactor rows cannot be read with `keys`, checked before anything is written:
    no secret at all, or one that opens none of the first rows (a wrong secret)."""
    count = source.two_factor_count()
    if not count:
        return None
    if not keys:
        return (
            f"the source has {count} twoFactor rows (TOTP secrets and backup codes) encrypted "
            "with the old app's secret: give it with --better-auth-secret (or "
            "BETTER_AUTH_SECRET; versioned secrets: --better-auth-secrets / BETTER_AUTH_SECRETS),"
            " or import without them with --skip-two-factor"
        )
    sample = source.two_factor_sample(_SAMPLE)
    for secret in sample:
        try:
            decrypt(keys, secret or "")
            return None
        except Undecryptable:
            continue
    return (
        f"the given secret decrypts none of the first {len(sample)} twoFactor rows: is it the old "
        "app's BETTER_AUTH_SECRET (or BETTER_AUTH_SECRETS)?"
    )


# --- passkeys -----------------------------------------------------------------------------------


def _bytes(text: str | None) -> bytes:
    """base64 or base64url, padded or not."""
    value = (text or "").strip().replace("-", "+").replace("_", "/")
    return base64.b64decode(value + "=" * (-len(value) % 4), validate=True)


def _transports(text: str | None) -> str:
    """Comma-separated, whole names only within the column's 128 characters."""
    kept: list[str] = []
    for name in filter(None, (t.strip() for t in (text or "").split(","))):
        if len(",".join([*kept, name])) > 128:
            break
        kept.append(name)
    return ",".join(kept)


def map_passkey(row: dict) -> LegacyPasskey:
    """A passkey row: `credentialID` base64url (as @simplewebauthn gives it), `publicKey` the
    base64 of the COSE key, `counter` the sign count."""
    if not valid_id(row["id"]):
        raise Skip("id_invalid", repr(row["id"]))
    try:
        raw_id = _bytes(row["credential_id"])
    except (binascii.Error, ValueError):
        raw_id = b""
    if not raw_id:
        raise Skip("credential_id_invalid", repr(row["credential_id"])[:80])
    try:
        public_key = _bytes(row["public_key"])
        decode_credential_public_key(public_key)
    except (binascii.Error, ValueError, LookupError, TypeError, WebAuthnException):
        raise Skip("public_key_invalid") from None
    counter = row["counter"]
    if not isinstance(counter, int) or not 0 <= counter < 2**32:
        raise Skip("counter_invalid", repr(counter))
    if row["device_type"] not in DEVICE_TYPES:
        raise Skip("device_type_unknown", repr(row["device_type"]))
    aaguid = row["aaguid"] or ""
    return LegacyPasskey(
        id=row["id"],
        user_id=row["user_id"],
        credential_id=bytes_to_base64url(raw_id),
        credential_hash=hashlib.sha256(raw_id).hexdigest(),
        public_key=public_key,
        sign_count=counter,
        transports=_transports(row["transports"]),
        device_type=row["device_type"],
        backed_up=bool(row["backed_up"]),
        aaguid=aaguid if len(aaguid) <= 36 else "",
        name=(row["name"] or "")[:64],
        created_at=utc(row["created_at"]),
    )


def _apply_passkey(passkey: LegacyPasskey) -> None:
    values = {
        "user_id": passkey.user_id,
        "credential_id": passkey.credential_id,
        "credential_hash": passkey.credential_hash,
        "public_key": passkey.public_key,
        "transports": passkey.transports,
        "device_type": passkey.device_type,
        "backed_up": passkey.backed_up,
        "aaguid": passkey.aaguid,
        "name": passkey.name,
    }
    current = Passkey.objects.filter(pk=passkey.id).values_list("sign_count", flat=True).first()
    if current is None:
        created_at = passkey.created_at or clock.now()
        Passkey.objects.create(
            id=passkey.id, sign_count=passkey.sign_count, created_at=created_at, **values
        )
    else:  # a sign count only grows: uses here since the last run moved it on
        sign_count = max(current, passkey.sign_count)
        Passkey.objects.filter(pk=passkey.id).update(sign_count=sign_count, **values)


def _remove_passkey(passkey_id: str) -> None:
    Passkey.objects.filter(pk=passkey_id).delete()


def write_passkeys(
    rows: list[dict], report: ImportReport, *, dry_run: bool, seen: set[str]
) -> None:
    table = report.passkeys
    table.read += len(rows)
    seen.update(r["id"] for r in rows if isinstance(r["id"], str))
    here = set(
        User.objects.filter(pk__in={r["user_id"] for r in rows}).values_list("pk", flat=True)
    )
    marks = _marks(ImportedRow.Kind.PASSKEY, [r["id"] for r in rows])
    for row in rows:
        try:
            passkey = map_passkey(row)
        except Skip as skip:
            report.problem("passkeys", str(row["id"]), skip.reason, skip.detail)
            continue
        if passkey.user_id not in here and not dry_run:
            report.problem("passkeys", passkey.id, "user_not_imported", passkey.user_id)
            continue
        owner = (
            Passkey.objects.filter(credential_hash=passkey.credential_hash)
            .exclude(pk=passkey.id)
            .exists()
            or Passkey.objects.filter(pk=passkey.id).exclude(user_id=passkey.user_id).exists()
        )
        if owner:
            report.problem("passkeys", passkey.id, "passkey_clash", "registered here by another")
            continue
        _write(
            report,
            "passkeys",
            ImportedRow.Kind.PASSKEY,
            passkey.id,
            passkey.user_id,
            digest(passkey),
            marks,
            partial(_apply_passkey, passkey),
            dry_run=dry_run,
        )


def undo_gone_passkeys(report: ImportReport, *, seen: set[str], dry_run: bool) -> None:
    _undo_gone(
        report.passkeys,
        ImportedRow.Kind.PASSKEY,
        seen,
        _remove_passkey,
        dry_run=dry_run,
        label="gone from better-auth, removed here",
    )


# --- the digests of what was written ----------------------------------------------------------


def _marks(kind: str, keys: Iterable[str]) -> dict[str, str]:
    rows = ImportedRow.objects.filter(kind=kind, key__in=list(keys)).values_list("key", "digest")
    return dict(rows)


def _write(
    report: ImportReport,
    name: str,
    kind: str,
    key: str,
    user_id: str,
    value_digest: str,
    marks: dict[str, str],
    apply: Callable[[], None],
    *,
    dry_run: bool,
) -> None:
    """Apply a source row unless what it holds was written already; keep its digest."""
    table: TableReport = getattr(report, name)
    before = marks.get(key)
    if before == value_digest:
        table.unchanged += 1
        return
    if not dry_run:
        try:
            with transaction.atomic():
                apply()
                ImportedRow.objects.update_or_create(
                    kind=kind, key=key, defaults={"user_id": user_id, "digest": value_digest}
                )
        except IntegrityError:  # taken here meanwhile: reported, the rest goes on
            report.problem(name, key, "clash")
            return
    if before is None:
        table.written += 1
    else:
        table.updated += 1


def _undo_gone(
    table: TableReport,
    kind: str,
    seen: set[str],
    undo: Callable[[str], None],
    *,
    dry_run: bool,
    label: str,
) -> None:
    """What an earlier run wrote and better-auth no longer has: undone here."""
    marked = ImportedRow.objects.filter(kind=kind).values_list("key", flat=True)
    gone = [key for key in marked if key not in seen]
    for key in gone:
        if not dry_run:
            with transaction.atomic():
                undo(key)
                ImportedRow.objects.filter(kind=kind, key=key).delete()
    if gone:
        _note(table, label, len(gone))


def _note(table: TableReport, label: str, count: int) -> None:
    table.notes[label] = table.notes.get(label, 0) + count
