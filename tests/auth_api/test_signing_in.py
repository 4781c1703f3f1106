"""One sign-in pipeline: every path that signs someone in goes through flows.signing_in, so a
stage added there (a second factor) holds on every path."""

import re
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from auth_api.flows import signing_in
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
