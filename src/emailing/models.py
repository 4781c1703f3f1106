from django.db import models
from django.utils import timezone


class Status(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    SUPPRESSED = "suppressed", "Suppressed (no such user)"
    EXPIRED = "expired", "Expired before delivery"
    FAILED = "failed", "Failed for good"


class EmailKind(models.TextChoices):
    OTP_SIGN_IN = "otp_sign_in", "Sign-in code"
    OTP_EMAIL_VERIFICATION = "otp_email_verification", "Email verification code"
    OTP_FORGET_PASSWORD = "otp_forget_password", "Password reset code"
    PASSWORD_CHANGED = "password_changed", "Password changed notice"
    SIGN_IN_CLOSED = "sign_in_closed", "Password sign-in closed notice"
    OTP_REAUTHENTICATION = "otp_reauthentication", "Identity confirmation code"
    OTP_EMAIL_CHANGE = "otp_email_change", "New address confirmation code"
    EMAIL_CHANGE_TAKEN = "email_change_taken", "New address already has an account"
    EMAIL_CHANGE_NOTICE = "email_change_notice", "Email change requested notice"
    ACCOUNT_DELETED = "account_deleted", "Account deleted confirmation"
    EMAIL_CHANGED = "email_changed", "Email changed notice, with a link to undo it"
    TWO_FACTOR_ENABLED = "two_factor_enabled", "Two-factor authentication turned on notice"
    TWO_FACTOR_DISABLED = "two_factor_disabled", "Two-factor authentication turned off notice"
    RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used notice"
    RECOVERY_CODES_NEW = "recovery_codes_new", "New recovery codes notice"
    PASSKEY_ADDED = "passkey_added", "Passkey added notice"
    PASSKEY_REMOVED = "passkey_removed", "Passkey removed notice"


class OutboxMessage(models.Model):
    """One email to send, written in the same transaction as what it announces.

    `payload` holds the message's secrets (an OTP code) encrypted; it is emptied once the message
    is sent, suppressed or expired, so no table keeps a readable code after delivery.
    """

    kind = models.CharField(max_length=40, choices=EmailKind.choices)
    to_email = models.CharField(max_length=254)
    payload = models.TextField(blank=True, default="")
    requires_user = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_email} ({self.status})"
