"""The project's routes plus the bench baselines, placed before the `^api/` catch-all and under
/api/ so they take the API's middleware, as the endpoints they are compared with do."""

from django.urls import path

from project import urls as project_urls

from .views import ConstantClaims, bare_user

urlpatterns = [
    path("api/bench/bare-user/<str:user_id>/<str:sign_in_id>/", bare_user),
    path("api/bench/constant-claims/", ConstantClaims.as_view()),
    *project_urls.urlpatterns,
]

handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
