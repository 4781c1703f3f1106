"""Hot-path statements written once per process, then run with new values: reads the ORM builds
and compiles once (PreparedQuery), single-row INSERTs (insert) and UPDATEs (update)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

import orjson
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Field, Model, QuerySet
from django.db.models.functions import JSONArray
from django.db.models.sql.compiler import SQLCompiler
from django.utils.dateparse import parse_datetime

import reads

# PreparedQuery leans on the ORM's compiler, which is not a public API (`as_sql`, `select`,
# `col_count`, `get_converters`, `apply_converters`, a values_list's `_fields`), reads.read on
# the connection's health-check state (`health_check_enabled`, `health_check_done`), `insert` on
# what Model.save() does for a new row (`pre_save`, `get_db_prep_save`, `_state`) and `update`
# on what QuerySet.update() does with its values and filters (`get_db_prep_save`,
# `get_db_prep_value`). All are checked against these Django releases; a test fails on any
# other, so an upgrade re-checks them (or retires them) before it ships.
CHECKED_DJANGO = ((5, 2),)


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple[tuple[str | None, Any], ...]  # (placeholder name or None, fixed value)

    def filled(self, values: dict[str, str]) -> list[Any]:
        return [values[name] if name else value for name, value in self.params]


@dataclass(frozen=True)
class _Compiled:
    vendor: str
    plain: _Statement
    packed: _Statement | None  # the same row as one JSON array, where it is read so
    compiler: SQLCompiler
    converters: dict[int, Any]  # column index -> the ORM's converters for it
    datetimes: tuple[int, ...]  # columns a packed row holds as text: the driver's datetime


class PreparedQuery:
    """A `values_list()` query whose SQL and result converters the ORM makes on first use; each
    call then only fills in its string parameters, executes, and converts the row with the ORM's
    own converters (aware datetimes, booleans, on every backend).

    Building and compiling a queryset costs more than the round trip of a primary-key lookup
    (about 0.35 ms against 0.3 ms here): on a path every page load takes, that is paid once.

        query = PreparedQuery(lambda pk: Thing.objects.filter(pk=pk).values_list("a", "b"), "pk")
        row = query.first(pk="...")  # [a, b] or None
        rows = PreparedQuery(build, "pk", limit=5).all(pk="...")  # up to 5 rows

    Only string values can be filled in (ids, an address): they reach the database as given, so
    a marker string stands for them while the query is compiled.

    As the first query of a request it also stands in for Django's connection health check
    (reads.read): a query on a live connection costs one round trip, not two.

    `packed=True` asks MySQL or MariaDB for the row as one JSON array (JSON_ARRAY of the same
    columns): PyMySQL then describes and decodes one text column instead of one per value (about
    a third of a nine-column read's CPU). The row is the same: datetimes, given as text, are
    parsed as the ORM parses datetime text, and the ORM's converters run on it as on any other. A
    row too large for the server to send once escaped (MariaDB answers NULL) is read again
    unpacked. Only columns JSON holds exactly may be packed (text, booleans, integers,
    datetimes); any other is refused when the query is compiled, on every database.
    """

    def __init__(
        self,
        build: Callable[..., QuerySet],
        *names: str,
        limit: int = 1,
        using: str = DEFAULT_DB_ALIAS,
        packed: bool = False,
    ) -> None:
        self._build = build
        self._names = names
        self._limit = limit  # rows at most (`all`); `first` reads one
        self._using = using
        self._packed = packed
        self._compiled: _Compiled | None = None

    def _compile(self, vendor: str) -> _Compiled:
        markers = {f"\x00{name}\x00": name for name in self._names}
        queryset = self._build(**{name: marker for marker, name in markers.items()})[: self._limit]
        compiler = queryset.query.get_compiler(using=self._using)
        plain = self._statement(compiler, markers)  # as_sql() sets `select` and `col_count`
        columns = [expression for expression, _, _ in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(columns)
        packed = None
        types = [_kind(column.output_field) for column in columns]
        if self._packed:
            refused = sorted({kind for kind in types if kind not in _PACKABLE})
            if refused:
                raise ValueError(f"columns JSON does not hold exactly: {refused}")
            if vendor in _PACKED_VENDORS:
                fields = cast(Any, queryset)._fields  # the values_list's names, in order
                query = queryset.values_list(JSONArray(*fields)).query
                packed = self._statement(query.get_compiler(using=self._using), markers)
        datetimes = tuple(i for i, kind in enumerate(types) if kind == "DateTimeField")
        self._compiled = _Compiled(vendor, plain, packed, compiler, converters, datetimes)
        return self._compiled

    def _statement(self, compiler: SQLCompiler, markers: dict[str, str]) -> _Statement:
        sql, params = compiler.as_sql()
        slots = tuple(
            (markers.get(value) if isinstance(value, str) else None, value) for value in params
        )
        missing = set(self._names) - {name for name, _ in slots}
        if missing:
            raise ValueError(f"parameters not in the compiled query: {sorted(missing)}")
        return _Statement(sql, slots)

    @staticmethod
    def _fetch(connection: Any, sql: str, params: list) -> list[Sequence[Any]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def all(self, **values: str) -> list[Sequence[Any]]:
        """Every row (at most `limit`), converted."""
        connection = connections[self._using]
        compiled = self._compiled
        if compiled is None or compiled.vendor != connection.vendor:
            compiled = self._compile(connection.vendor)
        statement = compiled.packed or compiled.plain
        params = statement.filled(values)
        # The request's first read, usually: it checks the connection itself (reads.read).
        rows = reads.read(lambda: self._fetch(connection, statement.sql, params), self._using)
        if compiled.packed is not None:
            if any(row[0] is None for row in rows):
                # Larger, escaped, than the server sends (max_allowed_packet): MariaDB gives NULL.
                rows = self._fetch(connection, compiled.plain.sql, compiled.plain.filled(values))
            else:
                rows = [_unpacked(row[0], compiled.datetimes) for row in rows]
        if not rows or not compiled.converters:
            return list(rows)
        return list(compiled.compiler.apply_converters(rows, compiled.converters))

    def first(self, **values: str) -> Sequence[Any] | None:
        """The first row, converted, or None."""
        rows = self.all(**values)
        return rows[0] if rows else None


# Where packing pays: PyMySQL describes and decodes each column in Python. SQLite's driver is C,
# and it decodes booleans itself.
_PACKED_VENDORS = frozenset({"mysql"})

# Internal types whose values a JSON array gives back as the driver would: text, numbers that
# are integers, booleans (0/1 or true/false, as the driver's column gives them) and datetimes
# (text, parsed as the ORM parses datetime text: no zone, the ORM's converter gives it one).
_PACKABLE = frozenset(
    {
        "CharField",
        "TextField",
        "BooleanField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
        "DateTimeField",
    }
)


def _kind(field: Field) -> str:
    """The column's internal type; a key to another row holds its target's."""
    target = getattr(field, "target_field", None) if field.is_relation else None
    return _kind(target) if target is not None else field.get_internal_type()


def _unpacked(packed: str | bytes, datetimes: tuple[int, ...]) -> list[Any]:
    row = orjson.loads(packed)
    for index in datetimes:
        text = row[index]
        if text is not None:
            row[index] = parse_datetime(text)
            if row[index] is None:
                raise ValueError(f"not a datetime: {text!r}")
    return row


@lru_cache(maxsize=64)
def _insert_sql(model: type[Model], columns: tuple[str, ...], using: str) -> str:
    quote = connections[using].ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    marks = ", ".join(["%s"] * len(columns))
    # Names from the model's own meta, quoted; every value is a parameter.
    return f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608


def insert(instance: Model, using: str = DEFAULT_DB_ALIAS) -> None:
    """Save a new instance with one INSERT, as `Model.save()` would (each field's value made by
    its own `pre_save` and `get_db_prep_save`), its statement written once per process instead
    of built and compiled on every call. Unlike save(), it sends no model signal: nothing in the
    service listens to the rows written this way. A model with its own save() or a parent, or a
    value the database computes (an expression, a `db_default`), goes through save() instead."""
    meta = instance._meta
    if type(instance).save is not Model.save or meta.parents:  # its own save() decides
        instance.save(force_insert=True, using=using)
        return
    connection = connections[using]
    generated = instance.pk is None and meta.auto_field is not None
    fields = [
        field
        for field in meta.local_concrete_fields
        if not (generated and field is meta.auto_field) and not field.generated
    ]
    values = [field.pre_save(instance, True) for field in fields]
    if any(hasattr(value, "resolve_expression") for value in values):
        instance.save(force_insert=True, using=using)
        return
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values, strict=True)
    ]
    sql = _insert_sql(type(instance), tuple(field.column for field in fields), using)
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
        cursor.execute(sql, params)
        if generated:
            instance.pk = cursor.lastrowid
    instance._state.adding = False
    instance._state.db = using


# The lookups `update` can filter by: a column's name alone is `exact`.
_UPDATE_LOOKUPS = {"exact": "=", "gt": ">"}


@lru_cache(maxsize=64)
def _update_sql(
    model: type[Model], changed: tuple[str, ...], where: tuple[str, ...], using: str
) -> str:
    quote = connections[using].ops.quote_name

    def column(name: str) -> str:
        return quote(str(_field(model, name).column))

    sets = ", ".join(f"{column(name)} = %s" for name in changed)
    conditions = []
    for key in where:
        name, _, lookup = key.partition("__")
        conditions.append(f"{column(name)} {_UPDATE_LOOKUPS[lookup or 'exact']} %s")
    # Names from the model's own meta, quoted; every value is a parameter.
    return (
        f"UPDATE {quote(model._meta.db_table)} SET {sets} "  # noqa: S608
        f"WHERE {' AND '.join(conditions)}"
    )


def update(
    model: type[Model],
    changes: dict[str, Any],
    *,
    where: dict[str, Any],
    using: str = DEFAULT_DB_ALIAS,
) -> int:
    """`model.objects.filter(**where).update(**changes)` as one UPDATE written once per process
    (the ORM builds and compiles it on every call): each value made as the ORM makes it (a
    change by its field's `get_db_prep_save`, a filter's by `get_db_prep_value`). `where` takes
    field names (equality) and `name__gt`; values are plain values, not expressions. Returns the
    rows matched, as update() does."""
    connection = connections[using]
    params = [_field(model, name).get_db_prep_save(v, connection) for name, v in changes.items()]
    params += [
        _field(model, key.partition("__")[0]).get_db_prep_value(value, connection)
        for key, value in where.items()
    ]
    sql = _update_sql(model, tuple(changes), tuple(where), using)
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _field(model: type[Model], name: str) -> Field:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.concrete:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field
