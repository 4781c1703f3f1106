"""While imported (slower) hashes remain, every credential check is padded to their cost."""

import pytest
from rest_framework.test import APIClient

from auth_api.limits import timing
from tests.helpers import sign_in
from tests.users.test_better_auth_hasher import better_auth_hash
from users.hashers import better_auth_to_django
from users.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.real_hashers]


@pytest.fixture
def sleeps(monkeypatch):
    recorded = []
    monkeypatch.setattr(timing.time, "sleep", recorded.append)
    timing.forget_floor()
    yield recorded
    timing.forget_floor()


def test_no_padding_once_no_legacy_hash_remains(user, sleeps):
    assert sign_in(APIClient(), email="ghost@example.com").status_code == 401
    assert sign_in(APIClient()).status_code == 200
    assert sleeps == []
    assert timing.credential_check_floor() == 0.0


def test_while_legacy_hashes_remain_fast_checks_are_padded(user, sleeps):
    legacy = User.objects.create_user("legacy@example.com", None)
    legacy.password = better_auth_to_django(better_auth_hash("legacy-pass-1"))
    legacy.save()
    floor = timing.credential_check_floor()
    assert floor > 0
    sign_in(APIClient(), email="ghost@example.com")  # dummy Argon2id: padded up to the floor
    sign_in(APIClient(), password="wrong-password-9")  # an Argon2id account: padded too
    assert len(sleeps) == 2
    assert all(0 < pause < floor for pause in sleeps)


def test_the_floor_is_rechecked_after_the_last_legacy_hash_is_upgraded(user, sleeps):
    legacy = User.objects.create_user("legacy@example.com", None)
    legacy.password = better_auth_to_django(better_auth_hash("legacy-pass-1"))
    legacy.save()
    assert timing.credential_check_floor() > 0
    assert sign_in(APIClient(), "legacy@example.com", "legacy-pass-1").status_code == 200
    timing.forget_floor()  # what RECHECK_SECONDS does in production
    assert timing.credential_check_floor() == 0.0


def test_an_import_into_a_running_service_is_padded_from_its_first_legacy_check(user, sleeps):
    assert timing.credential_check_floor() == 0.0  # no legacy hash yet; next recheck in 5 min
    legacy = User.objects.create_user("legacy@example.com", None)  # what an import writes
    legacy.password = better_auth_to_django(better_auth_hash("legacy-pass-1"))
    legacy.save()
    sign_in(APIClient(), "legacy@example.com", "wrong-password-9")  # meets the imported hash
    assert timing._state["floor"] > 0
    sleeps.clear()
    sign_in(APIClient(), email="ghost@example.com")  # unknown emails are padded right away
    assert len(sleeps) == 1 and sleeps[0] > 0
