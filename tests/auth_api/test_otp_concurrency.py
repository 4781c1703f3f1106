"""20 parallel wrong guesses against one code: exactly 3 are evaluated, all 20 are counted."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from auth_api.codes import process
from auth_api.codes.process import OtpType, otp_issue, otp_verify
from auth_api.errors import InvalidOtp, TooManyAttempts
from auth_api.models import OneTimeCode

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "mysql", reason="needs MySQL row locks"),
]

EMAIL = "target@example.com"
GUESSES = 20
FLOW = "f" * 32


def _slow_compare(monkeypatch) -> list:
    """Widen the race window: each evaluated guess takes 50 ms and is recorded."""
    evaluated = []
    real = process.hmac.compare_digest

    def compare(a, b):
        evaluated.append(1)
        time.sleep(0.05)
        return real(a, b)

    monkeypatch.setattr(process.hmac, "compare_digest", compare)
    return evaluated


def _guess_in_parallel(code: str) -> list[str]:
    barrier = threading.Barrier(GUESSES)

    def guess(_):
        try:
            barrier.wait()
            otp_verify(email=EMAIL, otp_type=OtpType.SIGN_IN, code=code, consume=True, flow_id=FLOW)
            return "accepted"
        except InvalidOtp:
            return "INVALID_OTP"
        except TooManyAttempts:
            return "TOO_MANY_ATTEMPTS"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=GUESSES) as pool:
        return list(pool.map(guess, range(GUESSES)))


def test_parallel_wrong_guesses_are_counted_and_at_most_three_evaluated(monkeypatch):
    real_code = otp_issue(email=EMAIL, otp_type=OtpType.SIGN_IN, flow_id=FLOW).code
    wrong = "000000" if real_code != "000000" else "111111"
    evaluated = _slow_compare(monkeypatch)
    outcomes = _guess_in_parallel(wrong)
    assert outcomes.count("INVALID_OTP") == 3
    assert outcomes.count("TOO_MANY_ATTEMPTS") == GUESSES - 3
    assert len(evaluated) == 3
    assert OneTimeCode.objects.get().attempts == GUESSES
    with pytest.raises(TooManyAttempts):  # the right code is dead too
        otp_verify(
            email=EMAIL, otp_type=OtpType.SIGN_IN, code=real_code, consume=True, flow_id=FLOW
        )


def test_without_the_row_lock_the_limit_breaks(monkeypatch):
    """The control: the same attack against an unlocked read evaluates far more than 3 guesses,
    which is what the test above would catch if the lock were ever removed."""
    real_code = otp_issue(email=EMAIL, otp_type=OtpType.SIGN_IN, flow_id=FLOW).code
    wrong = "000000" if real_code != "000000" else "111111"
    evaluated = _slow_compare(monkeypatch)
    monkeypatch.setattr(
        process,
        "_locked_row",
        lambda email, otp_type, flow_id: OneTimeCode.objects.filter(email=email).first(),
    )
    outcomes = _guess_in_parallel(wrong)
    assert len(evaluated) > 3
    assert outcomes.count("INVALID_OTP") > 3
