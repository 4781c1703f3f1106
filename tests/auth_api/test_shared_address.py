"""Many people behind one address (a school, an office, a carrier's NAT): budgets count failures,
so a class that gets it right is never refused, while a guesser still is. Limits as shipped."""

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.helpers import PASSWORD, sign_in

pytestmark = pytest.mark.django_db

SCHOOL = {"REMOTE_ADDR": "203.0.113.40"}
CLASS_SIZE = 40


@pytest.fixture(autouse=True)
def _a_fresh_minute(clock):
    """Each test starts a new one-minute window of the per-address limits (windows are fixed:
    one that closed mid-test would hand the address a fresh budget and hide a refusal)."""
    clock.advance(60 - clock.time() % 60)


def test_a_class_of_40_signs_in_from_one_address_in_one_minute():
    students = UserFactory.create_batch(CLASS_SIZE)
    answers = [sign_in(APIClient(), s.email, **SCHOOL).status_code for s in students]
    assert answers == [200] * CLASS_SIZE


def test_a_class_of_40_signs_up_from_one_address():
    answers = [
        APIClient()
        .post(
            "/api/auth/sign-up/",
            {"name": f"Student {n}", "email": f"pupil{n}@school.example", "password": PASSWORD},
            format="json",
            **SCHOOL,
        )
        .status_code
        for n in range(CLASS_SIZE)
    ]
    assert answers == [201] * CLASS_SIZE


def test_a_trusted_device_is_never_refused_for_volume_with_the_right_password():
    student = UserFactory()
    browser = APIClient()
    answers = [sign_in(browser, student.email, **SCHOOL).status_code for _ in range(25)]
    assert answers == [200] * 25  # more than SIGN_IN_DEVICE's 10 per 15 minutes, all right


def test_the_classroom_does_not_open_the_address_to_guessing():
    """The successes gave their counts back; failures from the same address still meet the
    per-address budget at its shipped size."""
    students = UserFactory.create_batch(10)
    for student in students:
        assert sign_in(APIClient(), student.email, **SCHOOL).status_code == 200
    limit, _ = settings.RATE_LIMITS["sign_in_ip"]
    victims = UserFactory.create_batch(limit // 5 + 1)  # 5 per (account, address) at most
    answers = [
        sign_in(APIClient(), victim.email, "wrong password", **SCHOOL).status_code
        for victim in victims
        for _ in range(5)
    ]
    assert answers[:limit] == [401] * limit
    assert set(answers[limit:]) == {429}


def test_right_codes_spend_no_check_budget(mailoutbox):
    from tests.helpers import deliver_and_read_code, send_code

    limit, _ = settings.RATE_LIMITS["otp_verify_ip"]
    students = UserFactory.create_batch(limit + 5, email_verified=True)
    for student in students:
        client = APIClient()
        assert send_code(client, student.email, "sign-in", **SCHOOL).status_code == 200
        code = deliver_and_read_code(mailoutbox, student.email)
        answer = client.post(
            "/api/auth/email-otp/sign-in/",
            {"email": student.email, "otp": code},
            format="json",
            **SCHOOL,
        )
        assert answer.status_code == 200
