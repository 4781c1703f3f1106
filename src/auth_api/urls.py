from rest_framework.routers import SimpleRouter

from .account_views import AccountViewSet
from .otp_views import EmailOtpViewSet, PasswordResetViewSet
from .token_views import TokensViewSet
from .views import AuthViewSet, SessionsViewSet

router = SimpleRouter(trailing_slash=True)
# URL patterns are tried in this order: the routes every page load takes (session/, refresh/,
# sign-in/) first. No two viewsets' routes overlap, so the order changes nothing else.
router.register("", AuthViewSet, basename="auth")
router.register("", TokensViewSet, basename="tokens")
router.register("sessions", SessionsViewSet, basename="sessions")
router.register("email-otp", EmailOtpViewSet, basename="email-otp")
router.register("password", PasswordResetViewSet, basename="password")
router.register("", AccountViewSet, basename="account")

urlpatterns = router.urls
