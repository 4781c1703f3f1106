"""A TOTP code is accepted once across the worker processes of a real server: gunicorn with two
workers, as the image runs it, on the test run's MySQL database."""

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.helpers import PASSWORD, LoopbackClient
from tests.project.test_health import live_server
from tests.two_factor import code_at, secret_of
from users.models import User

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("mysql://"),
        reason="a live server on the test run's MySQL database",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.real_hashers,
]


def _signed_in(base: str, address: str) -> tuple[LoopbackClient, str]:
    client = LoopbackClient(base, address)
    answer = client.post("/api/auth/sign-in/", {"email": "ada@example.com", "password": PASSWORD})
    assert answer.status_code == 200, answer.content
    return client, answer.json().get("accessToken", "")


def test_a_code_is_accepted_once_across_two_workers(tmp_path):
    from django.db import connection

    User.objects.create_user("ada@example.com", PASSWORD, email_verified=True)
    name = connection.settings_dict["NAME"]
    database = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"
    with live_server(tmp_path, DATABASE_URL=database, RATE_LIMITS_ENABLED="false") as (base, _):
        owner, access = _signed_in(base, "127.0.0.2")
        bearer = {"Authorization": f"Bearer {access}"}
        enabled = owner.post("/api/auth/two-factor/enable/", {"password": PASSWORD}, bearer)
        secret = secret_of(enabled.json()["totpURI"])
        confirm = {"code": code_at(secret, -1)}
        assert owner.post("/api/auth/two-factor/verify-totp/", confirm, bearer).status_code == 200
        # Twelve browsers hold pending sign-ins; all answer with the same right code at once.
        browsers = [_signed_in(base, f"127.0.0.{n}")[0] for n in range(3, 15)]
        code = {"code": code_at(secret)}
        with ThreadPoolExecutor(len(browsers)) as pool:
            answers = list(
                pool.map(lambda b: b.post("/api/auth/two-factor/verify-totp/", code), browsers)
            )
        statuses = sorted(answer.status_code for answer in answers)
        assert statuses == [200] + [400] * 11, statuses
        assert {a.code for a in answers if a.status_code == 400} == {"INVALID_TWO_FACTOR_CODE"}
        # And later, from yet another browser, whichever worker answers.
        for n in range(15, 19):
            late = _signed_in(base, f"127.0.0.{n}")[0]
            assert late.post("/api/auth/two-factor/verify-totp/", code).status_code == 400
