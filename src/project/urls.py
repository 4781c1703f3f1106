from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from auth_api.views.tokens import well_known_jwks

from . import health, views

urlpatterns = [
    # First: every API call (a miss costs the probes one prefix comparison).
    path("api/auth/", include("auth_api.urls")),
    # For the platform: not API operations (no auth, no rate limit, not in the schema).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics_view, name="metrics"),
    path(".well-known/jwks.json", well_known_jwks, name="jwks"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script under the CSP.
    path("api/docs/", views.ApiDocs.as_view(url_name="schema"), name="docs"),
    *([path(settings.ADMIN_URL, admin.site.urls)] if settings.ADMIN_ENABLED else []),
    # Unknown API routes answer JSON even with DEBUG on (Django's debug 404 page is HTML); so do
    # near misses of the platform's routes (a probe of "readyz/" must fail, not get the web app).
    re_path(r"^api/", views.not_found),
    re_path(r"^(?:healthz|readyz|metrics)/", views.not_found),
    # The web app (web/dist): its assets, and index.html for every other path (client routing).
    path("", include("project.spa")),
]

handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.not_found
handler500 = views.server_error
