"""Passwords: password/reset/ (forgotten, with a code or reset token) and password/change/."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from auth_api.authentication import principal_of
from auth_api.client import client_info
from auth_api.flows.password_change import password_change
from auth_api.flows.password_reset import password_reset_by_code, password_reset_by_token
from auth_api.http import responses
from auth_api.http.actions import bearer_action, public_action
from auth_api.http.schema import (
    AUTH_ERRORS,
    BODY_TRANSPORT_PARAMETER,
    CODE_ERRORS,
    PASSWORD_ERRORS,
    error_responses,
)
from auth_api.http.serializers import (
    PasswordChangeRequestSerializer,
    PasswordResetRequestSerializer,
    SuccessResponseSerializer,
    UserResponseSerializer,
)

_CODE_ERRORS = ("INVALID_EMAIL", *CODE_ERRORS)


class PasswordViewSet(viewsets.ViewSet):
    @extend_schema(
        operation_id="password_reset",
        parameters=[BODY_TRANSPORT_PARAMETER],
        request=PasswordResetRequestSerializer,
        responses={
            200: SuccessResponseSerializer,
            **error_responses("INVALID_TOKEN", *_CODE_ERRORS, *PASSWORD_ERRORS),
        },
        summary="Set a new password with a resetToken, or with email + forget-password code.",
        description=(
            "Every sign-in of the user ends, the email is marked verified, and a notification "
            "email is sent. A reset token works once and for 10 minutes."
        ),
        examples=[
            OpenApiExample(
                "With a reset token",
                request_only=True,
                value={"resetToken": "eyJhbGciOi...", "password": "a new pass phrase"},
            ),
            OpenApiExample(
                "In one call",
                request_only=True,
                value={"email": "ada@example.com", "otp": "314159", "password": "a new phrase"},
            ),
        ],
    )
    @public_action(methods=["post"], url_path="reset")
    def reset(self, request: Request) -> Response:
        data = PasswordResetRequestSerializer.parse(request.data)
        if "resetToken" in data:
            password_reset_by_token(
                reset_token=data["resetToken"],
                password=data["password"],
                client=client_info(request, data),
            )
        else:
            password_reset_by_code(
                email=data["email"],
                code=data["otp"],
                password=data["password"],
                client=client_info(request, data),
            )
        return responses.success()

    @extend_schema(
        operation_id="password_change",
        parameters=[BODY_TRANSPORT_PARAMETER],
        request=PasswordChangeRequestSerializer,
        responses={
            200: UserResponseSerializer,
            **error_responses(
                "INVALID_PASSWORD",
                "PASSWORD_UNCHANGED",
                *PASSWORD_ERRORS,
                *AUTH_ERRORS,
                "REAUTHENTICATION_REQUIRED",
                "TOO_MANY_REQUESTS",
            ),
        },
        summary="Change the password; other sign-ins end unless revokeOtherSessions is false.",
    )
    @bearer_action(methods=["post"], url_path="change")
    def change(self, request: Request) -> Response:
        data = PasswordChangeRequestSerializer.parse(request.data)
        user = password_change(
            principal=principal_of(request),
            current_password=data.get("currentPassword"),
            new_password=data["newPassword"],
            revoke_others=data["revokeOtherSessions"],
            client=client_info(request),
        )
        return responses.user_answer(user)
