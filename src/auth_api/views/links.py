"""One-click links: email-link/send/ (link-only mail) and email-link/verify/ (use a link)."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from auth_api.authentication import optional_principal
from auth_api.client import client_info
from auth_api.flows.email_link import email_link_verify
from auth_api.http import responses
from auth_api.http.actions import optional_bearer_action
from auth_api.http.schema import (
    BODY_TRANSPORT_PARAMETER,
    SEND_ERRORS,
    error_responses,
)
from auth_api.http.serializers import (
    EmailLinkVerifyRequestSerializer,
    EmailLinkVerifyResponseSerializer,
    OtpSendRequestSerializer,
    OtpSendResponseSerializer,
)
from auth_api.views.codes import sent


class EmailLinkViewSet(viewsets.ViewSet):
    @extend_schema(
        operation_id="email_link_send",
        request=OtpSendRequestSerializer,
        parameters=[BODY_TRANSPORT_PARAMETER],
        responses={
            200: OtpSendResponseSerializer,
            **error_responses(*SEND_ERRORS),
        },
        summary="Email a one-click link alone (no code): the limits and answer of email-otp/send/.",
    )
    @optional_bearer_action(methods=["post"], url_path="send")
    def send(self, request: Request) -> Response:
        return sent(request, with_code=False)

    @extend_schema(
        operation_id="email_link_verify",
        request=EmailLinkVerifyRequestSerializer,
        parameters=[BODY_TRANSPORT_PARAMETER],
        responses={
            200: EmailLinkVerifyResponseSerializer,
            **error_responses("INVALID_LINK", "USER_ALREADY_EXISTS", "TOKEN_INVALID"),
        },
        summary="Use the one-click link of a mail: what the code of that mail would give.",
        description=(
            "Every code mail carries a link `{WEB_ORIGIN}/auth/link#token=...`; the web app's page "
            "asks for one click, then posts the token here (a GET never uses a link: mail "
            "scanners open links). Works from any browser and needs no budget; single use, valid "
            "as long as its code (7 days for the undo of an email change). Signed in for a "
            "sign-in or the first proof of an address (and a step-up, with the sign-in's Bearer); "
            "`{user}` for a verification with the account's Bearer; `{success, resetToken}` for a "
            "forgotten password; `{success}` for an email change and its undo. A sign-in of an "
            "account with two-factor on answers `{twoFactorRedirect, twoFactorMethods}` "
            "instead of tokens (see sign-in/)."
        ),
        examples=[OpenApiExample("A link", request_only=True, value={"token": "q3R…"})],
    )
    @optional_bearer_action(methods=["post"], url_path="verify")
    def verify(self, request: Request) -> Response:
        data = EmailLinkVerifyRequestSerializer.parse(request.data)
        client = client_info(request, data)
        outcome = email_link_verify(
            token=data["token"], client=client, principal=optional_principal(request)
        )
        if outcome.tokens is not None:
            return responses.signed_in(outcome.tokens, client=client)
        if outcome.user is not None:
            return responses.user_answer(outcome.user)
        if outcome.reset_token is not None:
            return responses.success(resetToken=outcome.reset_token)
        return responses.success()
