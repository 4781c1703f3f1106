from rest_framework.routers import SimpleRouter

from .views import AuthViewSet, SessionsViewSet

router = SimpleRouter(trailing_slash=True)
router.register("sessions", SessionsViewSet, basename="sessions")
router.register("", AuthViewSet, basename="auth")

urlpatterns = router.urls
