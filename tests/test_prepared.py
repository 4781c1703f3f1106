"""PreparedQuery: the ORM's SQL and conversions, compiled once, run with new ids."""

from datetime import timedelta

import django
import pymysql
import pytest
from django.db import DatabaseError, close_old_connections, connection, connections
from django.db.models.functions import Now

import clock
from auth_api.models import AccountGuard, SecurityEvent, SignIn
from prepared import CHECKED_DJANGO, PreparedQuery, insert, update
from tests.helpers import bearer, sign_in
from users.models import User

pytestmark = pytest.mark.django_db

COLUMNS = ("expires_at", "remember_me", "revoked_at", "user__email", "user__email_verified")


def _query(sign_in_id, user_id):
    return SignIn.objects.filter(pk=sign_in_id, user_id=user_id).values_list(*COLUMNS)


QUERY = PreparedQuery(_query, "sign_in_id", "user_id")


def test_rows_are_converted_as_the_orm_converts_them(api_client, user):
    sign_in(api_client)
    row = SignIn.objects.get()
    for _ in range(2):  # compiled on the first call, reused on the second
        assert tuple(QUERY.first(sign_in_id=row.id, user_id=user.id)) == _query(row.id, user.id)[0]


def test_no_row_is_none_and_values_are_parameters_not_sql(api_client, user):
    sign_in(api_client)
    row = SignIn.objects.get()
    assert QUERY.first(sign_in_id=row.id, user_id="someone-else") is None
    assert QUERY.first(sign_in_id="x' OR '1'='1", user_id=user.id) is None


def test_one_query_per_call(api_client, user, django_assert_num_queries):
    sign_in(api_client)
    row = SignIn.objects.get()
    with django_assert_num_queries(1):
        QUERY.first(sign_in_id=row.id, user_id=user.id)


def test_all_reads_every_row_up_to_the_limit_converted(api_client, user):
    for _ in range(3):
        sign_in(api_client)
    query = PreparedQuery(
        lambda user_id: (
            SignIn.objects.filter(user_id=user_id)
            .order_by("id")
            .values_list("id", "expires_at", "remember_me")
        ),
        "user_id",
        limit=2,
    )
    expected = list(
        SignIn.objects.filter(user_id=user.id)
        .order_by("id")
        .values_list("id", "expires_at", "remember_me")[:2]
    )
    assert [tuple(row) for row in query.all(user_id=user.id)] == expected
    assert query.all(user_id="someone-else") == []


def test_a_name_the_query_does_not_use_is_refused(db):
    query = PreparedQuery(
        lambda pk, other: SignIn.objects.filter(pk=pk).values_list("id"), "pk", "other"
    )
    with pytest.raises(ValueError, match="other"):
        query.first(pk="a", other="b")


# --- packed rows ------------------------------------------------------------------------------

# Text JSON must escape, and text that looks like JSON; every column type a packed read allows.
AWKWARD_NAMES = [
    'quote " backslash \\ slash / ',
    "line\nbreak\ttab\x01control\x1f",
    "é ñ 中文 😀 \u2028\u2029",
    '["not", "an", "array"]',
    "null",
    "",
]
USER_COLUMNS = tuple(f.attname for f in User._meta.concrete_fields)
WIDE = (
    "id",
    "user",  # a key: its target's type
    "expires_at",
    "revoked_at",
    "remember_me",
    "body_transport",
    "step_up_failures",
    "amr",
    *(f"user__{column}" for column in USER_COLUMNS),
)


def _wide(sign_in_id):
    return SignIn.objects.filter(pk=sign_in_id).values_list(*WIDE)


@pytest.mark.parametrize("name", AWKWARD_NAMES)
def test_a_packed_row_is_the_orms_row(api_client, user, name):
    sign_in(api_client)
    row = SignIn.objects.get()
    whole_second = clock.now().replace(microsecond=0)
    User.objects.filter(pk=user.pk).update(
        name=name, image=name or None, last_login=whole_second, email_verified=True
    )
    SignIn.objects.filter(pk=row.pk).update(revoked_at=whole_second, body_transport=False)
    packed = PreparedQuery(_wide, "sign_in_id", packed=True)
    for _ in range(2):
        got = packed.first(sign_in_id=row.id)
        assert got is not None
        expected = _wide(row.id)[0]
        assert tuple(got) == expected
        assert [type(value) for value in got] == [type(value) for value in expected]
    User.objects.filter(pk=user.pk).update(last_login=None, email_verified=False)
    SignIn.objects.filter(pk=row.pk).update(revoked_at=None, body_transport=None)
    assert tuple(packed.first(sign_in_id=row.id) or ()) == _wide(row.id)[0]
    assert packed.first(sign_in_id="someone-else") is None


