from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from users.fields import ExactMatchCharField, ExactMatchEmailField
from users.ids import ID_LENGTH, generate_id


class RevokeReason(models.TextChoices):
    SIGN_OUT = "sign_out", "Signed out"
    REVOKED = "revoked", "Ended from another sign-in"
    REUSE = "reuse", "Refresh token reused (theft suspected)"
    USER_INACTIVE = "user_inactive", "User deactivated or deleted"
    PASSWORD_CHANGE = "password_change", "Password changed"
    PASSWORD_RESET = "password_reset", "Password reset"
    EMAIL_CLAIMED = "email_claimed", "Address proven by code: unproven password dropped"
    EMAIL_CHANGED = "email_changed", "Email address changed"
    STEP_UP_FAILED = "step_up_failed", "Too many wrong passwords or codes while signed in"


class SignIn(models.Model):
    """One sign-in: the chain of refresh tokens rotated from one credential check.

    Only the newest token (`current_jti`) is live. `previous_jti` is kept for the honest-race grace
    period; any other token of the sign-in coming back is treated as stolen.
    """

    id = ExactMatchCharField(
        primary_key=True, max_length=ID_LENGTH, default=generate_id, editable=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_ins"
    )
    remember_me = models.BooleanField(default=True)
    current_jti = models.CharField(max_length=64)
    current_issued_at = models.DateTimeField()
    previous_jti = models.CharField(max_length=64, blank=True, default="")
    rotated_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True, default="")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(
        max_length=32, blank=True, default="", choices=RevokeReason.choices
    )
    # The last proof of a password or code in this sign-in (the access token's `authTime`).
    auth_time = models.DateTimeField(default=timezone.now)
    # Wrong passwords or codes in a row at step-up and password change (STEP_UP_MAX_FAILURES
    # end the sign-in: a stolen access token is no password oracle).
    step_up_failures = models.PositiveSmallIntegerField(default=0)
    # How its refresh token travels: in JSON bodies (True) or the httpOnly cookie (False); None
    # for sign-ins made before this was kept. A cookie sign-in never gets its token in a body.
    body_transport = models.BooleanField(null=True, default=None)
    # How the user proved it at sign-in, RFC 8176 values separated by spaces ("pwd", "otp"): the
    # access token's `amr`.
    amr = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["user", "revoked_at", "expires_at"], name="signin_user_live"),
            # Every process reads the recently revoked sign-ins once a second.
            models.Index(fields=["revoked_at"], name="signin_revoked_at"),
        ]

    def __str__(self) -> str:
        return f"{self.id} ({self.user_id})"

    def is_live(self, now) -> bool:
        return self.revoked_at is None and not sign_in_expired(self.expires_at, now)


def sign_in_expired(expires_at, now) -> bool:
    """A sign-in ends at its expiry (and, before it, when revoked): the one rule for both."""
    return expires_at <= now


class RateLimitCounter(models.Model):
    """Fixed-window counters for the database-backed rate limiter (atomic UPDATE ... + 1)."""

    key = models.CharField(primary_key=True, max_length=191)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}={self.count}"


class OneTimeCode(models.Model):
    """The live email code of one (email, type, client flow): hashed with a server key, never
    stored plain. `flow_id` binds the code to the client that asked for it; only that client can
    spend its guesses. An empty flow (a code carried over by the legacy import) is bound to none.

    The same mail carries a one-click link: its 192-bit token is stored hashed too (`link_hash`),
    works from any browser, needs no budget, and dies with the code. `account_id` names the
    signed-in account a code was asked for when the address is not its own yet (email change)."""

    email = ExactMatchEmailField(max_length=254)
    type = models.CharField(max_length=32)
    flow_id = models.CharField(max_length=32, blank=True, default="")
    code_hash = models.CharField(max_length=64)
    link_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    account_id = models.CharField(max_length=32, blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["email", "type", "flow_id"], name="one_code_per_email_type_flow"
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} code for {self.email}"


def guard_key(email: str) -> str:
    return salted_hmac("auth_api.guard", email, algorithm="sha256").hexdigest()


class AccountGuard(models.Model):
    """What strangers did to one address (known or not, so it reveals nothing): consecutive
    password failures from untrusted clients, whether password sign-in is closed to them, and the
    allowance of wrong code guesses untrusted clients may still make (a token bucket).

    Keyed by a keyed hash of the address (`guard_key`), not the address: it outlives a deleted
    account (a delete-and-sign-up-again must not refill a stranger's budget), yet names nobody."""

    address_key = models.CharField(primary_key=True, max_length=64)
    untrusted_failures = models.PositiveIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)
    code_allowance = models.FloatField(null=True, blank=True)  # null: full
    code_allowance_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"guard {self.address_key[:12]}"


class SigningKey(models.Model):
    """A key pair that signs access tokens (see auth_api.tokens.keys). The private key is
    encrypted at rest; only the public JWK is ever served."""

    kid = models.CharField(primary_key=True, max_length=64)
    algorithm = models.CharField(max_length=16)
    private_key = models.TextField()
    public_jwk = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    # Published from creation; signs from here (a rotation publishes the key first, so every
    # verifier's cached JWKS has it before the first token it signs).
    active_from = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kid} ({self.algorithm})"


