"""OpenAPI helpers: the bearer scheme, and error responses with one example per code."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
)

from auth_api.client import BODY_TRANSPORT_HEADER
from auth_api.http.serializers import (
    ErrorSerializer,
    SignedInResponseSerializer,
    TwoFactorRedirectSerializer,
)
from users.errors import DomainError

AUTH_ERRORS = ("NOT_AUTHENTICATED", "TOKEN_INVALID")
# What checking an emailed code can answer.
CODE_ERRORS = ("INVALID_OTP", "OTP_EXPIRED", "TOO_MANY_ATTEMPTS", "TOO_MANY_REQUESTS")
# What sending a code or a link can answer (a step-up code is the signed-in owner's to ask for).
SEND_ERRORS = (
    "INVALID_EMAIL",
    "INVALID_OTP_TYPE",
    "TOO_MANY_REQUESTS",
    "NOT_AUTHENTICATED",
    "TOKEN_INVALID",
    "PERMISSION_DENIED",
)
# What setting a new password can answer: one code per rule, PASSWORD_INVALID for any other
# validator in AUTH_PASSWORD_VALIDATORS.
PASSWORD_ERRORS = (
    "PASSWORD_TOO_SHORT",
    "PASSWORD_TOO_LONG",
    "PASSWORD_TOO_COMMON",
    "PASSWORD_TOO_SIMILAR",
    "PASSWORD_INVALID",
)
# What answering the second step of a pending sign-in can answer.
SECOND_STEP_ERRORS = ("TWO_FACTOR_SIGN_IN_EXPIRED", "TOO_MANY_REQUESTS")
# What an action that changes an account's factors can answer before anything else.
FACTOR_CHANGE_ERRORS = ("REAUTHENTICATION_REQUIRED", "NOT_AUTHENTICATED", "TOKEN_INVALID")
# What a permission check that can refuse (auth_api.permissions: HasRole, IsEmailVerified)
# answers. No operation of this API has one (IsAuthenticated refuses with NOT_AUTHENTICATED):
# it is for an app's own views that use them.
PERMISSION_ERRORS = ("PERMISSION_DENIED",)
REFRESH_COOKIE_DOC = (
    "Authenticated by the `refresh_token` cookie (`__Secure-refresh_token` outside DEBUG) plus "
    "the `X-CSRFToken` header (see `GET csrf/`), or — for non-browser clients — by "
    "`refreshToken` in the body, which needs no cookie and no CSRF token."
)

# The browser's body first: what Swagger UI's "Try it out" fills in (its cookie is sent for it).
REFRESH_EXAMPLES = [
    OpenApiExample(
        "Cookie", summary="A browser: the cookie, an empty body", request_only=True, value={}
    ),
    OpenApiExample(
        "Body",
        summary="A non-browser client: the refresh token in the body",
        request_only=True,
        value={"refreshToken": "eyJhbGciOi..."},
    ),
]


BODY_TRANSPORT_PARAMETER = OpenApiParameter(
    name=BODY_TRANSPORT_HEADER,
    location=OpenApiParameter.HEADER,
    required=False,
    enum=["body"],
    description=(
        "Non-browser clients: send `body` to receive the refresh token as `refreshToken` in the "
        "JSON body instead of the httpOnly cookie. Browsers should never send it."
    ),
)

# Any endpoint that reads a JSON body can answer these.
_BODY_ERRORS = ("VALIDATION_ERROR", "INVALID_JSON", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE")
# Any endpoint can answer these: a Host not in ALLOWED_HOSTS or a request Django cannot parse
# (400), another method (405), an Accept without JSON (406), a bug (500), the database down (503).
_ANY_ERRORS = (
    "BAD_REQUEST",
    "METHOD_NOT_ALLOWED",
    "NOT_ACCEPTABLE",
    "INTERNAL_ERROR",
    "SERVICE_UNAVAILABLE",
)


def error_responses(
    *codes: str, with_body: bool = True, statuses: dict[str, int] | None = None
) -> dict[int, OpenApiResponse]:
    """OpenAPI responses for these error codes, plus those any endpoint (or any endpoint that
    reads a body) can answer, grouped by the status each code is registered with (or the one
    `statuses` gives it here), each with an example taken from the registry (one message per
    code)."""
    by_status: dict[int, list[type[DomainError]]] = {}
    for code in dict.fromkeys([*codes, *(_BODY_ERRORS if with_body else ()), *_ANY_ERRORS]):
        error = DomainError.registry[code]
        status = (statuses or {}).get(code, error.status)
        by_status.setdefault(status, []).append(error)
    return {status: _error_response(status, errors) for status, errors in sorted(by_status.items())}


def _error_response(status: int, errors: list[type[DomainError]]) -> OpenApiResponse:
    examples = [
        OpenApiExample(
            error.code,
            value={"code": error.code, "message": error.example_text()},
            status_codes=[str(status)],
            response_only=True,
        )
        for error in errors
    ]
    return OpenApiResponse(
        ErrorSerializer,
        description="Error codes: " + ", ".join(f"`{e.code}`" for e in errors),
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


def sign_in_answer(signed_in=SignedInResponseSerializer) -> PolymorphicProxySerializer:
    """A sign-in path's 200: signed in, or (two-factor on) a second step to answer."""
    name = signed_in.__name__.removesuffix("Serializer").removesuffix("Response")
    return PolymorphicProxySerializer(
        component_name=f"{name}OrTwoFactorRedirect",
        serializers=[signed_in, TwoFactorRedirectSerializer],
        resource_type_field_name=None,
    )
