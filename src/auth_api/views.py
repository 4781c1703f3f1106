"""HTTP layer: validate input, call one flow, render. No business rules here."""

from django.middleware.csrf import get_token
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from .cookies import clear_refresh_cookie, read_refresh_cookie, set_refresh_cookie
from .csrf import enforce_csrf
from .flows.password_change import password_change
from .flows.refresh import refresh, sign_out
from .flows.sessions import current_session, list_sessions, revoke_session
from .flows.sign_in import sign_in_with_password
from .flows.sign_up import sign_up
from .http import client_info, wants_body_transport
from .schema import BODY_TRANSPORT_PARAMETER, error_responses
from .serializers import (
    AccessTokenResponseSerializer,
    PasswordChangeRequestSerializer,
    RefreshRequestSerializer,
    SessionResponseSerializer,
    SignedInResponseSerializer,
    SignInListItemSerializer,
    SignInRequestSerializer,
    SignUpRequestSerializer,
    UserResponseSerializer,
    UserSerializer,
)
from .sign_ins import IssuedTokens

PUBLIC = {"authentication_classes": [], "permission_classes": []}
BEARER = {"permission_classes": [IsAuthenticated]}
_AUTH_ERRORS = {401: ["NOT_AUTHENTICATED", "TOKEN_INVALID"]}
PASSWORD_ERRORS = [
    "PASSWORD_TOO_SHORT",
    "PASSWORD_TOO_LONG",
    "PASSWORD_TOO_COMMON",
    "PASSWORD_TOO_SIMILAR",
]
_REFRESH_COOKIE_DOC = (
    "Authenticated by the `refresh_token` cookie (`__Secure-refresh_token` outside DEBUG) plus "
    "the `X-CSRFToken` header (see `GET csrf/`), or — for non-browser clients — by "
    "`refreshToken` in the body, which needs no cookie and no CSRF token."
)


def _token_body(tokens: IssuedTokens, *, in_body: bool) -> dict:
    body = {"accessToken": tokens.access_token, "accessTokenExpiresAt": tokens.access_expires_at}
    if in_body:
        body["refreshToken"] = tokens.refresh_token
        body["refreshTokenExpiresAt"] = tokens.sign_in.expires_at
    return body


def _tokens_response(
    tokens: IssuedTokens, *, in_body: bool, with_user: bool, code: int
) -> Response:
    body = _token_body(tokens, in_body=in_body)
    if with_user:
        body = {"user": UserSerializer(tokens.user).data, **body}
    response = Response(body, status=code)
    if not in_body:
        set_refresh_cookie(response, token=tokens.refresh_token, sign_in=tokens.sign_in)
    return response


def signed_in_response(
    request: Request, tokens: IssuedTokens, code: int = status.HTTP_200_OK
) -> Response:
    return _tokens_response(
        tokens, in_body=wants_body_transport(request), with_user=True, code=code
    )


def _refresh_token_from(request: Request, data: dict) -> tuple[str | None, bool]:
    """(token, came in body). A cookie-borne token is only honoured with a valid CSRF token."""
    if data.get("refreshToken"):
        return data["refreshToken"], True
    token = read_refresh_cookie(request._request)
    if token:
        enforce_csrf(request._request)
    return token, False


