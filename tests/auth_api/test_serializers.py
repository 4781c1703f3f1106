"""The hand-written renderers must say exactly what the declared (schema) fields would say."""

from datetime import UTC, datetime, timedelta

import pytest
from rest_framework import serializers

import clock as service_clock
from auth_api.http.serializers import SessionResponseSerializer, UserSerializer, iso_datetime
from auth_api.tokens.sign_ins import session_shown, sign_in_with_user
from tests.helpers import sign_in
from users.models import User

pytestmark = pytest.mark.django_db


def generic(serializer_class, instance) -> dict:
    """What DRF renders from the declared fields alone."""
    return serializers.Serializer.to_representation(serializer_class(), instance)


@pytest.mark.parametrize("image", [None, "https://example.com/a.png"])
def test_user_rendering_matches_declared_fields(user, image):
    user.image = image
    user.save()
    user.refresh_from_db()
    assert UserSerializer(user).data == generic(UserSerializer, user)


def test_session_rendering_matches_declared_fields(api_client, user):
    """GET session/ renders its one-query read (no model instance) as the declared fields render
    the models."""
    sign_in(api_client)
    ids = {"sign_in_id": user.sign_ins.get().id, "user_id": user.id}
    shown, row = session_shown(**ids), sign_in_with_user(**ids)
    fast = SessionResponseSerializer({"user": shown.user, "session": shown}).data
    assert fast == generic(SessionResponseSerializer, {"user": row.user, "session": row})


def test_a_session_is_shown_while_its_sign_in_is_live(api_client, user, clock):
    sign_in(api_client)
    live = user.sign_ins.get()
    ids = {"sign_in_id": live.id, "user_id": user.id}
    assert session_shown(**ids) is not None
    assert session_shown(sign_in_id=live.id, user_id="u" * 32) is None  # another user's
    clock.advance((live.expires_at - clock.now()).total_seconds() + 1)
    assert session_shown(**ids) is None and sign_in_with_user(**ids) is None  # expired
    clock.reset()
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert session_shown(**ids) is None and sign_in_with_user(**ids) is None
    User.objects.filter(pk=user.pk).update(is_active=True)
    live.revoked_at = live.created_at
    live.save()
    assert session_shown(**ids) is None and sign_in_with_user(**ids) is None


def test_a_session_ends_at_the_instant_its_sign_in_expires(api_client, user, monkeypatch):
    """Live until its expiry, not at it: GET session/'s read and every other read of a sign-in
    share the one rule (SignIn.is_live)."""
    sign_in(api_client)
    live = user.sign_ins.get()
    ids = {"sign_in_id": live.id, "user_id": user.id}
    monkeypatch.setattr(service_clock, "now", lambda: live.expires_at - timedelta(microseconds=1))
    assert session_shown(**ids) is not None and sign_in_with_user(**ids) is not None
    monkeypatch.setattr(service_clock, "now", lambda: live.expires_at)
    assert session_shown(**ids) is None and sign_in_with_user(**ids) is None


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        datetime(2026, 6, 1, 12, 0, tzinfo=UTC) + timedelta(microseconds=1),
        None,
    ],
)
def test_iso_datetime_matches_drf(value):
    assert iso_datetime(value) == serializers.DateTimeField().to_representation(value)


def test_users_unaffected_by_rendering_of_other_users(db):
    a = User.objects.create_user("a@example.com", None, name=" a ")
    assert UserSerializer(a).data["name"] == " a "
