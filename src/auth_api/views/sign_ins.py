"""The caller's sign-ins: session/ (the current one) and sessions/ (all of them)."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from auth_api.authentication import Principal, principal_of
from auth_api.client import client_info
from auth_api.flows.sign_ins import session_current, sign_in_end_own, sign_ins_end, sign_ins_list
from auth_api.http import responses
from auth_api.http.actions import bearer_action
from auth_api.http.schema import (
    AUTH_ERRORS,
    BODY_TRANSPORT_PARAMETER,
    error_responses,
)
from auth_api.http.serializers import (
    SessionResponseSerializer,
    SignInListItemSerializer,
    session_json,
)


def session_answer(principal: Principal) -> dict:
    """The body of `GET session/` (also answered on the lean path, see auth_api.urls)."""
    session = session_current(principal=principal)
    return session_json(session.user, session)


class SessionViewSet(viewsets.ViewSet):
    @extend_schema(
        operation_id="session",
        responses={
            200: SessionResponseSerializer,
            **error_responses(*AUTH_ERRORS, with_body=False),
        },
        summary="The signed-in user, fresh from the database, and the current sign-in.",
    )
    @bearer_action(methods=["get"], url_path="session")
    def session(self, request: Request) -> Response:
        return Response(session_answer(principal_of(request)))


class SignInsViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated]
    lookup_value_converter = "str"  # [^/]+, matched by path() (the router uses no regex)

    @extend_schema(
        operation_id="sessions_list",
        responses={
            200: SignInListItemSerializer(many=True),
            **error_responses(*AUTH_ERRORS, with_body=False),
        },
        summary="The caller's live sign-ins, newest use first.",
    )
    def list(self, request: Request) -> Response:
        sign_ins = sign_ins_list(principal=principal_of(request))
        return Response(SignInListItemSerializer(sign_ins, many=True).data)

    @extend_schema(
        operation_id="sessions_revoke",
        parameters=[],
        responses={
            204: None,
            **error_responses(*AUTH_ERRORS, "NOT_FOUND", with_body=False),
        },
        summary="End one of the caller's sign-ins.",
    )
    def destroy(self, request: Request, pk: str) -> Response:
        sign_in_end_own(principal=principal_of(request), sign_in_id=pk)
        return responses.no_content()

    @extend_schema(
        operation_id="sessions_revoke_others",
        parameters=[BODY_TRANSPORT_PARAMETER],
        request=None,
        responses={204: None, **error_responses(*AUTH_ERRORS, with_body=False)},
        summary="End every other sign-in of the caller; this one goes on.",
    )
    @action(detail=False, methods=["post"], url_path="revoke-others")
    def revoke_others(self, request: Request) -> Response:
        sign_ins_end(
            principal=principal_of(request), client=client_info(request), keep_this_one=True
        )
        return responses.no_content()

    @extend_schema(
        operation_id="sessions_revoke_all",
        parameters=[BODY_TRANSPORT_PARAMETER],
        request=None,
        responses={204: None, **error_responses(*AUTH_ERRORS, with_body=False)},
        summary="End every sign-in of the caller, this one too; the refresh cookie is cleared.",
    )
    @action(detail=False, methods=["post"], url_path="revoke-all")
    def revoke_all(self, request: Request) -> Response:
        sign_ins_end(
            principal=principal_of(request), client=client_info(request), keep_this_one=False
        )
        return responses.signed_out()
