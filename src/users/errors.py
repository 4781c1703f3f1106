"""Domain errors, and the registry of every error code the service answers.

Each subclass that names a `code` is that code's single definition: its HTTP `status` and its one
`message` live here and nowhere else. The exception handler, the Django error views and the OpenAPI
examples all read them from `DomainError.registry`. A message may name parameters (`{method}`);
`example` gives the values the OpenAPI example is rendered with.
"""

from typing import Any, ClassVar


class DomainError(Exception):
    registry: ClassVar[dict[str, type["DomainError"]]] = {}

    code: ClassVar[str] = ""
    status: ClassVar[int] = 400
    message: ClassVar[str] = "The request could not be completed."
    example: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("code"):
            return  # an abstract family, such as PasswordRejected
        registered = DomainError.registry.setdefault(cls.code, cls)
        if registered is not cls:
            raise TypeError(f"{cls.code} is already defined by {registered.__qualname__}")

    def __init__(self, *, fields: dict[str, list[str]] | None = None, **params: str) -> None:
        self.fields = fields
        self.params = params
        super().__init__(self.text)

    @property
    def text(self) -> str:
        """The message as sent: the registered sentence, with its parameters filled in."""
        return self.message.format(**self.params) if self.params else self.message

    @classmethod
    def example_text(cls) -> str:
        return cls.message.format(**cls.example) if cls.example else cls.message


class UserAlreadyExists(DomainError):
    code = "USER_ALREADY_EXISTS"
    status = 422
    message = "A user with this email already exists."


class InvalidPassword(DomainError):
    code = "INVALID_PASSWORD"
    message = "The current password is not correct."


class PasswordUnchanged(DomainError):
    code = "PASSWORD_UNCHANGED"
    message = "The new password is the current one: choose another."


class PasswordRejected(DomainError):
    """A new password breaks a rule; each rule is its own code. `fields` carry Django's texts."""


class PasswordTooShort(PasswordRejected):
    code = "PASSWORD_TOO_SHORT"
    message = "This password is too short. It must contain at least 8 characters."


class PasswordTooLong(PasswordRejected):
    code = "PASSWORD_TOO_LONG"
    message = "This password is too long. It must contain at most 128 characters."


class PasswordTooCommon(PasswordRejected):
    code = "PASSWORD_TOO_COMMON"
    message = "This password is too common."


class PasswordTooSimilar(PasswordRejected):
    code = "PASSWORD_TOO_SIMILAR"
    message = "The password is too similar to your email or name."


class PasswordNotAllowed(PasswordRejected):
    """Any other validator a project adds to AUTH_PASSWORD_VALIDATORS."""

    code = "PASSWORD_INVALID"
    message = "This password is not allowed."
