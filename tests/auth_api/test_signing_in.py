"""One sign-in pipeline: every path that signs someone in goes through flows.signing_in, so a
stage added there (a second factor) holds on every path."""

import re
from pathlib import Path

import pytest
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from auth_api.flows import signing_in
from auth_api.permissions import RequiresMFA
from tests.helpers import deliver_and_read_code, send_code, sign_in

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
    """No account has a second factor yet, so no sign-in passes; and never a query for it."""
    access = sign_in(APIClient()).json()["accessToken"]
    warm()
    view = _SecondFactorOnly.as_view()
    with django_assert_num_queries(0):
        refused = view(APIRequestFactory().get("/x", HTTP_AUTHORIZATION=f"Bearer {access}"))
    assert refused.status_code == 403
