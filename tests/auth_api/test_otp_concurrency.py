"""20 parallel wrong guesses against one code: exactly 3 are evaluated, all 20 are counted."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from auth_api.client import ClientInfo
from auth_api.codes import store
from auth_api.codes.process import EmailCode
from auth_api.codes.types import CodeType
from auth_api.errors import InvalidOtp, TooManyAttempts
from auth_api.models import OneTimeCode
from auth_api.tokens.code_flows import token_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "mysql", reason="needs MySQL row locks"),
]

EMAIL = "target@example.com"
GUESSES = 20
FLOW = "f" * 32
# The client that asked for the code (its flow): the one whose guesses are evaluated.
CLIENT = ClientInfo(ip=None, user_agent="", flow_token=token_of(FLOW))
SIGN_IN_CODE = EmailCode(email=EMAIL, type=CodeType.SIGN_IN, client=CLIENT)


def _slow_compare(monkeypatch) -> list:
    """Widen the race window: each evaluated guess takes 50 ms and is recorded."""
    evaluated = []
    real = store.hmac.compare_digest

    def compare(a, b):
        evaluated.append(1)
        time.sleep(0.05)
        return real(a, b)

    monkeypatch.setattr(store.hmac, "compare_digest", compare)
    return evaluated


def _guess_in_parallel(code: str) -> list[str]:
    barrier = threading.Barrier(GUESSES)

    def guess(_):
        try:
            barrier.wait()
            SIGN_IN_CODE.check(code, consume=True)
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
    real_code = store.code_issue(email=EMAIL, type=CodeType.SIGN_IN, flow_id=FLOW).code
    wrong = "000000" if real_code != "000000" else "111111"
    evaluated = _slow_compare(monkeypatch)
    outcomes = _guess_in_parallel(wrong)
    assert outcomes.count("INVALID_OTP") == 3
    assert outcomes.count("TOO_MANY_ATTEMPTS") == GUESSES - 3
    assert len(evaluated) == 3
    assert OneTimeCode.objects.get().attempts == GUESSES
    with pytest.raises(TooManyAttempts):  # the right code is dead too
        SIGN_IN_CODE.check(real_code, consume=True)


def test_without_the_row_lock_the_limit_breaks(monkeypatch):
    """The control: the same attack against an unlocked read evaluates far more than 3 guesses,
    which is what the test above would catch if the lock were ever removed."""
    real_code = store.code_issue(email=EMAIL, type=CodeType.SIGN_IN, flow_id=FLOW).code
    wrong = "000000" if real_code != "000000" else "111111"
    evaluated = _slow_compare(monkeypatch)
    monkeypatch.setattr(
        store,
        "locked_code",
        lambda email, type, flow_id: OneTimeCode.objects.filter(email=email).first(),
    )
    outcomes = _guess_in_parallel(wrong)
    assert len(evaluated) > 3
    assert outcomes.count("INVALID_OTP") > 3
