"""Request and response shapes (camelCase). Input serializers check shape; flows hold rules."""

from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from users.emails import EMAIL_MAX_LENGTH, validate_email
from users.models import Role

from .errors import InvalidInput


@extend_schema_field({"type": "string", "format": "email", "maxLength": EMAIL_MAX_LENGTH})
class NormalizedEmailField(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=EMAIL_MAX_LENGTH + 64, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return validate_email(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class PasswordField(serializers.CharField):
    """Kept byte-exact. Length rules are policy errors with their own codes; this caps input."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 4096)
        super().__init__(trim_whitespace=False, allow_blank=True, **kwargs)


@extend_schema_field({"type": "string", "format": "password", "minLength": 8, "maxLength": 128})
class NewPasswordField(PasswordField):
    """A password being set: 8 to 128 characters after NFKC, plus the validators (see flows)."""


class InputSerializer(serializers.Serializer):
    """Shape check; a failure on a field listed in `error_codes` answers with that code."""

    error_codes: dict[str, str] = {}

    @classmethod
    def parse(cls, data) -> dict:
        serializer = cls(data=data)
        if serializer.is_valid():
            return serializer.validated_data
        errors = {k: [str(m) for m in v] for k, v in serializer.errors.items()}
        first = next((name for name in cls().fields if name in errors), None)
        code = cls.error_codes.get(first or "", "VALIDATION_ERROR")
        message = errors[first][0] if first else "The request body must be a JSON object."
        raise InvalidInput(code=code, message=message, fields=errors)


class SignUpRequestSerializer(InputSerializer):
    error_codes = {"email": "INVALID_EMAIL", "role": "INVALID_ROLE"}

    name = serializers.CharField(max_length=255, allow_blank=True, trim_whitespace=False)
    email = NormalizedEmailField()
    password = NewPasswordField()
    role = serializers.ChoiceField(choices=Role.choices, default=Role.STUDENT)
    rememberMe = serializers.BooleanField(default=True)


class SignInRequestSerializer(InputSerializer):
    error_codes = {"email": "INVALID_EMAIL"}

    email = NormalizedEmailField()
    password = PasswordField()
    rememberMe = serializers.BooleanField(default=True)


class RefreshRequestSerializer(InputSerializer):
    refreshToken = serializers.CharField(
        required=False,
        max_length=4096,
        help_text="Non-browser clients only: the refresh token, instead of the cookie.",
    )


class PasswordChangeRequestSerializer(InputSerializer):
    currentPassword = PasswordField()
    newPassword = NewPasswordField()
    revokeOtherSessions = serializers.BooleanField(
        default=True, help_text="End every other sign-in of this user (default true)."
    )


def iso_datetime(value: datetime | None) -> str | None:
    """The same text DRF's DateTimeField renders (UTC as "Z"), without a field instance."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class UserSerializer(serializers.Serializer):
    id = serializers.CharField()
    email = serializers.EmailField()
    name = serializers.CharField(allow_blank=True, trim_whitespace=False)
    role = serializers.ChoiceField(choices=Role.choices)
    emailVerified = serializers.BooleanField(source="email_verified")
    image = serializers.CharField(allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    # Hand-written for speed (every signed-in answer renders a user); the declared fields above
    # stay the schema, and tests/auth_api/test_serializers.py holds both to the same output.
    def to_representation(self, instance) -> dict:
        return {
            "id": instance.id,
            "email": instance.email,
            "name": instance.name,
            "role": instance.role,
            "emailVerified": instance.email_verified,
            "image": instance.image,
            "createdAt": iso_datetime(instance.created_at),
            "updatedAt": iso_datetime(instance.updated_at),
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


class SessionInfoSerializer(serializers.Serializer):
    id = serializers.CharField()
    expiresAt = serializers.DateTimeField(source="expires_at")


class SessionResponseSerializer(serializers.Serializer):
    user = UserSerializer()
    session = SessionInfoSerializer()

    def to_representation(self, instance) -> dict:
        sign_in = instance["session"]
        return {
            "user": UserSerializer().to_representation(instance["user"]),
            "session": {"id": sign_in.id, "expiresAt": iso_datetime(sign_in.expires_at)},
        }


class SignInListItemSerializer(serializers.Serializer):
    id = serializers.CharField()
    createdAt = serializers.DateTimeField(source="created_at")
    lastUsedAt = serializers.DateTimeField(source="last_used_at")
    expiresAt = serializers.DateTimeField(source="expires_at")
    ipAddress = serializers.IPAddressField(source="ip_address", allow_null=True)
    userAgent = serializers.CharField(source="user_agent", allow_blank=True)
    current = serializers.BooleanField()


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable UPPER_SNAKE error code.")
    message = serializers.CharField(help_text="Human-readable sentence.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Per-field messages, for validation errors.",
    )
