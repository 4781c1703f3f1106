"""project.mysql: a transaction opens with one BEGIN, and is every bit a transaction (its rows
unseen by other connections until COMMIT, all gone on ROLLBACK); outside one, every statement
commits at once."""

import pymysql
import pytest
from django.db import connection, transaction

from tests.factories import UserFactory
from users.models import User

pytestmark = [
    pytest.mark.skipif(connection.vendor != "mysql", reason="the MySQL backend"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def other():
    """A second connection to the same database, as another worker has."""
    settings = connection.settings_dict
    link = pymysql.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=int(settings["PORT"] or 3306),
        user=settings["USER"],
        password=settings["PASSWORD"],
        database=settings["NAME"],
        autocommit=True,
    )

    def users() -> set[str]:
        with link.cursor() as cursor:
            cursor.execute("SELECT email FROM users_user")
            return {row[0] for row in cursor.fetchall()}

    yield users
    link.close()


@pytest.fixture
def sent(monkeypatch):
    """The statements that open and close transactions, as the driver sends them."""
    commands: list[str] = []
    connection.ensure_connection()
    driver = type(connection.connection)
    for name in ("begin", "commit", "rollback", "_send_autocommit_mode"):
        method = getattr(driver, name)
        monkeypatch.setattr(
            driver, name, lambda self, *a, _m=method, _n=name: commands.append(_n) or _m(self, *a)
        )
    return commands


def test_a_transaction_is_one_begin_and_one_commit(sent):
    with transaction.atomic():
        UserFactory(email="one@example.com")
    assert sent == ["begin", "commit"]  # Django's own way: autocommit off, COMMIT, autocommit on
    assert connection.get_autocommit() and connection.connection.get_autocommit()


def test_its_rows_are_unseen_until_commit(other):
    with transaction.atomic():
        UserFactory(email="pending@example.com")
        assert "pending@example.com" not in other()
    assert "pending@example.com" in other()


def test_a_failure_rolls_everything_back(other, sent):
    with pytest.raises(RuntimeError), transaction.atomic():
        UserFactory(email="first@example.com")
        with transaction.atomic():  # a savepoint inside
            UserFactory(email="second@example.com")
        raise RuntimeError
    assert sent == ["begin", "rollback"]
    assert not User.objects.filter(email__in=["first@example.com", "second@example.com"]).exists()
    assert other() == set()


def test_outside_a_transaction_each_statement_commits(other, sent):
    UserFactory(email="now@example.com")
    assert "now@example.com" in other()
    assert sent == []


def test_a_manual_autocommit_off_still_works(other):
    transaction.set_autocommit(False)
    try:
        UserFactory(email="manual@example.com")
        assert "manual@example.com" not in other()
        transaction.commit()
    finally:
        transaction.set_autocommit(True)
    assert "manual@example.com" in other()
