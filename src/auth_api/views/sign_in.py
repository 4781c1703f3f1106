"""Signing in and out: sign-up/, sign-in/, refresh/, sign-out/, csrf/ (at the API's root)."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from auth_api.client import client_info
from auth_api.flows.refresh import sign_in_refresh
from auth_api.flows.sign_in import sign_in_by_password
from auth_api.flows.sign_out import sign_in_end_by_token
from auth_api.flows.sign_up import sign_up_by_password
from auth_api.http import responses
from auth_api.http.actions import public_action
from auth_api.http.schema import (
    BODY_TRANSPORT_PARAMETER,
    PASSWORD_ERRORS,
    REFRESH_COOKIE_DOC,
    REFRESH_EXAMPLES,
    error_responses,
    sign_in_answer,
)
from auth_api.http.serializers import (
    AccessTokenResponseSerializer,
    RefreshRequestSerializer,
    SignedInResponseSerializer,
    SignInRequestSerializer,
    SignUpRequestSerializer,
)
from auth_api.tokens.transport import (
    cookie_token_if_honoured,
    issue_csrf_cookie,
    refresh_token_from,
)


class SignInViewSet(viewsets.ViewSet):
    @extend_schema(
        operation_id="sign_up",
        request=SignUpRequestSerializer,
        parameters=[BODY_TRANSPORT_PARAMETER],
        responses={
            201: SignedInResponseSerializer,
            **error_responses(
                "INVALID_EMAIL",
                *PASSWORD_ERRORS,
                "INVALID_ROLE",
                "USER_ALREADY_EXISTS",
                "TOO_MANY_REQUESTS",
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
    @public_action(methods=["post"], url_path="sign-up")
    def sign_up(self, request: Request) -> Response:
        data = SignUpRequestSerializer.parse(request.data)
        client = client_info(request)
        signed_up = sign_up_by_password(
            email=data["email"],
            password=data["password"],
            name=data["name"],
            role=data["role"],
            remember_me=data["rememberMe"],
            client=client,
        )
        return responses.signed_in(
            signed_up.tokens,
            client=client,
            code=status.HTTP_201_CREATED,
            flow_id=signed_up.flow_id,
        )

    @extend_schema(
        operation_id="sign_in",
        request=SignInRequestSerializer,
        parameters=[BODY_TRANSPORT_PARAMETER],
        responses={
            200: sign_in_answer(),
            **error_responses(
                "INVALID_EMAIL",
                "INVALID_EMAIL_OR_PASSWORD",
                "PASSWORD_SIGN_IN_CLOSED",
                "TOO_MANY_REQUESTS",
            ),
        },
        summary="Sign in with email and password.",
        description=(
            "With two-factor authentication on, the answer is `{twoFactorRedirect: true, "
            "twoFactorMethods}` and a pending sign-in (an httpOnly cookie for 5 minutes, or "
            "`twoFactorToken` for body-transport clients), never a token: answer it at "
            "two-factor/verify-totp/, verify-backup-code/ or verify-passkey/. A device its "
            "owner trusted at a second step (`trustDevice`) skips it. "
            "A client that signed in to the account before (device cookie, or `deviceToken`) "
            "has its own failure budget. Other clients share per-address and per-account "
            "budgets, and after 100 consecutive failures from them password sign-in closes to "
            "them (`PASSWORD_SIGN_IN_CLOSED`, for known and unknown addresses alike) until the "
            "owner signs in with a code or resets the password."
        ),
    )
    @public_action(methods=["post"], url_path="sign-in")
    def sign_in(self, request: Request) -> Response:
        data = SignInRequestSerializer.parse(request.data)
        client = client_info(request, data)
        tokens = sign_in_by_password(
            email=data["email"],
            password=data["password"],
            remember_me=data["rememberMe"],
            client=client,
        )
        return responses.signed_in(tokens, client=client)

    @extend_schema(
        operation_id="refresh",
        request=RefreshRequestSerializer,
        responses={
            200: AccessTokenResponseSerializer,
            **error_responses("INVALID_REFRESH_TOKEN", "REFRESH_TOKEN_REUSED", "CSRF_FAILED"),
        },
        examples=REFRESH_EXAMPLES,
        summary="Rotate the refresh token and get a new access token.",
        description=REFRESH_COOKIE_DOC,
    )
    @public_action(methods=["post"], url_path="refresh")
    def refresh(self, request: Request) -> Response:
        data = RefreshRequestSerializer.parse(request.data if request.body else {})
        raw, in_body = refresh_token_from(request, body_token=data.get("refreshToken"))
        tokens = sign_in_refresh(raw_token=raw)
        return responses.rotated(tokens, in_body=in_body)

    @extend_schema(
        operation_id="sign_out",
        request=RefreshRequestSerializer,
        responses={204: None, **error_responses("CSRF_FAILED")},
        examples=REFRESH_EXAMPLES,
        summary="End this sign-in (every refresh token of it) and clear the cookie.",
        description=REFRESH_COOKIE_DOC + " Needs no access token, so it works after one expired.",
    )
    @public_action(methods=["post"], url_path="sign-out")
    def sign_out(self, request: Request) -> Response:
        data = RefreshRequestSerializer.parse(request.data if request.body else {})
        raw, in_body = refresh_token_from(request, body_token=data.get("refreshToken"))
        sign_in_end_by_token(raw_token=raw)
        # The answer clears the refresh cookie: a sign-in it held ends too, not only the body's.
        if in_body and (cookie := cookie_token_if_honoured(request)) not in (None, raw):
            sign_in_end_by_token(raw_token=cookie)
        return responses.signed_out()

    @extend_schema(
        operation_id="csrf",
        request=None,
        responses={204: None, **error_responses(with_body=False)},
        summary="Set the `csrftoken` cookie; send its value back as `X-CSRFToken`.",
    )
    @public_action(methods=["get"], url_path="csrf")
    def csrf(self, request: Request) -> Response:
        issue_csrf_cookie(request)
        return responses.no_content()
