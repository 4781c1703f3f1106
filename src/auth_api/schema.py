"""OpenAPI helpers: the bearer scheme, and error responses with one example per code."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from .serializers import ErrorSerializer

ERROR_MESSAGES = {
    "VALIDATION_ERROR": "Some fields are not valid.",
    "INVALID_JSON": "JSON parse error - Expecting value: line 1 column 1 (char 0)",
    "UNSUPPORTED_MEDIA_TYPE": "Send the body as application/json.",
    "INVALID_EMAIL": "Enter a valid email address.",
    "INVALID_ROLE": '"admin" is not a valid choice.',
    "PASSWORD_TOO_SHORT": "This password is too short. It must contain at least 8 characters.",
    "PASSWORD_TOO_LONG": "This password is too long. It must contain at most 128 characters.",
    "PASSWORD_TOO_COMMON": "This password is too common.",
    "PASSWORD_TOO_SIMILAR": "The password is too similar to the email.",
    "USER_ALREADY_EXISTS": "A user with this email already exists.",
    "INVALID_EMAIL_OR_PASSWORD": "Invalid email or password.",
    "INVALID_REFRESH_TOKEN": "The refresh token is missing, expired or revoked. Sign in again.",
    "REFRESH_TOKEN_REUSED": "This refresh token was already used; the sign-in has been revoked.",
    "CSRF_FAILED": "CSRF verification failed.",
    "NOT_AUTHENTICATED": "Authentication credentials were not provided.",
    "TOKEN_INVALID": "The access token is invalid or expired.",
    "INVALID_PASSWORD": "The current password is not correct.",
    "NOT_FOUND": "No such sign-in.",
    "TOO_MANY_REQUESTS": "Too many requests. Try again later.",
    "METHOD_NOT_ALLOWED": 'Method "GET" not allowed.',
    "INVALID_OTP_TYPE": '"magic-link" is not a valid choice.',
    "INVALID_OTP": "The code is not valid. Check it, or ask for a new one.",
    "OTP_EXPIRED": "The code has expired. Ask for a new one.",
    "TOO_MANY_ATTEMPTS": "Too many wrong codes. Ask for a new one.",
    "INVALID_TOKEN": "The reset token is invalid, expired or already used.",
}

BODY_TRANSPORT_PARAMETER = OpenApiParameter(
    name="X-Refresh-Token-Transport",
    location=OpenApiParameter.HEADER,
    required=False,
    enum=["body"],
    description=(
        "Non-browser clients: send `body` to receive the refresh token as `refreshToken` in the "
        "JSON body instead of the httpOnly cookie. Browsers should never send it."
    ),
)

_COMMON = {400: ["VALIDATION_ERROR", "INVALID_JSON"], 415: ["UNSUPPORTED_MEDIA_TYPE"]}


def error_responses(spec: dict[int, list[str]], *, with_body: bool = True) -> dict:
    merged: dict[int, list[str]] = {}
    for source in (spec, _COMMON if with_body else {}):
        for status, codes in source.items():
            merged.setdefault(status, [])
            merged[status] += [c for c in codes if c not in merged[status]]
    return {status: _error_response(status, codes) for status, codes in sorted(merged.items())}


def _error_response(status: int, codes: list[str]) -> OpenApiResponse:
    examples = [
        OpenApiExample(
            code,
            value={"code": code, "message": ERROR_MESSAGES.get(code, code)},
            status_codes=[str(status)],
            response_only=True,
        )
        for code in codes
    ]
    return OpenApiResponse(
        ErrorSerializer,
        description="Error codes: " + ", ".join(f"`{c}`" for c in codes),
        examples=examples,
    )


class AccessTokenScheme(OpenApiAuthenticationExtension):
    target_class = "auth_api.authentication.AccessTokenAuthentication"
    name = "accessToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "The `accessToken` from sign-in, sign-up or refresh.",
        }
