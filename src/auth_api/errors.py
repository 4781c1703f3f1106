"""Error codes of the HTTP API: requests, tokens and codes (see users.errors for the registry)."""

from users.errors import DomainError

# --- the request itself ---------------------------------------------------------------------


class ValidationFailed(DomainError):
    code = "VALIDATION_ERROR"
    message = "Some fields are not valid."


class InvalidJson(DomainError):
    code = "INVALID_JSON"
    message = "The request body is not valid JSON (or holds text that is not valid Unicode)."


class UnsupportedMediaType(DomainError):
    code = "UNSUPPORTED_MEDIA_TYPE"
    status = 415
    message = "Send the body as application/json."


class PayloadTooLarge(DomainError):
    code = "PAYLOAD_TOO_LARGE"
    status = 413
    message = "The request body is too large."


class NotAcceptable(DomainError):
    code = "NOT_ACCEPTABLE"
    status = 406
    message = "This API answers application/json only."


class MethodNotAllowed(DomainError):
    code = "METHOD_NOT_ALLOWED"
    status = 405
    message = 'Method "{method}" not allowed.'
    example = {"method": "GET"}


class BadRequest(DomainError):
    code = "BAD_REQUEST"
    message = "The request could not be understood."


class NotFound(DomainError):
    code = "NOT_FOUND"
    status = 404
    message = "Not found."


class PermissionDenied(DomainError):
    code = "PERMISSION_DENIED"
    status = 403
    message = "You do not have permission to do this."


class TooManyRequests(DomainError):
    code = "TOO_MANY_REQUESTS"
    status = 429
    message = "Too many requests. Try again later."

    def __init__(self, *, retry_after: int):
        super().__init__()
        self.retry_after = max(1, retry_after)


class InternalError(DomainError):
    code = "INTERNAL_ERROR"
    status = 500
    message = "Something went wrong on our side."


class ServiceUnavailable(DomainError):
    code = "SERVICE_UNAVAILABLE"
    status = 503
    message = "The service is temporarily unavailable."


# --- fields with their own code -------------------------------------------------------------


class InvalidEmail(DomainError):
    code = "INVALID_EMAIL"
    message = "Enter a valid email address."


class InvalidRole(DomainError):
    code = "INVALID_ROLE"
    message = 'Role must be "teacher" or "student".'


class InvalidOtpType(DomainError):
    code = "INVALID_OTP_TYPE"
    message = (
        'Type must be "sign-in", "email-verification", "forget-password" or "reauthentication".'
    )


# --- credentials and tokens -----------------------------------------------------------------


class InvalidCredentials(DomainError):
    code = "INVALID_EMAIL_OR_PASSWORD"
    status = 401
    message = "Invalid email or password."


class PasswordSignInClosed(DomainError):
    code = "PASSWORD_SIGN_IN_CLOSED"
    status = 403
    message = (
        "Too many failed sign-ins to this account from new devices: sign in with an emailed code "
        "or reset the password."
    )


class ReauthenticationRequired(DomainError):
    code = "REAUTHENTICATION_REQUIRED"
    status = 403
    message = "Confirm it is you first: POST reauthenticate/ with your password or a code."


class InvalidClient(DomainError):
    code = "INVALID_CLIENT"
    status = 401
    message = "The service credential is missing or wrong."
    # A service authenticates with HTTP Basic (RFC 7617), not a Bearer token.
    challenge = 'Basic realm="introspect", charset="UTF-8"'


class NotAuthenticated(DomainError):
    code = "NOT_AUTHENTICATED"
    status = 401
    message = "Authentication credentials were not provided."


class TokenInvalid(DomainError):
    code = "TOKEN_INVALID"
    status = 401
    message = "The access token is invalid or expired, or its sign-in has ended."


class InvalidRefreshToken(DomainError):
    code = "INVALID_REFRESH_TOKEN"
    status = 401
    message = "The refresh token is missing, expired or revoked. Sign in again."


class RefreshTokenReused(DomainError):
    code = "REFRESH_TOKEN_REUSED"
    status = 401
    message = "This refresh token was already used; the sign-in has been revoked. Sign in again."


class CsrfFailed(DomainError):
    code = "CSRF_FAILED"
    status = 403
    message = "CSRF verification failed. Fetch GET /api/auth/csrf/ and send the X-CSRFToken header."


class InvalidToken(DomainError):
    code = "INVALID_TOKEN"
    message = "The reset token is invalid, expired or already used."


# --- emailed codes --------------------------------------------------------------------------


class InvalidOtp(DomainError):
    code = "INVALID_OTP"
    message = "The code is not valid. Check it, or ask for a new one."


class OtpExpired(DomainError):
    code = "OTP_EXPIRED"
    message = "The code has expired. Ask for a new one."


class TooManyAttempts(DomainError):
    code = "TOO_MANY_ATTEMPTS"
    status = 403
    message = "Too many wrong codes. Ask for a new one."


# --- emailed links --------------------------------------------------------------------------


class InvalidLink(DomainError):
    code = "INVALID_LINK"
    message = "This link is invalid, expired or already used. Ask for a new one."


# --- second factors and passkeys ------------------------------------------------------------


class InvalidTwoFactorCode(DomainError):
    code = "INVALID_TWO_FACTOR_CODE"
    message = "The code is not valid. Check it, or use another way to confirm it is you."


class TwoFactorSignInExpired(DomainError):
    code = "TWO_FACTOR_SIGN_IN_EXPIRED"
    status = 401
    message = "This sign-in has expired or had too many wrong answers. Sign in again."


class TwoFactorNotEnabled(DomainError):
    code = "TWO_FACTOR_NOT_ENABLED"
    message = "Two-factor authentication is not set up for this account."


class TwoFactorAlreadyEnabled(DomainError):
    code = "TWO_FACTOR_ALREADY_ENABLED"
    message = "Two-factor authentication is already on. Turn it off first to set it up again."


class EmailNotVerified(DomainError):
    code = "EMAIL_NOT_VERIFIED"
    status = 403
    message = "Verify your email address first."


class InvalidPasskey(DomainError):
    code = "INVALID_PASSKEY"
    status = 401
    message = "This passkey could not be verified. Try again, or use another way to sign in."


class PasskeyRejected(InvalidPasskey):
    """INVALID_PASSKEY where the caller is already signed in (a new passkey refused, a step-up
    by passkey failed): 400, so a client does not take it for an expired access token."""

    status = 400
