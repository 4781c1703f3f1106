from rest_framework.routers import SimpleRouter

from .account_views import AccountViewSet
from .otp_views import EmailOtpViewSet, PasswordResetViewSet
from .token_views import TokensViewSet
from .views import AuthViewSet, SessionsViewSet

router = SimpleRouter(trailing_slash=True)
router.register("sessions", SessionsViewSet, basename="sessions")
router.register("email-otp", EmailOtpViewSet, basename="email-otp")
router.register("password", PasswordResetViewSet, basename="password")
router.register("", TokensViewSet, basename="tokens")
router.register("", AccountViewSet, basename="account")
router.register("", AuthViewSet, basename="auth")

urlpatterns = router.urls
