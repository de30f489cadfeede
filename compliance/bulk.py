"""Writing many rows at once: COPY on PostgreSQL, large `executemany` batches on SQLite.

The one bulk writer of the intake store, the demo generator and the engine, and the one
place bulk work holds Python's cycle collector off (`collecting_later`). The ORM's
`bulk_create` builds a model instance and prepares every value of every row; at 100,000
payroll lines that alone costs more than reading the workbook. Here rows are plain tuples
and each column keeps a table of the texts (PostgreSQL) or values (SQLite) it has already
converted, so a repeated value (a date, a craft, a rate) is converted once.

COPY goes through the driver's own cursor, as the engine's results always did, so it stays
out of Django's query log and the query-count tests count what they counted before; its
errors are Django's all the same (an IntegrityError is one whichever way the rows went).

A leaf above the models: it imports nothing of ours.
"""

import datetime
import gc
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from itertools import islice

from django.db import connection, models

BATCH = 20_000


@contextmanager
def collecting_later():
    """Python's cycle collector held off during bulk work: an evaluation makes hundreds of
    thousands of small dicts and strings (series, listed lines), an import as many tuples
    (a 100,000-line month's cells and lines), all alive until they are stored, and the
    collector, set off by their number, would walk every object of the process again and
    again for none (a third of a re-evaluation's time at a million lines, a twentieth of a
    100,000-line import's). It runs again, as before, when the block ends, however it
    ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class CopyTexts(dict):
    """One column's values as COPY's text format writes them, each converted once.

    One table per column: 1, 1.00 and True are equal as dict keys, not as column values.
    """

    def __missing__(self, value):
        if value is None:
            text = "\\N"
        elif value is True or value is False:
            text = "t" if value else "f"
        elif isinstance(value, str):
            text = (
                value.replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
        elif isinstance(value, (datetime.date, datetime.datetime)):
            text = value.isoformat()
        else:
            text = str(value)
        self[value] = text
        return text


class SqliteValues(dict):
    """One column's values as Django writes them to SQLite, each converted once.

    A decimal column has NUMERIC affinity there: Django's text "45.50" and the float 45.5
    are stored as the same number, and a float spares SQLite parsing text and Python an
    adapter call per value. Dates are ISO text; aware datetimes UTC, as Django stores them.
    """

    def __missing__(self, value):
        if isinstance(value, Decimal):
            plain = float(value)
        elif isinstance(value, datetime.datetime):
            plain = connection.ops.adapt_datetimefield_value(value)
        elif isinstance(value, datetime.date):
            plain = value.isoformat()
        else:
            plain = value
        self[value] = plain
        return plain


class Lookup(dict):
    """A column whose rows give a key (a worker's key) and whose table holds its id."""

    def __missing__(self, value):
        raise KeyError(f"no id for {value!r}")


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    fixed: Mapping[str, object] | None = None,
    lookups: Mapping[str, Mapping] | None = None,
    ignore_conflicts: bool = False,
    batch: int = BATCH,
) -> int:
    """Insert `rows` (plain values: int, str, bool, Decimal, date, datetime, None), one
    value per name of `columns` (field attnames), into `model`'s table; returns how many.

    `fixed` gives columns with one value for every row (a report's id), written after the
    row's own; other fields with a model default get it, so a field added later needs no
    change here. `lookups` maps a column's row values to what is stored (worker key → id).
    `ignore_conflicts` leaves out a row that would break a unique constraint.
    """
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    fixed = dict(fixed or {})
    for field in model._meta.concrete_fields:
        if field.attname not in columns and field.attname not in fixed and field.has_default():
            fixed[field.attname] = field.get_default()
    names = [*columns, *fixed]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    listed = ", ".join(quote(by_attname[name].column) for name in names)
    lookups = lookups or {}
    rows = iter(rows)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            target = table
            if ignore_conflicts:
                target = "bulk_rows"
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {target} AS SELECT {listed} FROM {table} WITH NO DATA"  # noqa: S608
                )
            tables = [
                Lookup((key, str(value)) for key, value in lookups[name].items())
                if name in lookups
                else CopyTexts()
                for name in columns
            ]
            tail = "".join("\t" + CopyTexts()[value] for value in fixed.values()) + "\n"
            getitem = dict.__getitem__
            copying = cursor.cursor.copy(f"COPY {target} ({listed}) FROM STDIN")
            with connection.wrap_database_errors, copying as copy:
                while chunk := list(islice(rows, batch)):
                    copy.write(
                        "".join(["\t".join(map(getitem, tables, row)) + tail for row in chunk])
                    )
                    written += len(chunk)
            if ignore_conflicts:
                cursor.execute(
                    f"INSERT INTO {table} ({listed}) SELECT {listed} FROM {target} "  # noqa: S608
                    "ON CONFLICT DO NOTHING"
                )
                cursor.execute(f"DROP TABLE {target}")
            return written
        tables = [Lookup(lookups[name]) if name in lookups else SqliteValues() for name in columns]
        tail = tuple(SqliteValues()[value] for value in fixed.values())
        marks = ", ".join(["%s"] * len(names))
        conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
        # Identifiers come from the model's metadata, quoted; values are parameters.
        sql = f"INSERT INTO {table} ({listed}) VALUES ({marks}){conflict}"  # noqa: S608
        getitem = dict.__getitem__
        while chunk := list(islice(rows, batch)):
            cursor.executemany(sql, [(*map(getitem, tables, row), *tail) for row in chunk])
            written += len(chunk)
    return written


def insert_objects(objects: Sequence[models.Model]) -> None:
    """Insert model instances of one model, each value prepared by its field (JSON, times).

    PostgreSQL takes them through COPY: megabytes of JSON go as they are, not quoted into
    one huge INSERT statement. Elsewhere `bulk_create`, which also sets their ids; on
    PostgreSQL the caller finds them by a unique key when it needs them.
    """
    if not objects:
        return
    model = type(objects[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(sql) as copy,
    ):
        for instance in objects:
            copy.write_row(
                [f.get_db_prep_save(getattr(instance, f.attname), connection) for f in fields]
            )
