"""The caller's trusted devices: devices/ (list), devices/{id}/ (end one's trust)."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from auth_api.authentication import principal_of
from auth_api.client import client_info
from auth_api.flows.devices import device_end_own, devices_list
from auth_api.http import responses
from auth_api.http.schema import AUTH_ERRORS, error_responses
from auth_api.http.serializers import TrustedDeviceSerializer


class DevicesViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated]
    lookup_value_converter = "str"  # [^/]+, matched by path() (the router uses no regex)

    @extend_schema(
        operation_id="devices_list",
        responses={
            200: TrustedDeviceSerializer(many=True),
            **error_responses(*AUTH_ERRORS, with_body=False),
        },
        summary="The caller's trusted devices, most recently used first.",
        description=(
            "A device is trusted after a complete sign-in from it: its failed attempts count on "
            "its own budget. Trust ends after TRUSTED_DEVICE_DAYS (30) without a sign-in, when "
            "revoked here, and on sign out everywhere, a password reset or change that ends "
            "other sign-ins, an address claimed by proof, an email change."
        ),
    )
    def list(self, request: Request) -> Response:
        devices = devices_list(principal=principal_of(request), client=client_info(request))
        return Response(TrustedDeviceSerializer(devices, many=True).data)

    @extend_schema(
        operation_id="devices_revoke",
        parameters=[],
        responses={
            204: None,
            **error_responses(*AUTH_ERRORS, "NOT_FOUND", with_body=False),
        },
        summary="End the trust of one of the caller's devices.",
    )
    def destroy(self, request: Request, pk: str) -> Response:
        device_end_own(principal=principal_of(request), device_id=pk)
        return responses.no_content()
