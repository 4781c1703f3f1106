"""Who may call a view: the kinds of action every viewset here declares, and permission classes
for the app's own DRF views that read only the verified access token (zero queries):

    from auth_api.permissions import HasRole, IsEmailVerified

    class GradebookView(APIView):
        permission_classes = [HasRole("teacher"), IsEmailVerified]
"""

from collections.abc import Callable
from typing import Literal

from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated

Method = Literal["get", "post", "patch", "delete"]


def public_action(*, methods: list[Method], url_path: str, **options) -> Callable:
    """No credentials read at all: sign-up, sign-in, codes, and refresh/sign-out (which check
    their own cookie or body token). `options` go to DRF's action (e.g. parser_classes)."""
    return action(
        detail=False,
        methods=methods,
        url_path=url_path,
        authentication_classes=[],
        permission_classes=[],
        **options,
    )


def bearer_action(*, methods: list[Method], url_path: str) -> Callable:
    """A valid access token (Bearer), verified without a database query."""
    return action(
        detail=False, methods=methods, url_path=url_path, permission_classes=[IsAuthenticated]
    )


def optional_bearer_action(*, methods: list[Method], url_path: str) -> Callable:
    """Open to anyone; a Bearer token, when sent, must be valid and changes what the view does."""
    return action(detail=False, methods=methods, url_path=url_path, permission_classes=[AllowAny])


def _claims(request):
    from .sessions.tokens import AccessClaims

    return request.auth if isinstance(request.auth, AccessClaims) else None


def HasRole(*roles: str) -> type[BasePermission]:
    """Allows callers whose access token carries one of `roles` (`teacher`, `student`)."""

    class _HasRole(BasePermission):
        message = "Your role does not allow this."

        def has_permission(self, request, view) -> bool:
            claims = _claims(request)
            return claims is not None and claims.role in roles

    _HasRole.__name__ = _HasRole.__qualname__ = f"HasRole({', '.join(map(repr, roles))})"
    return _HasRole


class IsEmailVerified(BasePermission):
    """Allows callers whose access token says their email address is verified."""

    message = "Verify your email address first."

    def has_permission(self, request, view) -> bool:
        claims = _claims(request)
        return claims is not None and claims.email_verified
