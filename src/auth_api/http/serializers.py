"""Request and response shapes (camelCase). Input serializers check shape; flows hold rules."""

from datetime import datetime, tzinfo
from functools import lru_cache

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from auth_api.codes.types import CodeType
from auth_api.errors import (
    InvalidEmail,
    InvalidOtp,
    InvalidOtpType,
    InvalidRole,
    InvalidToken,
    InvalidTwoFactorCode,
    ValidationFailed,
)
from auth_api.models import SecurityEventType
from auth_api.security_events import readable_device
from auth_api.tokens.claims import AccessClaims
from users.emails import EMAIL_MAX_LENGTH, validate_email
from users.errors import DomainError
from users.models import Role

# What a client may ask a code for (email change and its undo are sent by their own flows).
OTP_TYPES = [
    (t.value, t.value)
    for t in CodeType
    if t not in (CodeType.EMAIL_CHANGE, CodeType.EMAIL_CHANGE_UNDO)
]


class StrictCharField(serializers.CharField):
    """A JSON string, nothing else (DRF's CharField also takes numbers and turns them into text)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """JSON true or false (DRF's BooleanField also takes "yes", "on", 1, ...)."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


@extend_schema_field({"type": "string", "format": "email", "maxLength": EMAIL_MAX_LENGTH})
class NormalizedEmailField(StrictCharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=EMAIL_MAX_LENGTH + 64, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return validate_email(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class PasswordField(StrictCharField):
    """Kept byte-exact. Length rules are policy errors with their own codes; this caps input."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 4096)
        super().__init__(trim_whitespace=False, allow_blank=True, **kwargs)


@extend_schema_field({"type": "string", "format": "password", "minLength": 8, "maxLength": 128})
class NewPasswordField(PasswordField):
    """A password being set: 8 to 128 characters after NFKC, plus the validators (see flows)."""


class InputSerializer(serializers.Serializer):
    """Shape check; a failure on a field listed in `field_errors` answers with that error."""

    field_errors: dict[str, type[DomainError]] = {}

    @classmethod
    def parse(cls, data) -> dict:
        serializer = cls(data=data)
        if serializer.is_valid():
            return serializer.validated_data
        fields = {k: [str(m) for m in v] for k, v in serializer.errors.items()}
        names: list[str] = list(cls().fields.keys())
        first = next((name for name in names if name in fields), "")
        raise cls.field_errors.get(first, ValidationFailed)(fields=fields)


class SignUpRequestSerializer(InputSerializer):
    field_errors = {"email": InvalidEmail, "role": InvalidRole}

    name = StrictCharField(max_length=255, allow_blank=True, trim_whitespace=False)
    email = NormalizedEmailField()
    password = NewPasswordField()
    role = serializers.ChoiceField(choices=Role.choices, default=Role.STUDENT)
    rememberMe = StrictBooleanField(default=True)


@extend_schema_field(
    {"type": "string", "format": "uri", "pattern": "^https://", "maxLength": 2048, "nullable": True}
)
class HttpsUrlField(StrictCharField):
    """An absolute https:// URL (a profile picture), or null."""

    def __init__(self, **kwargs):
        super().__init__(max_length=2048, allow_null=True, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        serializers.URLField().run_validators(value)
        if not value.lower().startswith("https://"):
            raise serializers.ValidationError("Enter an https:// URL.")
        return value


class ClientTokenField(StrictCharField):
    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=2048, **kwargs)


def device_token_field() -> ClientTokenField:
    return ClientTokenField(
        help_text=(
            "Non-browser clients only: the `deviceToken` a previous sign-in returned. A device "
            "that signed in to the account before is never slowed by others' failures."
        )
    )


def flow_token_field() -> ClientTokenField:
    return ClientTokenField(
        help_text=(
            "Non-browser clients only: the `flowToken` email-otp/send/ returned. A code can only "
            "be used by the client that asked for it (browsers: the httpOnly flow cookie)."
        )
    )


def challenge_token_field() -> ClientTokenField:
    return ClientTokenField(
        help_text=(
            "Non-browser clients only: the `challengeToken` passkey/authentication-options/ "
            "answered with. Browsers hold it in an httpOnly cookie."
        )
    )


@extend_schema_field({"type": "string", "pattern": "^[0-9]{6}$", "minLength": 6, "maxLength": 6})
class TotpCodeField(StrictCharField):
    """Six digits from the authenticator app (spaces are ignored)."""

    def __init__(self, **kwargs):
        super().__init__(max_length=16, **kwargs)

    def to_internal_value(self, data):
        value = "".join(super().to_internal_value(data).split())
        if len(value) != 6 or not value.isascii() or not value.isdigit():
            raise serializers.ValidationError("Enter the 6 digits your authenticator app shows.")
        return value


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": True,
        "description": (
            "The PublicKeyCredential from navigator.credentials.create() or .get(), in its "
            "JSON form (PublicKeyCredential.toJSON(): id, rawId, type, response, ...)."
        ),
    }
)
class CredentialField(serializers.DictField):
    """A WebAuthn credential in JSON form; the WebAuthn library judges its contents."""

    def to_internal_value(self, data):
        if not isinstance(data, dict) or len(str(data)) > 32_768:
            self.fail("not_a_dict", input_type=type(data).__name__)
        return data


class SignInRequestSerializer(InputSerializer):
    field_errors = {"email": InvalidEmail}

    email = NormalizedEmailField()
    password = PasswordField()
    rememberMe = StrictBooleanField(default=True)
    deviceToken = device_token_field()


class RefreshRequestSerializer(InputSerializer):
    refreshToken = StrictCharField(
        required=False,
        max_length=4096,
        help_text="Non-browser clients only: the refresh token, instead of the cookie.",
    )


class PasswordChangeRequestSerializer(InputSerializer):
    currentPassword = PasswordField(
        required=False,
        help_text="Required unless the access token is fresh (see reauthenticate/).",
    )
    newPassword = NewPasswordField()
    revokeOtherSessions = StrictBooleanField(
        default=True, help_text="End every other sign-in of this user (default true)."
    )


def iso_datetime(value: datetime | None, zone: tzinfo | None = None) -> str | None:
    """The same text DRF's DateTimeField renders (UTC as "Z"), without a field instance; `zone`
    is the current time zone when the caller has it already."""
    if value is None:
        return None
    text = timezone.localtime(value, zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@extend_schema_field({"type": "string", "pattern": r"^[0-9]{6}$", "example": "314159"})
class OtpField(StrictCharField):
    """The emailed code. Any string is accepted in shape; a wrong one counts as a wrong guess."""

    def __init__(self, **kwargs):
        super().__init__(max_length=32, **kwargs)


class OtpSendRequestSerializer(InputSerializer):
    field_errors = {"email": InvalidEmail, "type": InvalidOtpType}

    email = NormalizedEmailField()
    type = serializers.ChoiceField(choices=OTP_TYPES)
    flowToken = flow_token_field()
    deviceToken = device_token_field()


class OtpSignInRequestSerializer(InputSerializer):
    field_errors = {"email": InvalidEmail, "otp": InvalidOtp, "role": InvalidRole}

    email = NormalizedEmailField()
    otp = OtpField()
    name = StrictCharField(
        max_length=255,
        allow_blank=True,
        trim_whitespace=False,
        required=False,
        help_text="Used only when the code creates the account.",
    )
    role = serializers.ChoiceField(
        choices=Role.choices,
        required=False,
        help_text="Used only when the code creates the account.",
    )
    rememberMe = StrictBooleanField(default=True)
    flowToken = flow_token_field()
    deviceToken = device_token_field()


class OtpVerifyEmailRequestSerializer(InputSerializer):
    field_errors = {"email": InvalidEmail, "otp": InvalidOtp}

    email = NormalizedEmailField()
    otp = OtpField()
    flowToken = flow_token_field()
    deviceToken = device_token_field()


class OtpCheckRequestSerializer(InputSerializer):
    field_errors = {"email": InvalidEmail, "type": InvalidOtpType, "otp": InvalidOtp}

    email = NormalizedEmailField()
    type = serializers.ChoiceField(choices=OTP_TYPES)
    otp = OtpField()
    flowToken = flow_token_field()
    deviceToken = device_token_field()


class PasswordResetRequestSerializer(InputSerializer):
    """Either `resetToken` (from email-otp/check) or `email` + `otp`, with the new `password`."""

    field_errors = {"resetToken": InvalidToken, "email": InvalidEmail, "otp": InvalidOtp}

    resetToken = StrictCharField(required=False, max_length=4096)
    email = NormalizedEmailField(required=False)
    otp = OtpField(required=False)
    password = NewPasswordField()
    flowToken = flow_token_field()
    deviceToken = device_token_field()

    def validate(self, attrs):
        if "resetToken" in attrs:
            return attrs
        if "email" in attrs and "otp" in attrs:
            return attrs
        raise serializers.ValidationError(
            {"resetToken": ["Send resetToken, or email and otp."]}, code="required"
        )


class ProfileUpdateRequestSerializer(InputSerializer):
    name = StrictCharField(max_length=255, allow_blank=True, trim_whitespace=False, required=False)
    image = HttpsUrlField(required=False)


class ReauthenticateRequestSerializer(InputSerializer):
    """One of: `password`, `otp` (a `reauthentication` code from email-otp/send/), `code` (from
    the authenticator app) or `credential` (a passkey, with passkey/authentication-options/)."""

    field_errors = {"otp": InvalidOtp, "code": InvalidTwoFactorCode}

    password = PasswordField(required=False)
    otp = OtpField(required=False)
    code = TotpCodeField(required=False)
    credential = CredentialField(required=False)
    flowToken = flow_token_field()
    challengeToken = challenge_token_field()
    deviceToken = device_token_field()

    def validate(self, attrs):
        if sum(name in attrs for name in ("password", "otp", "code", "credential")) != 1:
            raise serializers.ValidationError(
                {"password": ["Send one of password, otp, code or credential."]}
            )
        return attrs


class EmailChangeRequestSerializer(InputSerializer):
    field_errors = {"newEmail": InvalidEmail}

    newEmail = NormalizedEmailField()
    flowToken = flow_token_field()


class EmailChangeConfirmRequestSerializer(InputSerializer):
    field_errors = {"newEmail": InvalidEmail, "otp": InvalidOtp}

    newEmail = NormalizedEmailField()
    otp = OtpField()
    flowToken = flow_token_field()


class SecurityEventSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=SecurityEventType.choices)
    createdAt = serializers.DateTimeField(source="created_at")
    ipAddress = serializers.IPAddressField(source="ip_address", allow_null=True)
    device = serializers.SerializerMethodField()

    def get_device(self, event) -> str:
        return readable_device(event.user_agent)


class SecurityEventPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SecurityEventSerializer(many=True)


class SuccessResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()


class OtpSendResponseSerializer(SuccessResponseSerializer):
    flowToken = serializers.CharField(
        required=False,
        help_text=(
            "Only for clients that opted in with X-Refresh-Token-Transport: body. Send it back "
            "with the code. Browsers get it as an httpOnly cookie."
        ),
    )


class OtpCheckResponseSerializer(SuccessResponseSerializer):
    resetToken = serializers.CharField(
        required=False, help_text="forget-password only: single-use token for password/reset/."
    )


class UserSerializer(serializers.Serializer):
    id = serializers.CharField()
    email = serializers.EmailField()
    name = serializers.CharField(allow_blank=True, trim_whitespace=False)
    role = serializers.ChoiceField(choices=Role.choices)
    emailVerified = serializers.BooleanField(source="email_verified")
    twoFactorEnabled = serializers.BooleanField(
        source="two_factor_enabled",
        help_text="Every sign-in asks for a second step (TOTP, recovery code or passkey).",
    )
    image = serializers.CharField(allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    # Hand-written for speed (every signed-in answer renders a user); the declared fields above
    # stay the schema, and tests/auth_api/test_serializers.py holds both to the same output.
    def to_representation(self, instance) -> dict:
        return _user_body(instance)


def _user_body(user, zone: tzinfo | None = None) -> dict:
    zone = zone or timezone.get_current_timezone()
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "emailVerified": user.email_verified,
        "twoFactorEnabled": user.two_factor_enabled,
        "image": user.image,
        "createdAt": iso_datetime(user.created_at, zone),
        "updatedAt": iso_datetime(user.updated_at, zone),
    }


class UserResponseSerializer(serializers.Serializer):
    user = UserSerializer()


class AccessTokenResponseSerializer(serializers.Serializer):
    accessToken = serializers.CharField()
    accessTokenExpiresAt = serializers.DateTimeField()
    refreshToken = serializers.CharField(
        required=False, help_text="Only for clients that opted in with X-Refresh-Token-Transport."
    )
    refreshTokenExpiresAt = serializers.DateTimeField(required=False)


class SignedInResponseSerializer(AccessTokenResponseSerializer):
    user = UserSerializer()
    deviceToken = serializers.CharField(
        required=False,
        help_text=(
            "Only for clients that opted in with X-Refresh-Token-Transport: body: send it with "
            "later sign-ins to this account. Browsers get it as an httpOnly cookie."
        ),
    )
    flowToken = serializers.CharField(
        required=False,
        help_text=(
            "Sign-up only, body-transport clients: the flow of the email-verification code "
            "mailed at sign-up (send it with verify-email). Browsers get the flow cookie."
        ),
    )


class VerifyEmailResponseSerializer(SignedInResponseSerializer):
    """`{user}` when the caller sent the account's Bearer token; the tokens only otherwise."""

    accessToken = serializers.CharField(
        required=False, help_text="Only when the proof signed the caller in (no Bearer sent)."
    )
    accessTokenExpiresAt = serializers.DateTimeField(required=False)


class EmailLinkVerifyRequestSerializer(InputSerializer):
    token = StrictCharField(
        max_length=128, help_text="The token from the link's fragment (`#token=...`)."
    )
    deviceToken = device_token_field()


class EmailLinkVerifyResponseSerializer(VerifyEmailResponseSerializer):
    """What the code of the same mail would give: signed in (sign-in, first proof of an address,
    step-up), `{user}` (verification with the account's Bearer), `{success, resetToken}`
    (forgotten password), `{success}` (email change and its undo)."""

    user = UserSerializer(required=False)
    success = serializers.BooleanField(required=False)
    resetToken = serializers.CharField(
        required=False, help_text="forget-password: single-use token for password/reset/."
    )
    twoFactorRedirect = serializers.BooleanField(
        required=False, help_text="A sign-in of an account with two-factor on: see sign-in/."
    )
    twoFactorMethods = serializers.ListField(
        child=serializers.ChoiceField(choices=["totp", "backup-code", "passkey"]), required=False
    )
    twoFactorToken = serializers.CharField(required=False)


class SessionInfoSerializer(serializers.Serializer):
    id = serializers.CharField()
    expiresAt = serializers.DateTimeField(source="expires_at")


class SessionResponseSerializer(serializers.Serializer):
    user = UserSerializer()
    session = SessionInfoSerializer()

    def to_representation(self, instance) -> dict:
        return session_json(instance["user"], instance["session"])


def session_json(user, sign_in) -> dict:
    """The body of `GET session/` (SessionResponseSerializer's output, without an instance of
    it: the lean path renders this on every page load)."""
    zone = timezone.get_current_timezone()
    return {
        "user": _user_body(user, zone),
        "session": {"id": sign_in.id, "expiresAt": iso_datetime(sign_in.expires_at, zone)},
    }


class SignInListItemSerializer(serializers.Serializer):
    id = serializers.CharField(source="sign_in.id")
    createdAt = serializers.DateTimeField(source="sign_in.created_at")
    lastUsedAt = serializers.DateTimeField(source="sign_in.last_used_at")
    expiresAt = serializers.DateTimeField(source="sign_in.expires_at")
    ipAddress = serializers.IPAddressField(source="sign_in.ip_address", allow_null=True)
    userAgent = serializers.CharField(source="sign_in.user_agent", allow_blank=True)
    device = serializers.SerializerMethodField(help_text='A readable device ("Firefox on Linux").')
    current = serializers.BooleanField()

    def get_device(self, item) -> str:
        return readable_device(item.sign_in.user_agent)


class TrustedDeviceSerializer(serializers.Serializer):
    id = serializers.CharField(source="device.id")
    createdAt = serializers.DateTimeField(source="device.created_at")
    lastUsedAt = serializers.DateTimeField(source="device.last_used_at")
    expiresAt = serializers.DateTimeField(source="device.expires_at")
    ipAddress = serializers.IPAddressField(source="device.ip_address", allow_null=True)
    userAgent = serializers.CharField(source="device.user_agent", allow_blank=True)
    device = serializers.SerializerMethodField(help_text='A readable device ("Firefox on Linux").')
    current = serializers.BooleanField(help_text="The device this request comes from.")

    def get_device(self, item) -> str:
        return readable_device(item.device.user_agent)


@lru_cache(maxsize=4096)
def claims_json(claims: AccessClaims) -> dict:
    """The body of `GET claims/`, rendered once per token and process (claims are immutable)."""
    return {
        "userId": claims.user_id,
        "sessionId": claims.sid,
        "role": claims.role,
        "emailVerified": claims.email_verified,
        "email": claims.email,
        "authTime": iso_datetime(claims.auth_time),
        "amr": list(claims.amr),
        "expiresAt": iso_datetime(claims.expires_at),
    }


class ClaimsResponseSerializer(serializers.Serializer):
    """The schema of `claims_json`."""

    userId = serializers.CharField(source="user_id")
    sessionId = serializers.CharField(source="sid")
    role = serializers.ChoiceField(choices=Role.choices)
    emailVerified = serializers.BooleanField(source="email_verified")
    email = serializers.EmailField()
    authTime = serializers.DateTimeField(source="auth_time", allow_null=True)
    amr = serializers.ListField(
        child=serializers.ChoiceField(choices=["pwd", "otp", "mfa", "hwk", "swk"]),
        help_text="RFC 8176: how the sign-in was proven; `mfa` when a second factor was.",
    )
    expiresAt = serializers.DateTimeField(source="expires_at")

    def to_representation(self, instance) -> dict:
        return claims_json(instance)


class JwkSerializer(serializers.Serializer):
    kty = serializers.CharField(help_text="OKP (Ed25519), RSA or EC.")
    kid = serializers.CharField()
    alg = serializers.ChoiceField(
        choices=[("EdDSA", "EdDSA"), ("RS256", "RS256"), ("ES256", "ES256")]
    )
    use = serializers.CharField()
    crv = serializers.CharField(required=False)
    x = serializers.CharField(required=False)
    y = serializers.CharField(required=False)
    n = serializers.CharField(required=False)
    e = serializers.CharField(required=False)


class JwksResponseSerializer(serializers.Serializer):
    keys = JwkSerializer(many=True)


class IntrospectionRequestSerializer(InputSerializer):
    token = StrictCharField(max_length=8192)


class IntrospectionResponseSerializer(serializers.Serializer):
    active = serializers.BooleanField()
    token_type = serializers.CharField(required=False)
    sub = serializers.CharField(required=False)
    sid = serializers.CharField(required=False)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    email = serializers.EmailField(required=False)
    emailVerified = serializers.BooleanField(required=False)
    authTime = serializers.IntegerField(required=False, allow_null=True)
    exp = serializers.IntegerField(required=False)
    iss = serializers.CharField(required=False)
    aud = serializers.CharField(required=False)


def error_code_choices() -> list[tuple[str, str]]:
    """Every registered code with its one message: the contract's `ErrorCode` enum (named in
    SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]). Sorted, so the contract does not depend on the
    order the error modules were imported in."""
    return [(code, DomainError.registry[code].message) for code in sorted(DomainError.registry)]


class ErrorSerializer(serializers.Serializer):
    # Declared in get_fields: a class attribute named `fields` would shadow Serializer.fields.
    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            # No help_text: the property is then a bare $ref to ErrorCode, whose description
            # lists each code with its message (a help_text would repeat that list here).
            "code": serializers.ChoiceField(choices=error_code_choices()),
            "message": serializers.CharField(help_text="Human-readable sentence."),
            "fields": serializers.DictField(
                child=serializers.ListField(child=serializers.CharField()),
                required=False,
                help_text="Per-field messages, for validation errors.",
            ),
        }


