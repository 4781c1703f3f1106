"""HTTP layer of account self-service: profile, step-up, email change, deletion, activity."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from auth_api.authentication import principal_of
from auth_api.client import client_info
from auth_api.flows.account_deletion import account_delete_own
from auth_api.flows.email_change import email_change_confirm, email_change_request
from auth_api.flows.profile import profile_update
from auth_api.flows.reauthentication import sign_in_reauthenticate
from auth_api.flows.security_activity import security_events_list
from auth_api.http import responses
from auth_api.http.actions import bearer_action
from auth_api.http.schema import AUTH_ERRORS, BODY_TRANSPORT_PARAMETER, CODE_ERRORS, error_responses
from auth_api.http.serializers import (
    EmailChangeConfirmRequestSerializer,
    EmailChangeRequestSerializer,
    OtpSendResponseSerializer,
    ProfileUpdateRequestSerializer,
    ReauthenticateRequestSerializer,
    SecurityEventPageSerializer,
    SecurityEventSerializer,
    SignedInResponseSerializer,
    UserResponseSerializer,
)


class SecurityEventPages(PageNumberPagination):
    """Pages of 20 (pageSize up to 100); a page past the end is empty, not an error."""

    page_size = 20
    page_size_query_param = "pageSize"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        self.past_the_end: int | None = None
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            self.past_the_end = queryset.count()
            return []

    def get_paginated_response(self, data) -> Response:
        if self.past_the_end is not None:
            return Response(
                {"count": self.past_the_end, "next": None, "previous": None, "results": []}
            )
        return super().get_paginated_response(data)


class AccountViewSet(viewsets.ViewSet):
    @extend_schema(
        operation_id="user_update",
        request=ProfileUpdateRequestSerializer,
        responses={
            200: UserResponseSerializer,
            **error_responses("VALIDATION_ERROR", *AUTH_ERRORS),
        },
        summary="Change the caller's name and/or picture (an https:// URL, or null).",
    )
    @bearer_action(methods=["patch"], url_path="user")
    def user(self, request: Request) -> Response:
        data = ProfileUpdateRequestSerializer.parse(request.data)
        return responses.user_answer(profile_update(principal=principal_of(request), **data))

    @extend_schema(
        operation_id="user_delete",
        responses={204: None, **error_responses("REAUTHENTICATION_REQUIRED", *AUTH_ERRORS)},
        summary="Delete the caller's account and everything of theirs (needs a fresh authTime).",
        description=(
            "The user, their sign-ins, codes, linked accounts, security events and queued mail "
            "are gone in one transaction; a confirmation mail goes to the address; the refresh "
            "cookie is cleared."
        ),
    )
    @user.mapping.delete
    def delete_user(self, request: Request) -> Response:
        account_delete_own(principal=principal_of(request))
        return responses.signed_out()

    @extend_schema(
        operation_id="reauthenticate",
        parameters=[BODY_TRANSPORT_PARAMETER],
        request=ReauthenticateRequestSerializer,
        responses={
            200: SignedInResponseSerializer,
            **error_responses(
                "INVALID_PASSWORD",
                *CODE_ERRORS,
                "INVALID_TWO_FACTOR_CODE",
                "VALIDATION_ERROR",
                *AUTH_ERRORS,
                "INVALID_PASSKEY",
                statuses={"INVALID_PASSKEY": 400},
            ),
        },
        summary="Prove it is you again (password, code, TOTP or passkey): fresh authTime.",
    )
    @bearer_action(methods=["post"], url_path="reauthenticate")
    def reauthenticate(self, request: Request) -> Response:
        data = ReauthenticateRequestSerializer.parse(request.data)
        client = client_info(request, data)
        tokens = sign_in_reauthenticate(
            principal=principal_of(request),
            password=data.get("password"),
            code=data.get("otp"),
            totp_code=data.get("code"),
            credential=data.get("credential"),
            client=client,
        )
        return responses.signed_in(tokens, client=client)

    @extend_schema(
        operation_id="email_change",
        parameters=[BODY_TRANSPORT_PARAMETER],
        request=EmailChangeRequestSerializer,
        responses={
            200: OtpSendResponseSerializer,
            **error_responses(
                "INVALID_EMAIL", "REAUTHENTICATION_REQUIRED", "TOO_MANY_REQUESTS", *AUTH_ERRORS
            ),
        },
        summary="Ask to move the account to a new address: a code goes there, a notice here.",
        description=(
            "Always `{success: true}`: if the new address already has an account, it gets a mail "
            "saying so instead of a usable code. Needs a fresh authTime."
        ),
    )
    @bearer_action(methods=["post"], url_path="email/change")
    def email_change(self, request: Request) -> Response:
        data = EmailChangeRequestSerializer.parse(request.data)
        client = client_info(request, data)
        flow_id = email_change_request(
            principal=principal_of(request), new_email=data["newEmail"], client=client
        )
        return responses.code_sent(client, flow_id=flow_id)

    @extend_schema(
        operation_id="email_change_confirm",
        parameters=[BODY_TRANSPORT_PARAMETER],
        request=EmailChangeConfirmRequestSerializer,
        responses={
            200: SignedInResponseSerializer,
            **error_responses(
                "INVALID_EMAIL",
                *CODE_ERRORS,
                "USER_ALREADY_EXISTS",
                "REAUTHENTICATION_REQUIRED",
                *AUTH_ERRORS,
            ),
        },
        summary="Confirm the new address with its code: new tokens; other sign-ins end.",
    )
    @bearer_action(methods=["post"], url_path="email/change/confirm")
    def email_change_confirmation(self, request: Request) -> Response:
        data = EmailChangeConfirmRequestSerializer.parse(request.data)
        client = client_info(request, data)
        tokens = email_change_confirm(
            principal=principal_of(request),
            new_email=data["newEmail"],
            code=data["otp"],
            client=client,
        )
        return responses.signed_in(tokens, client=client)

    @extend_schema(
        operation_id="security_events",
        parameters=[
            OpenApiParameter(
                "page", {"type": "integer", "minimum": 1}, description="1: the newest (default)."
            ),
            OpenApiParameter(
                "pageSize",
                {"type": "integer", "minimum": 1, "maximum": 100},
                description="Events per page (20 by default).",
            ),
        ],
        responses={
            200: SecurityEventPageSerializer,
            **error_responses(*AUTH_ERRORS, with_body=False),
        },
        summary="The caller's security activity, newest first (paginated: page, pageSize).",
    )
    @bearer_action(methods=["get"], url_path="security-events")
    def security_events(self, request: Request) -> Response:
        pages = SecurityEventPages()
        events = security_events_list(principal=principal_of(request))
        page: list = pages.paginate_queryset(events, request, view=self) or []
        return pages.get_paginated_response(SecurityEventSerializer(page, many=True).data)
