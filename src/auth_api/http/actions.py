"""The kinds of action every viewset here declares: who may call it, and what it reads."""

from collections.abc import Callable
from typing import Literal

from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated

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
