"""Request and response shapes (camelCase). Input serializers check shape; flows hold rules."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from users.emails import EMAIL_MAX_LENGTH, validate_email
from users.models import Role

from .errors import InvalidInput


class NormalizedEmailField(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=EMAIL_MAX_LENGTH + 64, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return validate_email(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


def _password_field(**kwargs) -> serializers.CharField:
    # Length rules are password-policy errors with their own codes; the cap here only bounds input.
    return serializers.CharField(
        trim_whitespace=False,
        allow_blank=True,
        max_length=4096,
        style={"input_type": "password"},
        **kwargs,
    )


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
    password = _password_field()
    role = serializers.ChoiceField(choices=Role.choices, default=Role.STUDENT)
    rememberMe = serializers.BooleanField(default=True)


class SignInRequestSerializer(InputSerializer):
    error_codes = {"email": "INVALID_EMAIL"}

    email = NormalizedEmailField()
    password = _password_field()
    rememberMe = serializers.BooleanField(default=True)


class RefreshRequestSerializer(InputSerializer):
    refreshToken = serializers.CharField(
        required=False,
        max_length=4096,
        help_text="Non-browser clients only: the refresh token, instead of the cookie.",
    )


class PasswordChangeRequestSerializer(InputSerializer):
    currentPassword = _password_field()
    newPassword = _password_field()
    revokeOtherSessions = serializers.BooleanField(
        default=True, help_text="End every other sign-in of this user (default true)."
    )


class UserSerializer(serializers.Serializer):
    id = serializers.CharField()
    email = serializers.EmailField()
    name = serializers.CharField(allow_blank=True, trim_whitespace=False)
    role = serializers.ChoiceField(choices=Role.choices)
    emailVerified = serializers.BooleanField(source="email_verified")
    image = serializers.CharField(allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")


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
