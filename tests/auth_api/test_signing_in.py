"""One sign-in pipeline: every path that signs someone in goes through flows.signing_in, so a
stage added there (a second factor) holds on every path."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from auth_api.flows import signing_in
from auth_api.permissions import RequiresMFA
from tests.authenticator import SoftAuthenticator
from tests.helpers import deliver_and_read_code, send_code, sign_in
from tests.two_factor import (
    JsonClient,
    access_of,
    add_passkey,
    code_at,
    enable_totp,
    passkey_assertion,
)

SRC = Path(__file__).resolve().parents[2] / "src"


def test_only_the_pipeline_starts_a_sign_in():
    """Sign-up is the one other caller: a new account has no second factor to ask for."""
    callers = {
        path.relative_to(SRC).as_posix()
        for path in SRC.rglob("*.py")
        if re.search(r"\bsign_in_start\(", path.read_text())
        and "def sign_in_start" not in path.read_text()
    }
    assert callers == {"auth_api/flows/signing_in.py", "auth_api/flows/sign_up.py"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["password", "code", "link", "first proof"])
def test_every_path_goes_through_the_pipeline(path, user, mailoutbox, monkeypatch):
    completed = []
    real = signing_in.sign_in_start

    def spy(**kwargs):
        completed.append(kwargs["user"].email)
        return real(**kwargs)

    monkeypatch.setattr(signing_in, "sign_in_start", spy)
    client = APIClient()
    if path == "password":
        answer = sign_in(client)
    elif path in ("code", "link"):
        send_code(client, user.email, "sign-in")
        if path == "code":
            code = deliver_and_read_code(mailoutbox, user.email)
            body = {"email": user.email, "otp": code}
            answer = client.post("/api/auth/email-otp/sign-in/", body, format="json")
        else:
            deliver_and_read_code(mailoutbox, user.email)
            token = re.search(r"#token=([\w-]+)", mailoutbox[-1].body).group(1)
            answer = client.post("/api/auth/email-link/verify/", {"token": token}, format="json")
    else:
        send_code(client, user.email, "email-verification")
        code = deliver_and_read_code(mailoutbox, user.email)
        body = {"email": user.email, "otp": code}
        answer = client.post("/api/auth/email-otp/verify-email/", body, format="json")
    assert answer.status_code == 200, answer.content
    assert completed == [user.email]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "amr"), [("password", ["pwd"]), ("code", ["otp"])])
def test_the_access_token_says_how_the_user_proved_it(path, amr, user, mailoutbox):
    """RFC 8176 `amr`, kept by the sign-in."""
    import jwt

    client = APIClient()
    if path == "password":
        answer = sign_in(client)
    else:
        send_code(client, user.email, "sign-in")
        code = deliver_and_read_code(mailoutbox, user.email)
        body = {"email": user.email, "otp": code}
        answer = client.post("/api/auth/email-otp/sign-in/", body, format="json")
    access = answer.json()["accessToken"]
    assert jwt.decode(access, options={"verify_signature": False})["amr"] == amr


class _SecondFactorOnly(APIView):
    permission_classes = [RequiresMFA]

    def get(self, request):
        return Response({"ok": True})


@pytest.mark.django_db
def test_requires_mfa_reads_only_the_token(user, warm, django_assert_num_queries):
    """A password alone does not pass, a password and a TOTP code do; never a query for it."""
    user.email_verified = True
    user.save()
    access = sign_in(APIClient()).json()["accessToken"]
    factors = enable_totp(JsonClient(), access)
    view = _SecondFactorOnly.as_view()
    pending = JsonClient()
    sign_in(pending)
    verified = pending.post(
        "/api/auth/two-factor/verify-totp/", {"code": code_at(factors["secret"])}
    )
    strong = verified.json()["accessToken"]
    warm()
    with django_assert_num_queries(0):
        refused = view(APIRequestFactory().get("/x", HTTP_AUTHORIZATION=f"Bearer {access}"))
        allowed = view(APIRequestFactory().get("/x", HTTP_AUTHORIZATION=f"Bearer {strong}"))
    assert (refused.status_code, allowed.status_code) == (403, 200)


# --- the second-factor stage, on every path -----------------------------------------------------

EVERY_PATH = ["password", "code", "link", "first proof", "after a password reset", "passkey"]


def _sign_in_by(path: str, client: APIClient, user, mailoutbox, key: SoftAuthenticator):
    """Sign `user` in by `path` from `client`; the answer."""
    if path == "passkey":
        credential = passkey_assertion(client, key)
        return client.post("/api/auth/passkey/sign-in/", {"credential": credential}, format="json")
    if path == "after a password reset":
        send_code(client, user.email, "forget-password")
        code = deliver_and_read_code(mailoutbox, user.email)
        body = {"email": user.email, "otp": code, "password": "a brand new passphrase 9"}
        reset = client.post("/api/auth/password/reset/", body, format="json")
        assert reset.status_code == 200, reset.content
        assert "accessToken" not in reset.json()  # a reset signs no one in
        return sign_in(client, password="a brand new passphrase 9")
    if path == "password":
        return sign_in(client)
    kind = "email-verification" if path == "first proof" else "sign-in"
    send_code(client, user.email, kind)
    code = deliver_and_read_code(mailoutbox, user.email)
    if path == "link":
        token = re.search(r"#token=([\w-]+)", mailoutbox[-1].body).group(1)
        return client.post("/api/auth/email-link/verify/", {"token": token}, format="json")
    url = "/api/auth/email-otp/" + ("verify-email/" if path == "first proof" else "sign-in/")
    return client.post(url, {"email": user.email, "otp": code}, format="json")


@pytest.fixture
def two_factor_user(user):
    """Ada, verified, with a passkey and two-factor on: (secret, passkey authenticator)."""
    user.email_verified = True
    user.save()
    client = JsonClient()
    key = SoftAuthenticator()
    access = access_of(client)
    add_passkey(client, access, key)
    factors = enable_totp(client, access)
    return factors["secret"], key


@pytest.mark.django_db
@pytest.mark.parametrize("path", EVERY_PATH)
def test_every_path_asks_for_the_second_step(path, user, two_factor_user, mailoutbox):
    """Password, code, link, first proof, a completed reset: a pending sign-in, never a token;
    the second step then signs in with both proofs in amr. A passkey is both factors at once."""
    import jwt

    secret, key = two_factor_user
    client = JsonClient()
    answer = _sign_in_by(path, client, user, mailoutbox, key)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    if path == "passkey":
        assert jwt.decode(body["accessToken"], options={"verify_signature": False})["amr"] == [
            "hwk",
            "mfa",
        ]
        return
    assert body == {
        "twoFactorRedirect": True,
        "twoFactorMethods": ["totp", "backup-code", "passkey"],
    }, path
    assert not {"accessToken", "refreshToken"} & set(body)
    assert settings.REFRESH_COOKIE_NAME not in client.cookies
    done = client.post("/api/auth/two-factor/verify-totp/", {"code": code_at(secret)})
    assert done.status_code == 200, done.content
    amr = jwt.decode(done.json()["accessToken"], options={"verify_signature": False})["amr"]
    first = "pwd" if path in ("password", "after a password reset") else "otp"
    assert amr == list(dict.fromkeys([first, "otp", "mfa"]))


@pytest.mark.django_db
@pytest.mark.parametrize("path", EVERY_PATH)
def test_every_path_skips_it_on_a_device_the_owner_trusted(path, user, two_factor_user, mailoutbox):
    secret, key = two_factor_user
    client = JsonClient()
    sign_in(client)
    body = {"code": code_at(secret), "trustDevice": True}
    assert client.post("/api/auth/two-factor/verify-totp/", body).status_code == 200
    answer = _sign_in_by(path, client, user, mailoutbox, key)
    if path == "after a password reset":  # a reset ends every trusted device
        assert answer.json()["twoFactorRedirect"] is True
        return
    assert "accessToken" in answer.json(), (path, answer.content)
