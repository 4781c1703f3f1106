import pytest
from django.conf import settings
from django.test import override_settings
from rest_framework.test import APIClient

from auth_api.models import OneTimeCode
from emailing.delivery import deliver_due
from emailing.models import OutboxMessage
from tests.helpers import send_code

pytestmark = pytest.mark.django_db

TYPES = ["sign-in", "email-verification", "forget-password"]


@pytest.mark.parametrize("type", TYPES)
def test_known_and_unknown_emails_get_identical_answers(api_client, user, type):
    known = send_code(api_client, "ada@example.com", type, REMOTE_ADDR="192.0.2.1")
    unknown = send_code(api_client, "ghost@example.com", type, REMOTE_ADDR="192.0.2.2")
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content == b'{"success":true}'
    assert set(known.headers) == set(unknown.headers)
    assert set(known.cookies) == set(unknown.cookies) == {settings.OTP_FLOW_COOKIE_NAME}


@pytest.mark.parametrize("type", TYPES)
def test_request_does_the_same_writes_for_known_and_unknown(api_client, user, type, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from auth_api.limits import rates

    monkeypatch.setattr(rates, "_maybe_purge", lambda: None)  # random housekeeping aside

    with CaptureQueriesContext(connection) as known:
        send_code(api_client, "ada@example.com", type, REMOTE_ADDR="192.0.2.1")
    with CaptureQueriesContext(connection) as unknown:
        send_code(api_client, "ghost@example.com", type, REMOTE_ADDR="192.0.2.2")
    shape = [q["sql"].split(" ")[0] for q in known.captured_queries]
    assert shape == [q["sql"].split(" ")[0] for q in unknown.captured_queries]
    # The account is not even looked up on the request path.
    assert not any("users_user" in q["sql"] for q in known.captured_queries)


@pytest.mark.parametrize("path", ["/api/auth/email-otp/send/", "/api/auth/sign-in/"])
def test_a_device_cookie_costs_known_and_unknown_addresses_the_same_reads(user, monkeypatch, path):
    """A made-up device cookie: the account's devices are asked for whether or not the address
    has an account (one query either way), so no answer's time tells which."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from auth_api.limits import rates
    from users.ids import ID_ALPHABET, ID_LENGTH

    monkeypatch.setattr(rates, "_maybe_purge", lambda: None)  # random housekeeping aside
    token = "~".join(f"{ID_ALPHABET[n] * ID_LENGTH}.not-its-secret" for n in range(3))
    reads = {}
    for n, email in enumerate(("ada@example.com", "ghost@example.com")):
        client = APIClient(REMOTE_ADDR=f"192.0.2.{n + 1}")
        client.cookies[settings.DEVICE_COOKIE_NAME] = token
        body = {"email": email, "type": "forget-password", "password": "wrong-guess-12"}
        with CaptureQueriesContext(connection) as queries:
            client.post(path, body, format="json")
        reads[email] = [q["sql"] for q in queries.captured_queries if "trusteddevice" in q["sql"]]
    assert len(reads["ada@example.com"]) == len(reads["ghost@example.com"]) == 1, reads


def test_known_email_receives_each_type(api_client, user, mailoutbox):
    for type in TYPES:
        send_code(api_client, "ada@example.com", type)
    deliver_due()
    subjects = sorted(m.subject for m in mailoutbox)
    assert subjects == ["Reset your password", "Verify your email address", "Your sign-in code"]
    for message in mailoutbox:
        assert message.to == ["ada@example.com"]
        assert "valid for 5 minutes" in message.body
        assert "If you did not ask for it" in message.body
        html = message.alternatives[0]
        assert html[1] == "text/html" and "<html" in html[0]


def test_unknown_email_gets_sign_in_code_but_nothing_else(api_client, db, mailoutbox):
    for type in TYPES:
        send_code(api_client, "ghost@example.com", type)
    outcomes = deliver_due()
    assert [m.subject for m in mailoutbox] == ["Your sign-in code"]
    assert outcomes == {"sent": 1, "suppressed": 2}
    assert set(OutboxMessage.objects.values_list("payload", flat=True)) == {""}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"email": "nope", "type": "sign-in"}, "INVALID_EMAIL"),
        ({"type": "sign-in"}, "INVALID_EMAIL"),
        ({"email": "a@example.com", "type": "magic-link"}, "INVALID_OTP_TYPE"),
        ({"email": "a@example.com"}, "INVALID_OTP_TYPE"),
    ],
)
def test_send_validation_errors(api_client, db, body, code):
    response = api_client.post("/api/auth/email-otp/send/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not OutboxMessage.objects.exists()


def test_three_sends_per_ten_minutes_per_address_and_client(api_client, user):
    codes = [send_code(api_client, "ada@example.com", "sign-in").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = send_code(api_client, "ada@example.com", "forget-password")
    assert limited.json()["code"] == "TOO_MANY_REQUESTS"
    assert 1 <= int(limited["Retry-After"]) <= 600
    # Another client is not held back by this one; another address neither.
    assert (
        send_code(api_client, "ada@example.com", "sign-in", REMOTE_ADDR="127.0.0.2").status_code
        == 200
    )
    assert send_code(api_client, "bob@example.com", "sign-in").status_code == 200


@override_settings(RATE_LIMITS={**settings.RATE_LIMITS, "otp_send_address": (5, 3600)})
def test_per_address_ceiling_bounds_mail_but_not_the_owners_devices(api_client, user, mailoutbox):
    from tests.helpers import sign_in

    owner = APIClient()
    assert sign_in(owner).status_code == 200  # the owner's browser is now a trusted device
    for index in range(5):
        stranger = {"REMOTE_ADDR": f"127.0.0.{index + 2}"}
        assert send_code(APIClient(), "ada@example.com", "sign-in", **stranger).status_code == 200
    assert (
        send_code(APIClient(), "ada@example.com", "sign-in", REMOTE_ADDR="127.0.0.9").status_code
        == 429
    )
    assert send_code(owner, "ada@example.com", "forget-password").status_code == 200
    deliver_due()
    assert len(mailoutbox) == 6


@override_settings(RATE_LIMITS={**settings.RATE_LIMITS, "otp_send_ip": (2, 60)})
def test_per_ip_send_limit(api_client, db):
    assert send_code(api_client, "a@example.com", "sign-in").status_code == 200
    assert send_code(api_client, "b@example.com", "sign-in").status_code == 200
    assert send_code(api_client, "c@example.com", "sign-in").status_code == 429


def test_a_new_send_replaces_the_previous_code(api_client, user, mailoutbox, known_codes):
    from tests.helpers import deliver_and_read_code

    known_codes.extend(["111111", "222222"])
    send_code(api_client, "ada@example.com", "sign-in")
    assert deliver_and_read_code(mailoutbox, "ada@example.com") == "111111"
    send_code(api_client, "ada@example.com", "sign-in")
    assert deliver_and_read_code(mailoutbox, "ada@example.com") == "222222"
    assert OneTimeCode.objects.filter(email="ada@example.com", type="sign-in").count() == 1
    response = api_client.post(
        "/api/auth/email-otp/sign-in/",
        {"email": "ada@example.com", "otp": "111111"},
        format="json",
    )
    assert response.json()["code"] == "INVALID_OTP"
    response = api_client.post(
        "/api/auth/email-otp/sign-in/", {"email": "ada@example.com", "otp": "222222"}, format="json"
    )
    assert response.status_code == 200


def test_codes_are_six_random_digits(api_client, db, mailoutbox):
    from tests.helpers import deliver_and_read_code

    codes = set()
    for index in range(12):
        email = f"user{index}@example.com"
        with override_settings(RATE_LIMITS_ENABLED=False):
            send_code(api_client, email, "sign-in")
        codes.add(deliver_and_read_code(mailoutbox, email))
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(codes) >= 10
