from rest_framework.routers import SimpleRouter

from auth_api.views.account import AccountViewSet
from auth_api.views.codes import EmailOtpViewSet, PasswordResetViewSet
from auth_api.views.sign_in import AuthViewSet, SessionsViewSet
from auth_api.views.tokens import TokensViewSet

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
