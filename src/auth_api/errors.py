"""Authentication domain errors (codes from the API contract)."""

from users.errors import DomainError


class InvalidInput(DomainError):
    code = "VALIDATION_ERROR"
    message = "Some fields are not valid."

    def __init__(self, *, code: str, message: str, fields: dict[str, list[str]]):
        super().__init__(message, fields=fields)
        self.code = code


class InvalidCredentials(DomainError):
    code = "INVALID_EMAIL_OR_PASSWORD"
    status = 401
    message = "Invalid email or password."


class InvalidRefreshToken(DomainError):
    code = "INVALID_REFRESH_TOKEN"
    status = 401
    message = "The refresh token is missing, expired or revoked. Sign in again."


class RefreshTokenReused(DomainError):
    code = "REFRESH_TOKEN_REUSED"
    status = 401
    message = "This refresh token was already used; the sign-in has been revoked. Sign in again."


class NotAuthenticated(DomainError):
    code = "NOT_AUTHENTICATED"
    status = 401
    message = "Authentication credentials were not provided."


class TokenInvalid(DomainError):
    code = "TOKEN_INVALID"
    status = 401
    message = "The access token is invalid or expired."


class CsrfFailed(DomainError):
    code = "CSRF_FAILED"
    status = 403
    message = "CSRF verification failed. Fetch GET /api/auth/csrf/ and send the X-CSRFToken header."


class NotFound(DomainError):
    code = "NOT_FOUND"
    status = 404
    message = "Not found."


class TooManyRequests(DomainError):
    code = "TOO_MANY_REQUESTS"
    status = 429
    message = "Too many requests. Try again later."

    def __init__(self, *, retry_after: int):
        super().__init__()
        self.retry_after = max(1, retry_after)


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


class InvalidToken(DomainError):
    code = "INVALID_TOKEN"
    message = "The reset token is invalid, expired or already used."
