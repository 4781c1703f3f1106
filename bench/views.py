"""Baseline for the session benchmark: the session view's database work without DRF or a JWT.

`GET /api/auth/session/` = middleware + DRF dispatch + JWT verification + one query
(SignIn joined with User by primary key) + serializers. `bare_user` keeps the middleware, the
query and an identical JSON body, and drops everything else, so session/bare measures what the
framework layers and the token check cost on top of the unavoidable database round trip.
"""

from django.http import HttpRequest, JsonResponse

from auth_api.serializers import iso_datetime as _iso  # DRF's rendering, so bodies are identical
from auth_api.sessions.sign_ins import sign_in_lookup


def bare_user(request: HttpRequest, user_id: str) -> JsonResponse:
    """`user_id` carries the sign-in (session) id, as the session endpoint looks it up."""
    sign_in = sign_in_lookup(sign_in_id=user_id)  # the very query the session endpoint runs
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