# --- second factors and passkeys ------------------------------------------------------------

TWO_FACTOR_METHODS = ["totp", "backup-code", "passkey"]


def two_factor_token_field() -> ClientTokenField:
    return ClientTokenField(
        help_text=(
            "Non-browser clients only: the `twoFactorToken` the sign-in answered with. Browsers "
            "hold the pending sign-in in an httpOnly cookie."
        )
    )


class TwoFactorPasswordRequestSerializer(InputSerializer):
    """`password`: required when the account has one."""

    password = PasswordField(required=False)


class TwoFactorEnableResponseSerializer(serializers.Serializer):
    totpURI = serializers.CharField(
        help_text="otpauth://totp/... for the authenticator app (a QR code, or typed in)."
    )
    backupCodes = serializers.ListField(child=serializers.CharField(), min_length=10, max_length=10)


class BackupCodesResponseSerializer(serializers.Serializer):
    backupCodes = serializers.ListField(child=serializers.CharField(), min_length=10, max_length=10)


class VerifyTotpRequestSerializer(InputSerializer):
    field_errors = {"code": InvalidTwoFactorCode}

    code = TotpCodeField()
    trustDevice = StrictBooleanField(
        default=False, help_text="Skip the second step on this device for 30 days."
    )
    twoFactorToken = two_factor_token_field()
    deviceToken = device_token_field()


