"""Baseline for the session benchmark: the session view's database work without DRF or a JWT.

`GET /api/auth/session/` = middleware + DRF dispatch + JWT verification + one query
(SignIn joined with User by primary key) + serializers. `bare_user` keeps the middleware, the
query and an identical JSON body, and drops everything else, so session/bare measures what the
framework layers and the token check cost on top of the unavoidable database round trip.
"""

from django.http import HttpRequest, JsonResponse
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from auth_api.http.serializers import iso_datetime as _iso
from auth_api.tokens.sign_ins import sign_in_with_user


def bare_user(request: HttpRequest, user_id: str, sign_in_id: str) -> JsonResponse:
    """The ids the session endpoint takes from the access token come in the path here."""
    # the very query the session endpoint runs
    sign_in = sign_in_with_user(sign_in_id=sign_in_id, user_id=user_id)
    if sign_in is None:
        return JsonResponse({"code": "NOT_FOUND", "message": "No such sign-in."}, status=404)
    user = sign_in.user
    body = {
        "user": {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "emailVerified": user.email_verified,
            "image": user.image,
            "createdAt": _iso(user.created_at),
            "updatedAt": _iso(user.updated_at),
        },
        "session": {"id": sign_in.id, "expiresAt": _iso(sign_in.expires_at)},
    }
    return JsonResponse(body, json_dumps_params={"separators": (",", ":"), "ensure_ascii": False})


class ConstantClaims(APIView):
    """Baseline for `GET /api/auth/claims/`: the same stack (middleware, DRF dispatch, JSON
    renderer) answering a fixed body of the same shape, with no authentication at all. claims/
    adds only the token check: a cached signature verification and a revoked-set lookup."""

    authentication_classes: list = []
    permission_classes: list = []
    body = {
        "userId": "B" * 32,
        "sessionId": "S" * 32,
        "role": "student",
        "emailVerified": False,
        "email": "bench-0000000-0000000000@example.com",
        "authTime": "2026-01-01T00:00:00Z",
        "expiresAt": "2026-01-01T01:00:00Z",
    }

    def get(self, request: Request) -> Response:
        return Response(self.body)
