"""PreparedQuery: the ORM's SQL and conversions, compiled once, run with new ids."""

import django
import pytest

from auth_api.models import SignIn
from auth_api.tokens.prepared import CHECKED_DJANGO, PreparedQuery
from tests.helpers import sign_in

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


def test_a_name_the_query_does_not_use_is_refused(db):
    query = PreparedQuery(
        lambda pk, other: SignIn.objects.filter(pk=pk).values_list("id"), "pk", "other"
    )
    with pytest.raises(ValueError, match="other"):
        query.first(pk="a", other="b")


def test_pinned_to_the_django_releases_it_was_checked_against():
    """An upgrade of Django fails here until PreparedQuery's use of the compiler is re-checked."""
    assert django.VERSION[:2] in CHECKED_DJANGO, (
        f"Django {django.get_version()}: re-check PreparedQuery against its SQLCompiler, then add "
        "the release to CHECKED_DJANGO (or retire PreparedQuery)"
    )