class VerifyBackupCodeRequestSerializer(InputSerializer):
    field_errors = {"code": InvalidTwoFactorCode}

    code = StrictCharField(max_length=64, help_text="One of the recovery codes (xxxxxx-xxxxxx).")
    trustDevice = StrictBooleanField(default=False)
    twoFactorToken = two_factor_token_field()
    deviceToken = device_token_field()


class VerifyPasskeyRequestSerializer(InputSerializer):
    credential = CredentialField()
    trustDevice = StrictBooleanField(default=False)
    twoFactorToken = two_factor_token_field()
    challengeToken = challenge_token_field()
    deviceToken = device_token_field()


class TwoFactorRedirectSerializer(serializers.Serializer):
    twoFactorRedirect = serializers.BooleanField(help_text="Always true: answer a second step.")
    twoFactorMethods = serializers.ListField(
        child=serializers.ChoiceField(choices=TWO_FACTOR_METHODS),
        help_text="What the account can answer the second step with.",
    )
    twoFactorToken = serializers.CharField(
        required=False,
        help_text="Body-transport clients only; browsers get an httpOnly cookie (5 minutes).",
    )


class PasskeySerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField(max_length=64)
    createdAt = serializers.DateTimeField(source="created_at")
    lastUsedAt = serializers.DateTimeField(source="last_used_at", allow_null=True)
    backedUp = serializers.BooleanField(source="backed_up")
    deviceType = serializers.ChoiceField(
        source="device_type", choices=["singleDevice", "multiDevice"]
    )


