"""HTTP layer for services that verify tokens: the JWKS, the caller's verified claims, and RFC 7662
introspection."""

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.parsers import FormParser
from rest_framework.request import Request
from rest_framework.response import Response

import clock
from auth_api.authentication import Principal, principal_of
from auth_api.client import client_info
from auth_api.flows.introspection import service_authenticate, token_introspect
from auth_api.http.actions import bearer_action, public_action
from auth_api.http.parsers import StrictJSONParser
from auth_api.http.schema import AUTH_ERRORS, error_responses
from auth_api.http.serializers import (
    ClaimsResponseSerializer,
    IntrospectionRequestSerializer,
    IntrospectionResponseSerializer,
    JwksResponseSerializer,
    claims_json,
)
from auth_api.tokens.keys import keyring


def jwks_answer() -> Response:
    # Read afresh (at most once a second per process): a key another process just rotated in is
    # published by every worker at once.
    response = Response({"keys": keyring(force=True).published(clock.now())})
    # Shorter than the overlap during which a rotated key stays published.
    response["Cache-Control"] = f"public, max-age={settings.JWKS_MAX_AGE_SECONDS}"
    return response


@extend_schema(
    operation_id="well_known_jwks",
    responses={200: JwksResponseSerializer, **error_responses(with_body=False)},
    summary="The public keys that verify access tokens, at the well-known address.",
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
def well_known_jwks(request: Request) -> Response:
    return jwks_answer()


def claims_answer(principal: Principal) -> dict:
    """The body of `GET claims/` (also answered on the lean path, see auth_api.urls)."""
    return claims_json(principal.claims)


class TokensViewSet(viewsets.ViewSet):
    @extend_schema(
        operation_id="jwks",
        responses={200: JwksResponseSerializer, **error_responses(with_body=False)},
        summary="The public keys that verify access tokens (JWKS; also /.well-known/jwks.json).",
        description=(
            "Only public keys: the active one and the rotated ones whose tokens may still be "
            "live. Pick the key by the token header's `kid`, verify with that key's `alg` only, "
            "and check `iss` and `aud`. Cacheable for `max-age`; refetch on an unknown `kid`."
        ),
    )
    @public_action(methods=["get"], url_path="jwks")
    def jwks(self, request: Request) -> Response:
        return jwks_answer()

    @extend_schema(
        operation_id="claims",
        responses={200: ClaimsResponseSerializer, **error_responses(*AUTH_ERRORS, with_body=False)},
        summary="The caller's verified access-token claims (what a permission check reads).",
        description="No database query: the token's signature, expiry and sign-in are checked.",
    )
    @bearer_action(methods=["get"], url_path="claims")
    def claims(self, request: Request) -> Response:
        return Response(claims_answer(principal_of(request)))

    @extend_schema(
        operation_id="introspect",
        request=IntrospectionRequestSerializer,
        responses={
            200: IntrospectionResponseSerializer,
            **error_responses("INVALID_CLIENT", "TOO_MANY_REQUESTS", "VALIDATION_ERROR"),
        },
        summary="RFC 7662 introspection of an access token, for the app's other services.",
        description=(
            "Authenticated by a service credential (`Authorization: Basic`, from "
            "INTROSPECTION_CLIENTS); failed credentials are rate-limited per client address. "
            "`{active: false}` for anything but a valid access token of a live sign-in of an "
            "active user. JSON or form-encoded body."
        ),
        examples=[OpenApiExample("A token", request_only=True, value={"token": "eyJhbGciOi..."})],
        auth=[{"serviceCredential": []}],  # type: ignore[list-item]  # dicts, as generated
    )
    @public_action(
        methods=["post"], url_path="introspect", parser_classes=[StrictJSONParser, FormParser]
    )
    def introspect(self, request: Request) -> Response:
        service_authenticate(
            authorization=request.META.get("HTTP_AUTHORIZATION", ""), client=client_info(request)
        )
        data = IntrospectionRequestSerializer.parse(request.data)
        return Response(token_introspect(token=data["token"]))
