"""Two-factor authentication: two-factor/enable/, verify-totp/, verify-backup-code/,
verify-passkey/, generate-backup-codes/, disable/."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from auth_api.authentication import optional_principal, principal_of
from auth_api.client import client_info
from auth_api.flows.second_step import (
    second_step_passkey,
    second_step_recovery_code,
    second_step_totp,
)
from auth_api.flows.two_factor import (
    backup_codes_regenerate,
    two_factor_confirm,
    two_factor_disable,
    two_factor_enable,
)
from auth_api.http import responses
from auth_api.http.actions import bearer_action, optional_bearer_action, public_action
from auth_api.http.schema import (
    BODY_TRANSPORT_PARAMETER,
    FACTOR_CHANGE_ERRORS,
    SECOND_STEP_ERRORS,
    error_responses,
)
from auth_api.http.serializers import (
    BackupCodesResponseSerializer,
    SignedInResponseSerializer,
    TwoFactorEnableResponseSerializer,
    TwoFactorPasswordRequestSerializer,
    UserResponseSerializer,
    VerifyBackupCodeRequestSerializer,
    VerifyEmailResponseSerializer,
    VerifyPasskeyRequestSerializer,
    VerifyTotpRequestSerializer,
)

_PENDING = (
    "Answers the pending sign-in this client holds (the httpOnly cookie, or `twoFactorToken`). "
    "At most 5 answers per pending sign-in, then it is dead (`TWO_FACTOR_SIGN_IN_EXPIRED`: "
    "sign in again). `trustDevice: true` makes this device skip the second step for 30 days."
)


class TwoFactorViewSet(viewsets.ViewSet):
    @extend_schema(
        operation_id="two_factor_enable",
        request=TwoFactorPasswordRequestSerializer,
        responses={
            200: TwoFactorEnableResponseSerializer,
            **error_responses(
                "INVALID_PASSWORD",
                "TWO_FACTOR_ALREADY_ENABLED",
                "EMAIL_NOT_VERIFIED",
                "TOO_MANY_REQUESTS",
                *FACTOR_CHANGE_ERRORS,
            ),
        },
        summary="Start two-factor: an authenticator URI and 10 recovery codes.",
        description=(
            "Needs a fresh sign-in, a verified address, and `password` when the account has "
            "one. Two-factor is on once verify-totp/ (with the Bearer token) accepts the first "
            "code; until then nothing changes at sign-in."
        ),
    )
    @bearer_action(methods=["post"], url_path="enable")
    def enable(self, request: Request) -> Response:
        data = TwoFactorPasswordRequestSerializer.parse(request.data)
        enrolment = two_factor_enable(
            principal=principal_of(request),
            password=data.get("password"),
            client=client_info(request, data),
        )
        return Response({"totpURI": enrolment.totp_uri, "backupCodes": enrolment.backup_codes})

    @extend_schema(
        operation_id="two_factor_verify_totp",
        request=VerifyTotpRequestSerializer,
        parameters=[BODY_TRANSPORT_PARAMETER],
        responses={
            200: VerifyEmailResponseSerializer,
            **error_responses(
                "INVALID_TWO_FACTOR_CODE",
                "TWO_FACTOR_NOT_ENABLED",
                "TWO_FACTOR_ALREADY_ENABLED",
                *SECOND_STEP_ERRORS,
                "TOKEN_INVALID",
            ),
        },
        summary="A code from the authenticator app: completes enrolment, or a pending sign-in.",
        description=(
            "With a Bearer token: the first right code turns two-factor on (`{user}` with "
            "`twoFactorEnabled: true`). Without one: the second step of a pending sign-in, "
            "signed in when right. " + _PENDING + " A code is accepted once (a replay fails "
            "on every worker)."
        ),
    )
    @optional_bearer_action(methods=["post"], url_path="verify-totp")
    def verify_totp(self, request: Request) -> Response:
        data = VerifyTotpRequestSerializer.parse(request.data)
        client = client_info(request, data)
        principal = optional_principal(request)
        if principal is not None:
            user = two_factor_confirm(principal=principal, code=data["code"], client=client)
            return responses.user_answer(user)
        tokens = second_step_totp(
            code=data["code"], trust_device=data["trustDevice"], client=client
        )
        return responses.second_step_passed(tokens, client=client)

    @extend_schema(
        operation_id="two_factor_verify_backup_code",
        request=VerifyBackupCodeRequestSerializer,
        parameters=[BODY_TRANSPORT_PARAMETER],
        responses={
            200: SignedInResponseSerializer,
            **error_responses("INVALID_TWO_FACTOR_CODE", *SECOND_STEP_ERRORS),
        },
        summary="A recovery code as the second step: signed in; that code is used up.",
        description=_PENDING + " The owner gets a mail saying how many codes remain.",
    )
    @public_action(methods=["post"], url_path="verify-backup-code")
    def verify_backup_code(self, request: Request) -> Response:
        data = VerifyBackupCodeRequestSerializer.parse(request.data)
        client = client_info(request, data)
        tokens = second_step_recovery_code(
            code=data["code"], trust_device=data["trustDevice"], client=client
        )
        return responses.second_step_passed(tokens, client=client)

    @extend_schema(
        operation_id="two_factor_verify_passkey",
        request=VerifyPasskeyRequestSerializer,
        parameters=[BODY_TRANSPORT_PARAMETER],
        responses={
            200: SignedInResponseSerializer,
            **error_responses("INVALID_PASSKEY", *SECOND_STEP_ERRORS),
        },
        summary="A passkey of the account as the second step: signed in.",
        description=("Get the challenge from passkey/authentication-options/ first. " + _PENDING),
    )
    @public_action(methods=["post"], url_path="verify-passkey")
    def verify_passkey(self, request: Request) -> Response:
        data = VerifyPasskeyRequestSerializer.parse(request.data)
        client = client_info(request, data)
        tokens = second_step_passkey(
            credential=data["credential"], trust_device=data["trustDevice"], client=client
        )
        return responses.second_step_passed(tokens, client=client)

    @extend_schema(
        operation_id="two_factor_generate_backup_codes",
        request=None,
        responses={
            200: BackupCodesResponseSerializer,
            **error_responses("TWO_FACTOR_NOT_ENABLED", *FACTOR_CHANGE_ERRORS, with_body=False),
        },
        summary="10 new recovery codes; the old ones stop working. Needs a fresh sign-in.",
    )
    @bearer_action(methods=["post"], url_path="generate-backup-codes")
    def generate_backup_codes(self, request: Request) -> Response:
        codes = backup_codes_regenerate(
            principal=principal_of(request), client=client_info(request)
        )
        return Response({"backupCodes": codes})

    @extend_schema(
        operation_id="two_factor_disable",
        request=TwoFactorPasswordRequestSerializer,
        responses={
            200: UserResponseSerializer,
            **error_responses(
                "INVALID_PASSWORD",
                "TWO_FACTOR_NOT_ENABLED",
                "TOO_MANY_REQUESTS",
                *FACTOR_CHANGE_ERRORS,
            ),
        },
        summary="Turn two-factor off: the authenticator and recovery codes go, trust ends.",
        description=(
            "Needs a fresh sign-in and `password` when the account has one. Every trusted "
            "device ends (none skips a second step any more); passkeys stay. The owner gets "
            "a mail."
        ),
    )
    @bearer_action(methods=["post"], url_path="disable")
    def disable(self, request: Request) -> Response:
        data = TwoFactorPasswordRequestSerializer.parse(request.data)
        user = two_factor_disable(
            principal=principal_of(request),
            password=data.get("password"),
            client=client_info(request, data),
        )
        return responses.user_answer(user)
