"""Every URL of the API and the view module that answers it (under /api/auth/).

    session/                  views.sign_ins    SessionViewSet
    jwks/ claims/ introspect/ views.tokens      TokensViewSet (/.well-known/jwks.json: project.urls)
    refresh/ sign-in/ sign-up/ sign-out/ csrf/
                              views.sign_in     SignInViewSet
    sessions/…                views.sign_ins    SignInsViewSet
    devices/…                 views.devices     DevicesViewSet
    email-otp/…               views.codes       EmailCodeViewSet
    email-link/…              views.links       EmailLinkViewSet
    password/reset/, password/change/
                              views.passwords   PasswordViewSet
    user/ reauthenticate/ email/change/… security-events/
                              views.account     AccountViewSet
    two-factor/…              views.two_factor  TwoFactorViewSet
    passkey/…                 views.passkeys    PasskeyViewSet
    passkeys/…                views.passkeys    PasskeysViewSet

Patterns are tried in this order: the reads every page load and every resource server's request
take (session/, claims/, jwks/) first, then the sign-in routes (refresh/, sign-in/, ...), whose
own work dwarfs a few more string comparisons. No two viewsets' routes overlap, so the order
changes nothing else.

`GET session/` and `GET claims/` are answered on the lean path (auth_api.http.lean): the same
answer as their DRF views give, without DRF's request cycle.
"""

from rest_framework.routers import SimpleRouter

from auth_api.http.lean import make_lean
from auth_api.views import (
    account,
    codes,
    devices,
    links,
    passkeys,
    passwords,
    sign_in,
    sign_ins,
    tokens,
    two_factor,
)

# path() routes, not regexes: a route that does not match costs a string comparison.
router = SimpleRouter(trailing_slash=True, use_regex_path=False)
router.register("", sign_ins.SessionViewSet, basename="session")
router.register("", tokens.TokensViewSet, basename="tokens")
router.register("", sign_in.SignInViewSet, basename="sign-in")
router.register("sessions", sign_ins.SignInsViewSet, basename="sessions")
router.register("devices", devices.DevicesViewSet, basename="devices")
router.register("email-otp", codes.EmailCodeViewSet, basename="email-otp")
router.register("email-link", links.EmailLinkViewSet, basename="email-link")
router.register("password", passwords.PasswordViewSet, basename="password")
router.register("", account.AccountViewSet, basename="account")
router.register("two-factor", two_factor.TwoFactorViewSet, basename="two-factor")
router.register("passkey", passkeys.PasskeyViewSet, basename="passkey")
router.register("passkeys", passkeys.PasskeysViewSet, basename="passkeys")

urlpatterns = make_lean(
    router.urls,
    {"session-session": sign_ins.session_answer, "tokens-claims": tokens.claims_answer},
)
