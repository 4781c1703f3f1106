"""Permission classes for the app's own DRF views that read only the verified access token (zero
queries):

    from auth_api.permissions import HasRole, IsEmailVerified, RequiresMFA

    class GradebookView(APIView):
        permission_classes = [HasRole("teacher"), IsEmailVerified]

    class GradesExportView(APIView):
        permission_classes = [HasRole("teacher"), RequiresMFA]

A refusal is 403 PERMISSION_DENIED with the registry's message (auth_api.errors) whichever check
refused, so the classes set no `message`. Document it on such a view with
`error_responses(*PERMISSION_ERRORS, ...)` (auth_api.http.schema).
"""

from rest_framework.permissions import BasePermission


def _claims(request):
    from auth_api.tokens.claims import AccessClaims

    return request.auth if isinstance(request.auth, AccessClaims) else None


def HasRole(*roles: str) -> type[BasePermission]:
    """Allows callers whose access token carries one of `roles` (`teacher`, `student`)."""

    class _HasRole(BasePermission):
        def has_permission(self, request, view) -> bool:
            claims = _claims(request)
            return claims is not None and claims.role in roles

    _HasRole.__name__ = _HasRole.__qualname__ = f"HasRole({', '.join(map(repr, roles))})"
    return _HasRole


class IsEmailVerified(BasePermission):
    """Allows callers whose access token says their email address is verified."""

    def has_permission(self, request, view) -> bool:
        claims = _claims(request)
        return claims is not None and claims.email_verified


class RequiresMFA(BasePermission):
    """Allows callers whose sign-in proved two factors (the access token's RFC 8176 `amr` holds
    `mfa`), read from the token alone: zero queries. That is a password or emailed code with a
    second step (TOTP, recovery code, passkey, or a device trusted at one), or a passkey alone
    (user-verified: multi-factor by itself), whether or not the account has two-factor on."""

    def has_permission(self, request, view) -> bool:
        claims = _claims(request)
        return claims is not None and "mfa" in claims.amr
