"""JSON answers for what happens outside DRF views: unknown routes, CSRF, server errors."""

from django.http import JsonResponse

from auth_api.exception_handler import error_body


def not_found(request, exception=None, **kwargs):
    return JsonResponse(error_body("NOT_FOUND", "No such endpoint."), status=404)


def server_error(request, *args, **kwargs):
    return JsonResponse(
        error_body("INTERNAL_ERROR", "Something went wrong on our side."), status=500
    )


def bad_request(request, exception=None, **kwargs):
    return JsonResponse(
        error_body("BAD_REQUEST", "The request could not be understood."), status=400
    )


def permission_denied(request, exception=None, **kwargs):
    return JsonResponse(error_body("PERMISSION_DENIED", "Permission denied."), status=403)


def csrf_failure(request, reason="", **kwargs):
    return JsonResponse(error_body("CSRF_FAILED", "CSRF verification failed."), status=403)