def test_a_packed_row_is_one_column_for_the_driver(api_client, user, monkeypatch):
    sign_in(api_client)
    row = SignIn.objects.get()
    packed = PreparedQuery(_wide, "sign_in_id", packed=True)
    packed.first(sign_in_id=row.id)
    described = []

    def fetch(connection, sql, params):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            described.append(len(cursor.description))
            return cursor.fetchall()

    monkeypatch.setattr(PreparedQuery, "_fetch", staticmethod(fetch))
    packed.first(sign_in_id=row.id)
    QUERY.first(sign_in_id=row.id, user_id=user.id)
    # Packed where the driver decodes in Python (PyMySQL); SQLite's C driver reads the row as is.
    assert described == [1 if connection.vendor == "mysql" else len(WIDE), len(COLUMNS)]


def test_a_row_too_large_to_send_packed_is_read_unpacked(api_client, user, monkeypatch):
    """MariaDB answers NULL for a JSON_ARRAY larger than max_allowed_packet: escaping can make
    a row six times longer (a control character is six), so a row it sends plain may not fit."""
    if connection.vendor != "mysql":
        pytest.skip("MySQL and MariaDB only: packing is theirs")
    with connection.cursor() as cursor:
        cursor.execute("SELECT @@max_allowed_packet")
        (limit,) = cursor.fetchone()
    if limit > 64 * 1024 * 1024:
        pytest.skip(f"max_allowed_packet is {limit}: a row over it once escaped is too large")
    sign_in(api_client)
    row = SignIn.objects.get()
    User.objects.filter(pk=user.pk).update(image="\x01" * (limit // 6 + 1024))
    packed = PreparedQuery(_wide, "sign_in_id", packed=True)
    fetched = []
    fetch = PreparedQuery._fetch

    def counted(connection, sql, params):
        fetched.append(sql)
        return fetch(connection, sql, params)

    monkeypatch.setattr(PreparedQuery, "_fetch", staticmethod(counted))
    got = packed.first(sign_in_id=row.id)
    assert tuple(got or ()) == _wide(row.id)[0]
    assert len(fetched) == 2 and "JSON_ARRAY" in fetched[0] and "JSON_ARRAY" not in fetched[1]


@pytest.mark.parametrize(
    ("build", "kind"),
    [
        (lambda pk: SignIn.objects.filter(pk=pk).values_list("id", "ip_address"), "GenericIP"),
        (lambda pk: AccountGuard.objects.filter(pk=pk).values_list("code_allowance"), "Float"),
    ],
)
def test_a_column_json_may_not_hold_exactly_is_refused(db, build, kind):
    with pytest.raises(ValueError, match=kind):
        PreparedQuery(build, "pk", packed=True).first(pk="1")


def test_pinned_to_the_django_releases_it_was_checked_against():
    """An upgrade of Django fails here until PreparedQuery's use of the compiler is re-checked."""
    assert django.VERSION[:2] in CHECKED_DJANGO, (
        f"Django {django.get_version()}: re-check PreparedQuery against its SQLCompiler, then add "
        "the release to CHECKED_DJANGO (or retire PreparedQuery)"
    )


# --- insert ----------------------------------------------------------------------------------


def _columns(row) -> dict:
    return {f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields}


def test_an_inserted_row_reads_back_as_the_orm_saves_it(user):
    now = clock.now()
    values = {
        "user_id": user.pk,
        "remember_me": False,
        "current_jti": "j" * 32,
        "current_issued_at": now,
        "expires_at": now + timedelta(days=1),
        "ip_address": "2001:db8::1",
        "user_agent": "agent",
        "body_transport": None,
        "amr": "pwd otp",
    }
    inserted = SignIn(**values)
    insert(inserted)
    saved = SignIn.objects.create(**{**values, "current_jti": "k" * 32})
    assert not inserted._state.adding and inserted._state.db == "default"
    back, orm = SignIn.objects.get(pk=inserted.pk), SignIn.objects.get(pk=saved.pk)
    assert _columns(back) == _columns(inserted)  # every column, the defaults too
    assert [getattr(back, name) for name in values if name != "current_jti"] == [
        getattr(orm, name) for name in values if name != "current_jti"
    ]


def test_an_inserted_rows_generated_key_comes_back(user):
    first, second = (SecurityEvent(user_id=user.pk, type="signed_in_password") for _ in range(2))
    insert(first)
    insert(second)
    assert first.pk is not None and second.pk > first.pk
    assert SecurityEvent.objects.get(pk=second.pk).type == "signed_in_password"


def test_a_model_with_its_own_save_goes_through_it(user, monkeypatch):
    saved = []
    original = SecurityEvent.save

    def own_save(self, *args, **kwargs):
        saved.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SecurityEvent, "save", own_save)
    event = SecurityEvent(user_id=user.pk, type="signed_in_password")
    insert(event)
    assert saved == [event] and SecurityEvent.objects.filter(pk=event.pk).exists()


def test_a_value_the_database_computes_goes_through_save(user):
    event = SecurityEvent(user_id=user.pk, type="signed_in_password", created_at=Now())
    insert(event)
    assert SecurityEvent.objects.get(pk=event.pk).created_at is not None


# --- update ----------------------------------------------------------------------------------


def _signed_in_twice(user) -> tuple[SignIn, SignIn]:
    now = clock.now()
    values = {
        "user_id": user.pk,
        "current_issued_at": now,
        "created_at": now,
        "auth_time": now,
        "last_used_at": now,
        "expires_at": now + timedelta(days=1),
    }
    return (
        SignIn.objects.create(**values, current_jti="a" * 32),
        SignIn.objects.create(**values, current_jti="b" * 32),
    )


def test_an_update_changes_the_rows_the_orm_update_changes(user, clock):
    """The same filter and changes through the ORM's update() and through prepared.update, on
    two like rows: the same count, the same columns after."""
    ours, orms = _signed_in_twice(user)
    clock.advance(60)
    now = clock.now()
    changes = {"last_used_at": now, "remember_me": True, "ip_address": "2001:db8::2"}
    for row, write in (
        (ours, lambda where: update(SignIn, changes, where=where)),
        (orms, lambda where: SignIn.objects.filter(**where).update(**changes)),
    ):
        live = {"id": row.pk, "user": user.pk, "expires_at__gt": now}
        assert write(live) == 1
        assert write({**live, "expires_at__gt": now + timedelta(days=2)}) == 0  # none is that live
        assert write({**live, "user": "u" * 32}) == 0  # another user's filter
    back = {row.pk: _columns(SignIn.objects.get(pk=row.pk)) for row in (ours, orms)}
    assert {k: v for k, v in back[ours.pk].items() if k not in ("id", "current_jti")} == {
        k: v for k, v in back[orms.pk].items() if k not in ("id", "current_jti")
    }
    assert back[ours.pk]["ip_address"] == "2001:db8::2" and back[ours.pk]["last_used_at"] == now


def test_an_update_names_columns_only(user):
    with pytest.raises(ValueError, match="not a column"):
        update(User, {"email": "x@example.com"}, where={"sign_ins": "x"})


@pytest.mark.skipif(connection.vendor != "mysql", reason="a kept connection the server can drop")
@pytest.mark.django_db(transaction=True)
class TestTheFirstReadChecksTheConnection:
    """With persistent connections and health checks on (the defaults), the first prepared read
    of a request stands in for Django's ping: one round trip, not two; and a connection the
    server dropped between requests is replaced, not answered with a 503."""

    @pytest.fixture
    def kept(self, monkeypatch):
        settings_dict = connections["default"].settings_dict
        monkeypatch.setitem(settings_dict, "CONN_MAX_AGE", 600)
        monkeypatch.setitem(settings_dict, "CONN_HEALTH_CHECKS", True)
        connection.close()
        pings = []
        wrapper = type(connections["default"])
        usable = wrapper.is_usable
        monkeypatch.setattr(wrapper, "is_usable", lambda self: pings.append(1) or usable(self))
        yield pings
        connection.close()

    def session(self, api_client, access) -> int:
        # What a server's request start does (Django's test client leaves it out): the kept
        # connection is due a health check before its next use.
        close_old_connections()
        return api_client.get("/api/auth/session/", **bearer(access)).status_code

    def test_a_live_connection_is_not_pinged(self, kept, api_client, user):
        access = sign_in(api_client).json()["accessToken"]
        assert self.session(api_client, access) == 200
        kept.clear()
        thread = connection.connection.thread_id()
        assert [self.session(api_client, access) for _ in range(3)] == [200, 200, 200]
        assert kept == [] and connection.connection.thread_id() == thread

    def test_a_dropped_connection_is_replaced(self, kept, api_client, user):
        access = sign_in(api_client).json()["accessToken"]
        assert self.session(api_client, access) == 200
        dropped = self.drop()
        assert self.session(api_client, access) == 200
        assert connection.connection.thread_id() != dropped

    def test_a_sign_in_reads_its_user_the_same_way(self, kept, api_client, user):
        assert sign_in(api_client).status_code == 200
        kept.clear()
        dropped = self.drop()
        close_old_connections()
        assert sign_in(api_client).status_code == 200
        assert kept == [] and connection.connection.thread_id() != dropped

    def test_a_failing_query_is_not_repeated(self, kept, user):
        """Only a lost connection is retried: a query's own error is raised, once."""
        import reads

        connection.ensure_connection()
        thread = connection.connection.thread_id()
        close_old_connections()  # a new request: the kept connection is due its check
        calls = []

        def broken() -> None:
            calls.append(1)
            with connection.cursor() as cursor:
                cursor.execute("SELECT no_such_column FROM users_user")

        with pytest.raises(DatabaseError):
            reads.read(broken)
        assert calls == [1] and connection.connection.thread_id() == thread

    def drop(self) -> int:
        """The server ends this process's kept connection (as a restart or a proxy would)."""
        dropped = connection.connection.thread_id()
        killer = pymysql.connect(
            host=connection.settings_dict["HOST"] or "127.0.0.1",
            port=int(connection.settings_dict["PORT"] or 3306),
            user=connection.settings_dict["USER"],
            password=connection.settings_dict["PASSWORD"],
        )
        with killer.cursor() as cursor:
            cursor.execute(f"KILL CONNECTION {int(dropped)}")
        killer.close()
        return dropped
