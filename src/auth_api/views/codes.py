"""HTTP layer of the email-code flows: validate input, call one flow, render."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from auth_api.authentication import optional_principal
from auth_api.client import client_info
from auth_api.codes.types import CodeType
from auth_api.flows.code_check import code_check
from auth_api.flows.code_send import code_send
from auth_api.flows.email_verification import email_verify_by_code
from auth_api.flows.sign_in_by_code import sign_in_by_code
from auth_api.http import responses
from auth_api.http.actions import optional_bearer_action, public_action
from auth_api.http.schema import (
    BODY_TRANSPORT_PARAMETER,
    CODE_ERRORS,
    SEND_ERRORS,
    error_responses,
    sign_in_answer,
)
from auth_api.http.serializers import (
    OtpCheckRequestSerializer,
    OtpCheckResponseSerializer,
    OtpSendRequestSerializer,
    OtpSendResponseSerializer,
    OtpSignInRequestSerializer,
    OtpVerifyEmailRequestSerializer,
    VerifyEmailResponseSerializer,
)
from users.models import User

_CODE_ERRORS = ("INVALID_EMAIL", *CODE_ERRORS)


def sent(request: Request, *, with_code: bool) -> Response:
    """email-otp/send/ and email-link/send/: a code and its link, or the link alone."""
    data = OtpSendRequestSerializer.parse(request.data)
    client = client_info(request, data)
    flow_id = code_send(
        email=data["email"],
        type=CodeType(data["type"]),
        client=client,
        principal=optional_principal(request),
        with_code=with_code,
    )
    return responses.code_sent(client, flow_id=flow_id)


class EmailCodeViewSet(viewsets.ViewSet):
    @extend_schema(
        operation_id="email_otp_send",
        request=OtpSendRequestSerializer,
        responses={
            200: OtpSendResponseSerializer,
            **error_responses(*SEND_ERRORS),
        },
        parameters=[BODY_TRANSPORT_PARAMETER],
        summary="Email a 6-digit code (valid 5 minutes, 3 tries). Same answer for every address.",
        description=(
            "Always `200 {success: true}` for a well-formed email, whether or not an account "
            "exists; `sign-in` codes also go to unknown addresses (sign-up by code), the other "
            "types only to existing accounts. Mail leaves after the answer. A new send replaces "
            "the previous code of the same email and type asked for by this client. The code is "
            "bound to this client: only it can spend the code's guesses (browsers hold an "
            "httpOnly flow cookie; body-transport clients get `flowToken`). Every mail also "
            "carries a one-click link (see email-link/verify/). A `reauthentication` code is the "
            "signed-in owner's to ask for: the account's Bearer is required (401 without it, "
            "403 for another address)."
        ),
        examples=[
            OpenApiExample(
                "Forgotten password",
                request_only=True,
                value={"email": "ada@example.com", "type": "forget-password"},
            )
        ],
    )
    @optional_bearer_action(methods=["post"], url_path="send")
    def send(self, request: Request) -> Response:
        return sent(request, with_code=True)

    @extend_schema(
        operation_id="email_otp_sign_in",
        request=OtpSignInRequestSerializer,
        parameters=[BODY_TRANSPORT_PARAMETER],
        responses={
            200: sign_in_answer(),
            **error_responses(*_CODE_ERRORS, "INVALID_ROLE"),
        },
        summary="Sign in (or sign up) with an emailed `sign-in` code.",
        description=(
            "An unknown email creates a verified account without a password (`name`/`role` "
            "used then). For an existing unverified account the password is made unusable and "
            "its sign-ins are ended before it is marked verified. With two-factor on: "
            "`{twoFactorRedirect, twoFactorMethods}` instead of tokens (see sign-in/)."
        ),
    )
    @public_action(methods=["post"], url_path="sign-in")
    def sign_in(self, request: Request) -> Response:
        data = OtpSignInRequestSerializer.parse(request.data)
        client = client_info(request, data)
        tokens = sign_in_by_code(
            email=data["email"],
            code=data["otp"],
            name=data.get("name"),
            role=data.get("role"),
            remember_me=data["rememberMe"],
            client=client,
        )
        return responses.signed_in(tokens, client=client)

    @extend_schema(
        operation_id="email_otp_verify_email",
        request=OtpVerifyEmailRequestSerializer,
        parameters=[BODY_TRANSPORT_PARAMETER],
        responses={
            200: sign_in_answer(VerifyEmailResponseSerializer),
            **error_responses(*_CODE_ERRORS, "TOKEN_INVALID"),
        },
        summary="Prove the address with an `email-verification` code.",
        description=(
            "With the Bearer token of the account the address belongs to: marks it verified and "
            "answers `{user}`. Without it, the first proof of an address is a code sign-in: a "
            "password nobody proved becomes unusable, the account's sign-ins end, and the "
            "caller is signed in (`{user, accessToken, ...}` and the refresh cookie)."
        ),
    )
    @optional_bearer_action(methods=["post"], url_path="verify-email")
    def verify_email(self, request: Request) -> Response:
        data = OtpVerifyEmailRequestSerializer.parse(request.data)
        principal = optional_principal(request)
        client = client_info(request, data)
        result = email_verify_by_code(
            email=data["email"],
            code=data["otp"],
            client=client,
            signed_in_as=principal.id if principal else None,
        )
        if not isinstance(result, User):
            return responses.signed_in(result, client=client)
        return responses.user_answer(result)

    @extend_schema(
        operation_id="email_otp_check",
        parameters=[BODY_TRANSPORT_PARAMETER],
        request=OtpCheckRequestSerializer,
        responses={
            200: OtpCheckResponseSerializer,
            **error_responses(*_CODE_ERRORS, "INVALID_OTP_TYPE"),
        },
        summary="Check a code. A `forget-password` code is used up and traded for a resetToken.",
    )
    @public_action(methods=["post"], url_path="check")
    def check(self, request: Request) -> Response:
        data = OtpCheckRequestSerializer.parse(request.data)
        reset_token = code_check(
            email=data["email"],
            type=CodeType(data["type"]),
            code=data["otp"],
            client=client_info(request, data),
        )
        return responses.success(resetToken=reset_token) if reset_token else responses.success()