class PasskeyAnswerSerializer(serializers.Serializer):
    passkey = PasskeySerializer()


class PasskeyRegisterRequestSerializer(InputSerializer):
    credential = CredentialField()
    name = StrictCharField(max_length=64, required=False, allow_blank=True, default="")


class PasskeyRenameRequestSerializer(InputSerializer):
    name = StrictCharField(min_length=1, max_length=64)


class PasskeyOptionsRequestSerializer(InputSerializer):
    field_errors = {"email": InvalidEmail}

    email = NormalizedEmailField(
        required=False,
        help_text=(
            "Accepted for better-auth's client; it changes nothing (the options name no "
            "credential, so they say nothing about any account)."
        ),
    )


class PasskeySignInRequestSerializer(InputSerializer):
    credential = CredentialField()
    rememberMe = StrictBooleanField(default=True)
    challengeToken = challenge_token_field()
    deviceToken = device_token_field()


class CreationOptionsSerializer(serializers.Serializer):
    """WebAuthn PublicKeyCredentialCreationOptions, JSON form (base64url binary members)."""

    rp = serializers.DictField()
    user = serializers.DictField()
    challenge = serializers.CharField()
    pubKeyCredParams = serializers.ListField(child=serializers.DictField())
    timeout = serializers.IntegerField()
    excludeCredentials = serializers.ListField(child=serializers.DictField())
    authenticatorSelection = serializers.DictField()
    attestation = serializers.CharField()


class RequestOptionsSerializer(serializers.Serializer):
    """WebAuthn PublicKeyCredentialRequestOptions, JSON form, plus `challengeToken` for
    body-transport clients."""

    challenge = serializers.CharField()
    timeout = serializers.IntegerField()
    rpId = serializers.CharField()
    allowCredentials = serializers.ListField(child=serializers.DictField())
    userVerification = serializers.CharField()
    challengeToken = serializers.CharField(required=False)
