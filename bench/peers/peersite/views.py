"""The peers' endpoints that are not a package's own view."""

import json

from django.contrib.auth import authenticate, get_user_model
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTStatelessUserAuthentication


def constant(request):
    """A plain Django view answering constant JSON: the floor of a request through Django."""
    return JsonResponse({"status": "ok"})


def bare_user(request, pk):
    """A plain Django view: one user row by primary key, as JSON."""
    user = get_object_or_404(get_user_model(), pk=pk)
    return JsonResponse(
        {
            "id": user.pk,
            "username": user.username,
            "email": user.email,
            "firstName": user.first_name,
            "lastName": user.last_name,
            "isStaff": user.is_staff,
            "dateJoined": user.date_joined,
            "lastLogin": user.last_login,
        }
    )


@csrf_exempt
@require_POST
def check_password(request):
    """A plain Django view around Django's own authenticate(): the user by username (one query)
    and the hasher, nothing else. The floor of a password check through Django."""
    body = json.loads(request.body)
    user = authenticate(request, username=body["username"], password=body["password"])
    if user is None:
        return JsonResponse({"ok": False}, status=401)
    return JsonResponse({"ok": True})


class StatelessClaims(APIView):
    """simplejwt's stateless authentication: the token's claims, no database query."""

    authentication_classes = [JWTStatelessUserAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"userId": request.user.id, "claims": dict(request.auth.payload)})