class AuthViewSet(viewsets.ViewSet):
    @extend_schema(
        operation_id="sign_up",
        request=SignUpRequestSerializer,
        parameters=[BODY_TRANSPORT_PARAMETER],
        responses={
            201: SignedInResponseSerializer,
            **error_responses(
                {
                    400: ["INVALID_EMAIL", *PASSWORD_ERRORS, "INVALID_ROLE"],
                    422: ["USER_ALREADY_EXISTS"],
                    429: ["TOO_MANY_REQUESTS"],
                }
            ),
        },
        examples=[
            OpenApiExample(
                "Teacher",
                request_only=True,
                value={
                    "name": "Ada Lovelace",
                    "email": "ada@example.com",
                    "password": "correct horse battery",
                    "role": "teacher",
                    "rememberMe": True,
                },
            )
        ],
        summary="Create an account with email and password, and sign in.",
    )
    @action(detail=False, methods=["post"], url_path="sign-up", **PUBLIC)
    def sign_up(self, request: Request) -> Response:
        data = SignUpRequestSerializer.parse(request.data)
        tokens = sign_up(
            email=data["email"],
            password=data["password"],
            name=data["name"],
            role=data["role"],
            remember_me=data["rememberMe"],
            client=client_info(request._request),
        )
        return signed_in_response(request, tokens, status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="sign_in",
        request=SignInRequestSerializer,
        parameters=[BODY_TRANSPORT_PARAMETER],
        responses={
            200: SignedInResponseSerializer,
            **error_responses(
                {
                    400: ["INVALID_EMAIL"],
                    401: ["INVALID_EMAIL_OR_PASSWORD"],
                    429: ["TOO_MANY_REQUESTS"],
                }
            ),
        },
        summary="Sign in with email and password.",
    )
    @action(detail=False, methods=["post"], url_path="sign-in", **PUBLIC)
    def sign_in(self, request: Request) -> Response:
        data = SignInRequestSerializer.parse(request.data)
        tokens = sign_in_with_password(
            email=data["email"],
            password=data["password"],
            remember_me=data["rememberMe"],
            client=client_info(request._request),
        )
        return signed_in_response(request, tokens)

    @extend_schema(
        operation_id="refresh",
        request=RefreshRequestSerializer,
        responses={
            200: AccessTokenResponseSerializer,
            **error_responses(
                {401: ["INVALID_REFRESH_TOKEN", "REFRESH_TOKEN_REUSED"], 403: ["CSRF_FAILED"]}
            ),
        },
        summary="Rotate the refresh token and get a new access token.",
        description=_REFRESH_COOKIE_DOC,
    )
    @action(detail=False, methods=["post"], url_path="refresh", **PUBLIC)
    def refresh(self, request: Request) -> Response:
        data = RefreshRequestSerializer.parse(request.data if request.body else {})
        raw, in_body = _refresh_token_from(request, data)
        tokens = refresh(raw_token=raw)
        return _tokens_response(tokens, in_body=in_body, with_user=False, code=status.HTTP_200_OK)

    @extend_schema(
        operation_id="sign_out",
        request=RefreshRequestSerializer,
        responses={204: None, **error_responses({403: ["CSRF_FAILED"]})},
        summary="End this sign-in (its whole refresh-token family) and clear the cookie.",
        description=_REFRESH_COOKIE_DOC + " Needs no access token, so it works after one expired.",
    )
    @action(detail=False, methods=["post"], url_path="sign-out", **PUBLIC)
    def sign_out(self, request: Request) -> Response:
        data = RefreshRequestSerializer.parse(request.data if request.body else {})
        raw, _ = _refresh_token_from(request, data)
        sign_out(raw_token=raw)
        response = Response(status=status.HTTP_204_NO_CONTENT)
        clear_refresh_cookie(response)
        return response

    @extend_schema(
        operation_id="session",
        responses={
            200: SessionResponseSerializer,
            **error_responses(_AUTH_ERRORS, with_body=False),
        },
        summary="The signed-in user, fresh from the database, and the current sign-in.",
    )
    @action(detail=False, methods=["get"], url_path="session", **BEARER)
    def session(self, request: Request) -> Response:
        user, sign_in = current_session(principal=request.user)
        return Response(SessionResponseSerializer({"user": user, "session": sign_in}).data)

    @extend_schema(
        operation_id="csrf",
        request=None,
        responses={204: None},
        summary="Set the `csrftoken` cookie; send its value back as `X-CSRFToken`.",
    )
    @action(detail=False, methods=["get"], url_path="csrf", **PUBLIC)
    def csrf(self, request: Request) -> Response:
        get_token(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        operation_id="password_change",
        request=PasswordChangeRequestSerializer,
        responses={
            200: UserResponseSerializer,
            **error_responses(
                {
                    400: ["INVALID_PASSWORD", *PASSWORD_ERRORS],
                    **_AUTH_ERRORS,
                    429: ["TOO_MANY_REQUESTS"],
                }
            ),
        },
        summary="Change the password; other sign-ins end unless revokeOtherSessions is false.",
    )
    @action(detail=False, methods=["post"], url_path="password/change", **BEARER)
    def password_change(self, request: Request) -> Response:
        data = PasswordChangeRequestSerializer.parse(request.data)
        user = password_change(
            principal=request.user,
            current_password=data["currentPassword"],
            new_password=data["newPassword"],
            revoke_others=data["revokeOtherSessions"],
        )
        return Response(UserResponseSerializer({"user": user}).data)


class SessionsViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated]
    lookup_value_regex = "[^/]+"

    @extend_schema(
        operation_id="sessions_list",
        responses={
            200: SignInListItemSerializer(many=True),
            **error_responses(_AUTH_ERRORS, with_body=False),
        },
        summary="The caller's live sign-ins, newest use first.",
    )
    def list(self, request: Request) -> Response:
        sign_ins = list_sessions(principal=request.user)
        return Response(SignInListItemSerializer(sign_ins, many=True).data)

    @extend_schema(
        operation_id="sessions_revoke",
        parameters=[],
        responses={
            204: None,
            **error_responses({**_AUTH_ERRORS, 404: ["NOT_FOUND"]}, with_body=False),
        },
        summary="End one of the caller's sign-ins.",
    )
    def destroy(self, request: Request, pk: str) -> Response:
        revoke_session(principal=request.user, sign_in_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
