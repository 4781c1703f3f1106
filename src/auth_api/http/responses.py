"""Successful answers, built once for every viewset (errors: see exception_handler)."""

from django.conf import settings
from rest_framework import status
from rest_framework.response import Response

from auth_api.client import ClientInfo
from auth_api.http.serializers import UserSerializer
from auth_api.tokens import code_flows, devices, pending
from auth_api.tokens.pending import SecondStepRequired, SignInOutcome
from auth_api.tokens.sign_ins import IssuedTokens
from auth_api.tokens.transport import (
    clear_refresh_cookie,
    clear_two_factor_cookie,
    set_device_cookie,
    set_flow_cookie,
    set_passkey_cookie,
    set_refresh_cookie,
    set_two_factor_cookie,
)
from users.models import User

SUCCESS = {"success": True}


def _tokens(tokens: IssuedTokens, *, in_body: bool, body: dict, code: int) -> Response:
    body = {**body, "accessToken": tokens.access_token}
    body["accessTokenExpiresAt"] = tokens.access_expires_at
    if in_body and tokens.refresh_token:
        body["refreshToken"] = tokens.refresh_token
        body["refreshTokenExpiresAt"] = tokens.sign_in.expires_at
    response = Response(body, status=code)
    if not in_body and tokens.refresh_token:
        set_refresh_cookie(response, token=tokens.refresh_token, sign_in=tokens.sign_in)
    return response


def signed_in(
    tokens: SignInOutcome,
    *,
    client: ClientInfo,
    code: int = 200,
    flow_id: str | None = None,
) -> Response:
    """`{user, accessToken, ...}`; the refresh token as a cookie, or in the body for a sign-in
    made with body transport (never for a cookie sign-in, whatever this request asks); a new
    sign-in's trusted device (device cookie, or `deviceToken`), and the flow of a code mailed
    along (flow cookie, or `flowToken`). When the account asks for a second step instead:
    `{twoFactorRedirect, twoFactorMethods}` and the pending sign-in, no token at all."""
    if isinstance(tokens, SecondStepRequired):
        return _second_step_required(tokens, client=client)
    in_body = _in_body(tokens, asked=client.body_transport)
    device_token = tokens.device_token
    body: dict = {"user": UserSerializer(tokens.user).data}
    flow_token = code_flows.token_of(flow_id) if flow_id else None
    if in_body:
        if device_token:
            body["deviceToken"] = device_token
        if flow_token:
            body["flowToken"] = flow_token
    response = _tokens(tokens, in_body=in_body, body=body, code=code)
    if not in_body:
        if device_token:
            set_device_cookie(response, token=device_token, max_age=devices.max_age_seconds())
        if flow_token:
            set_flow_cookie(response, token=flow_token, max_age=code_flows.MAX_AGE_SECONDS)
    return response


def _second_step_required(outcome: SecondStepRequired, *, client: ClientInfo) -> Response:
    body = {"twoFactorRedirect": True, "twoFactorMethods": list(outcome.methods)}
    if client.body_transport:
        return Response({**body, "twoFactorToken": outcome.token})
    response = Response(body)
    set_two_factor_cookie(response, token=outcome.token, max_age=pending.max_age_seconds())
    return response


def second_step_passed(tokens: IssuedTokens, *, client: ClientInfo) -> Response:
    """Signed in after a second step; the pending sign-in's cookie is cleared."""
    response = signed_in(tokens, client=client)
    clear_two_factor_cookie(response)
    return response


def _in_body(tokens: IssuedTokens, *, asked: bool) -> bool:
    """How the sign-in's refresh token travels: as it was chosen when it started (a sign-in
    from before that was kept: as this request asks)."""
    chosen = tokens.sign_in.body_transport
    return asked if chosen is None else chosen


def code_sent(client: ClientInfo, *, flow_id: str) -> Response:
    """`{success: true}` and the client's code flow (cookie, or `flowToken` in the body)."""
    token = code_flows.token_of(flow_id)
    if client.body_transport:
        return Response({**SUCCESS, "flowToken": token})
    response = Response(SUCCESS)
    set_flow_cookie(response, token=token, max_age=code_flows.MAX_AGE_SECONDS)
    return response


def rotated(tokens: IssuedTokens, *, in_body: bool) -> Response:
    """New tokens after a refresh, carried the sign-in's way (or, for a sign-in from before that
    was kept, the way the old refresh token came)."""
    return _tokens(tokens, in_body=_in_body(tokens, asked=in_body), body={}, code=200)


def signed_out() -> Response:
    response = Response(status=status.HTTP_204_NO_CONTENT)
    clear_refresh_cookie(response)
    return response


def user_answer(user: User) -> Response:
    return Response({"user": UserSerializer(user).data})


def success(**extra: str) -> Response:
    return Response({**SUCCESS, **extra})


def no_content() -> Response:
    return Response(status=status.HTTP_204_NO_CONTENT)


def passkey_options(options: dict, *, token: str, client: ClientInfo) -> Response:
    """Request options; the challenge token as a cookie, or in the body (body transport)."""
    if client.body_transport:
        return Response({**options, "challengeToken": token})
    response = Response(options)
    set_passkey_cookie(response, token=token, max_age=settings.WEBAUTHN_CHALLENGE_SECONDS)
    return response
