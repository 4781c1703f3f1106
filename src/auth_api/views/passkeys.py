"""Passkeys: passkey/registration-options/, register/, authentication-options/, sign-in/ and the
caller's list: passkeys/ (list), passkeys/{id}/ (rename, delete)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from auth_api.authentication import principal_of
from auth_api.client import client_info
from auth_api.flows.passkeys import (
    passkey_authentication_options,
    passkey_delete,
    passkey_register,
    passkey_registration_options,
    passkey_rename,
    passkeys_list,
    sign_in_by_passkey,
)
from auth_api.http import responses
from auth_api.http.actions import bearer_action, public_action
from auth_api.http.schema import (
    AUTH_ERRORS,
    BODY_TRANSPORT_PARAMETER,
    FACTOR_CHANGE_ERRORS,
    error_responses,
    sign_in_answer,
)
from auth_api.http.serializers import (
    CreationOptionsSerializer,
    PasskeyAnswerSerializer,
    PasskeyOptionsRequestSerializer,
    PasskeyRegisterRequestSerializer,
    PasskeyRenameRequestSerializer,
    PasskeySerializer,
    PasskeySignInRequestSerializer,
    RequestOptionsSerializer,
)


class PasskeyViewSet(viewsets.ViewSet):
    @extend_schema(
        operation_id="passkey_registration_options",
        request=None,
        responses={
            200: CreationOptionsSerializer,
            **error_responses("EMAIL_NOT_VERIFIED", *FACTOR_CHANGE_ERRORS, with_body=False),
        },
        summary="Options for navigator.credentials.create(): a new passkey of the caller.",
        description=(
            "Needs a fresh sign-in and a verified address. A discoverable credential with "
            "user verification; the challenge is single use, bound to the caller, 5 minutes."
        ),
    )
    @bearer_action(methods=["post"], url_path="registration-options")
    def registration_options(self, request: Request) -> Response:
        return Response(passkey_registration_options(principal=principal_of(request)))

    @extend_schema(
        operation_id="passkey_register",
        request=PasskeyRegisterRequestSerializer,
        responses={
            201: PasskeyAnswerSerializer,
            **error_responses(
                "INVALID_PASSKEY",
                "EMAIL_NOT_VERIFIED",
                *AUTH_ERRORS,
                statuses={"INVALID_PASSKEY": 400},
            ),
        },
        summary="Keep the passkey navigator.credentials.create() made.",
    )
    @bearer_action(methods=["post"], url_path="register")
    def register(self, request: Request) -> Response:
        data = PasskeyRegisterRequestSerializer.parse(request.data)
        passkey = passkey_register(
            principal=principal_of(request),
            credential=data["credential"],
            name=data["name"],
            client=client_info(request),
        )
        return Response(
            {"passkey": PasskeySerializer(passkey).data}, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        operation_id="passkey_authentication_options",
        request=PasskeyOptionsRequestSerializer,
        parameters=[BODY_TRANSPORT_PARAMETER],
        responses={
            200: RequestOptionsSerializer,
            **error_responses("INVALID_EMAIL", "TOO_MANY_REQUESTS"),
        },
        summary="Options for navigator.credentials.get(): sign-in, second step or step-up.",
        description=(
            "The challenge is single use, lives 5 minutes and is bound to this client (an "
            "httpOnly cookie, or `challengeToken` in the answer for body-transport clients, "
            "sent back with the credential). No credential is named: the browser offers the "
            "passkeys it holds for this site (autofill with `mediation: conditional`)."
        ),
    )
    @public_action(methods=["post"], url_path="authentication-options")
    def authentication_options(self, request: Request) -> Response:
        data = PasskeyOptionsRequestSerializer.parse(request.data if request.body else {})
        client = client_info(request, data)
        options, token = passkey_authentication_options(client=client)
        return responses.passkey_options(options, token=token, client=client)

    @extend_schema(
        operation_id="passkey_sign_in",
        request=PasskeySignInRequestSerializer,
        parameters=[BODY_TRANSPORT_PARAMETER],
        responses={
            200: sign_in_answer(),
            **error_responses("INVALID_PASSKEY", "TOO_MANY_REQUESTS"),
        },
        summary="Sign in with a passkey alone (multi-factor by itself: no second step).",
    )
    @public_action(methods=["post"], url_path="sign-in")
    def sign_in(self, request: Request) -> Response:
        data = PasskeySignInRequestSerializer.parse(request.data)
        client = client_info(request, data)
        outcome = sign_in_by_passkey(
            credential=data["credential"], remember_me=data["rememberMe"], client=client
        )
        return responses.signed_in(outcome, client=client)


class PasskeysViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated]
    lookup_value_converter = "str"  # [^/]+, matched by path() (the router uses no regex)

    @extend_schema(
        operation_id="passkeys_list",
        responses={
            200: PasskeySerializer(many=True),
            **error_responses(*AUTH_ERRORS, with_body=False),
        },
        summary="The caller's passkeys, newest first.",
    )
    def list(self, request: Request) -> Response:
        items = passkeys_list(principal=principal_of(request))
        return Response(PasskeySerializer(items, many=True).data)

    @extend_schema(
        operation_id="passkeys_rename",
        request=PasskeyRenameRequestSerializer,
        responses={
            200: PasskeyAnswerSerializer,
            **error_responses("NOT_FOUND", *AUTH_ERRORS),
        },
        summary="Rename one of the caller's passkeys.",
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        data = PasskeyRenameRequestSerializer.parse(request.data)
        passkey = passkey_rename(principal=principal_of(request), passkey_id=pk, name=data["name"])
        return Response({"passkey": PasskeySerializer(passkey).data})

    @extend_schema(
        operation_id="passkeys_delete",
        responses={
            204: None,
            **error_responses("NOT_FOUND", *FACTOR_CHANGE_ERRORS, with_body=False),
        },
        summary="Delete one of the caller's passkeys (needs a fresh sign-in).",
    )
    def destroy(self, request: Request, pk: str) -> Response:
        passkey_delete(principal=principal_of(request), passkey_id=pk, client=client_info(request))
        return responses.no_content()