class TrustedDevice(models.Model):
    """A client that completed a sign-in to the account: its failures count on its own budget,
    and nothing a stranger does spends it. The client holds the id and a secret (device cookie or
    `deviceToken`); only a keyed hash of the secret is stored. Trust ends at TRUSTED_DEVICE_DAYS,
    or earlier by the events that end it (see auth_api.tokens.devices): the row is deleted."""

    id = ExactMatchCharField(
        primary_key=True, max_length=ID_LENGTH, default=generate_id, editable=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trusted_devices"
    )
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True, default="")
    # The owner asked to trust this device (`trustDevice`) at a second step: it skips the second
    # step of this account until the row expires or ends.
    skips_second_factor = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"], name="trusted_device_user_live")]

    def __str__(self) -> str:
        return f"{self.id} ({self.user_id})"


class EndedSignIn(models.Model):
    """A sign-in whose row is gone (its user was deleted): every process must still refuse its
    access tokens until they expire. Holds no personal data; pruned after an access lifetime."""

    sid = models.CharField(primary_key=True, max_length=ID_LENGTH)
    ended_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.sid


class SecurityEventType(models.TextChoices):
    SIGNED_UP = "signed_up", "Account created"
    SIGNED_IN_PASSWORD = "signed_in_password", "Signed in with a password"
    SIGNED_IN_CODE = "signed_in_code", "Signed in with an emailed code"
    SIGNED_IN_NEW_DEVICE = "signed_in_new_device", "Signed in from a new device"
    SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in (wrong password)"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    PASSWORD_RESET = "password_reset", "Password reset"
    EMAIL_CHANGED = "email_changed", "Email address changed"
    REFRESH_REUSED = "refresh_reused", "Refresh token reused (sign-in revoked)"
    SIGN_INS_REVOKED = "sign_ins_revoked", "Sign-ins ended"
    REAUTHENTICATED = "reauthenticated", "Identity confirmed again"
    STEP_UP_FAILED = "step_up_failed", "Wrong password or code while signed in"
    EMAIL_CHANGE_UNDONE = "email_change_undone", "Email change undone from the old address"
    SIGNED_IN_PASSKEY = "signed_in_passkey", "Signed in with a passkey"
    SECOND_FACTOR_FAILED = "second_factor_failed", "Wrong second-factor code"
    TWO_FACTOR_ENABLED = "two_factor_enabled", "Two-factor authentication turned on"
    TWO_FACTOR_DISABLED = "two_factor_disabled", "Two-factor authentication turned off"
    RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
    RECOVERY_CODES_NEW = "recovery_codes_new", "New recovery codes made"
    PASSKEY_ADDED = "passkey_added", "Passkey added"
    PASSKEY_REMOVED = "passkey_removed", "Passkey removed"


class SecurityEvent(models.Model):
    """Append-only account activity the owner can read; never a secret in it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security_events"
    )
    type = models.CharField(max_length=32, choices=SecurityEventType.choices)
    created_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="security_event_user_time")]

    def __str__(self) -> str:
        return f"{self.type} ({self.user_id})"


class TotpFactor(models.Model):
    """An account's authenticator app (RFC 6238). The secret is encrypted at rest. It counts once
    confirmed (the first right code); `last_used_step` makes each code single use on every
    worker; `untrusted_failures` is the account's budget for untrusted clients (consecutive)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="totp"
    )
    secret = models.TextField()  # Fernet token of the base32 secret
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(default=0)
    untrusted_failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"TOTP of {self.user_id}"


class RecoveryCode(models.Model):
    """One single-use recovery code; only a keyed hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "code_hash"], name="recovery_code_user_hash")]

    def __str__(self) -> str:
        return f"recovery code of {self.user_id}"


class Passkey(models.Model):
    """A WebAuthn credential (a passkey) of the account."""

    id = ExactMatchCharField(
        primary_key=True, max_length=ID_LENGTH, default=generate_id, editable=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passkeys"
    )
    credential_id = models.TextField()  # base64url, as the browser sends it
    credential_hash = models.CharField(max_length=64, unique=True)  # sha256 of the raw id
    public_key = models.BinaryField()  # COSE key
    sign_count = models.BigIntegerField(default=0)
    transports = models.CharField(max_length=128, blank=True, default="")  # comma-separated
    device_type = models.CharField(max_length=16, default="singleDevice")
    backed_up = models.BooleanField(default=False)
    aaguid = models.CharField(max_length=36, blank=True, default="")
    name = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"passkey {self.name or self.id} ({self.user_id})"


class PendingSignIn(models.Model):
    """A sign-in whose first proof passed and that waits for its second step. The client holds a
    signed token of its id (httpOnly cookie, or `twoFactorToken`); it lives 5 minutes and admits
    TWO_FACTOR_MAX_ATTEMPTS answers."""

    id = models.CharField(primary_key=True, max_length=32)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_sign_ins"
    )
    remember_me = models.BooleanField(default=True)
    amr = models.CharField(max_length=64)  # the first proof's
    method = models.CharField(max_length=16)
    event = models.CharField(max_length=32)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"pending sign-in of {self.user_id}"


class WebAuthnChallenge(models.Model):
    """A WebAuthn challenge, single use (the row is deleted by the check that spends it) and bound
    to what asked for it: a signed-in user (registration), or a client's challenge token
    (authentication: a sign-in, a second step, a step-up)."""

    challenge_hash = models.CharField(primary_key=True, max_length=64)
    purpose = models.CharField(max_length=16)  # registration | authentication
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True)
    binding_hash = models.CharField(max_length=64, blank=True, default="")
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.purpose} challenge"
