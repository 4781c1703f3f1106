"""Fixtures. Importable helpers live in tests/helpers.py, factories in tests/factories.py."""

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.factories import UserFactory
from users.models import Role, User


@pytest.fixture
def api_client() -> APIClient:
    """A client that, like a browser, gets CSRF checks enforced."""
    return APIClient(enforce_csrf_checks=True)


@pytest.fixture
def user(db) -> User:
    return UserFactory(email="ada@example.com", name="Ada Lovelace", role=Role.TEACHER)


@pytest.fixture
def verified(user) -> User:
    """`user` with a proven address (second factors and passkeys need one)."""
    user.email_verified = True
    user.save()
    return user


@pytest.fixture
def cookie_name() -> str:
    return settings.REFRESH_COOKIE_NAME


@pytest.fixture(autouse=True)
def _fresh_sign_in_timing_floor():
    """The padding floor is cached per process; each test starts from what its own data says."""
    from auth_api.limits import timing

    timing.forget_floor()
    yield
    timing.forget_floor()


@pytest.fixture(autouse=True)
def _hashers(request, settings):
    """Tests run on a fast hasher; `@pytest.mark.real_hashers` restores the production list where
    a hasher, an upgrade to Argon2id or sign-in timing is what is being tested."""
    if request.node.get_closest_marker("real_hashers"):
        settings.PASSWORD_HASHERS = settings.PRODUCTION_PASSWORD_HASHERS


@pytest.fixture
def known_codes(monkeypatch):
    """Every emailed code is taken from this list, in order: tests know each code in advance."""
    from auth_api.codes import store

    codes: list[str] = []
    monkeypatch.setattr(store, "new_code", lambda: codes.pop(0))
    return codes


@pytest.fixture
def clock():
    """The service's one clock (`clock.now()`, `clock.time()`, `clock.monotonic()`): a test moves
    it with `clock.advance(seconds)`; it is back to the real time after the test."""
    import clock as service_clock

    service_clock.reset()
    yield service_clock
    service_clock.reset()


@pytest.fixture(autouse=True)
def _fresh_keys_and_revocations():
    """The key ring and the revoked-sign-in set are cached per process; each test starts from its
    own database (its first token creates its signing key)."""
    from auth_api.tokens import keys, revocations

    keys.forget_keyring()
    revocations.forget()
    yield
    keys.forget_keyring()
    revocations.forget()


@pytest.fixture
def warm(db):
    """Load what each process caches (the key ring, the revoked sign-ins) the way the first
    request after start-up or after an interval does; requests inside the interval then make no
    query for authentication."""

    def load() -> None:
        from auth_api.tokens import keys, revocations

        keys.keyring()
        revocations.is_revoked("")

    return load
