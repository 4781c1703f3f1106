"""Domain errors. Each has a stable `code`; auth_api.exception_handler maps them to HTTP once."""


class DomainError(Exception):
    code = "ERROR"
    status = 400
    message = "The request could not be completed."

    def __init__(self, message: str | None = None, *, fields: dict[str, list[str]] | None = None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.fields = fields


class UserAlreadyExists(DomainError):
    code = "USER_ALREADY_EXISTS"
    status = 422
    message = "A user with this email already exists."


class PasswordRejected(DomainError):
    """A new password breaks a rule; `code` names the first rule it breaks."""

    status = 400

    def __init__(self, code: str, messages: list[str], *, field: str = "password"):
        super().__init__(messages[0], fields={field: messages})
        self.code = code


class InvalidPassword(DomainError):
    code = "INVALID_PASSWORD"
    message = "The current password is not correct."
