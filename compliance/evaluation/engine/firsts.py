"""Each worker's first weeks kept per report version (issue 17): an evaluation counts
distinct workers from them, it does not read lines.

A commitment measured in workers or new hires counts, per group, each month's distinct
workers (and those of them who qualify), and the cumulative count, which adds each worker
once, in the month of their first week (for the numerator, of their first qualifying week).
Its terms put two filters on the lines, the population and the qualifying lines among it,
named by their signature as the sums of hours are (`engine.sums`), so commitments that
count the same share them and amended terms that count differently ask new ones. Kept per
report version, craft and signature (`ReportWorker`): each worker's first week ending and
first qualifying week ending among the version's lines of that craft, and a row without a
worker where lines of no worker (open data) are among them, with the first of their weeks.
A version's lines never change, so neither do these.

They are made when a version is stored (`make_firsts`, called with the sums by
`keep_report_aggregates`, inside the store's transaction: one GROUP BY over that version's
lines), or by the first evaluation that needs a signature versions lack (stored another
way, terms amended since), in one pass over those versions' lines, and kept (`kept`). The
row without a craft marks a signature as made for a version, whatever its lines.

An evaluation then counts from the kept rows of the current versions, in the database
(`from_kept`), as of any date and without reading a line: a version's workers as of a day
inside its month are those whose first week there ends on or before that day, qualifying
if their first qualifying week does, so a version with later weeks needs no other reading.
Excluded crafts depend on the project's crafts, not on the lines: they are left out when
the rows are counted, not when they are made. `from_lines` counts the same from the lines
(what tests/test_aggregates.py compares the kept rows with).
"""

import hashlib
from itertools import islice

from django.db import connection
from django.db.models import Count, F, Min, Q, QuerySet

from compliance.evaluation.engine.common import Context
from compliance.models import PayrollLine, ReportWorker

CHUNK = 500
INSERTED = "report_id, craft_id, signature, worker_id, first_week, first_qualifying"
SELECTED = "report_id, craft_id, %s, worker_id, first, first_qualifying"


def signature(population: Q, qualifying: Q) -> str:
    """The filters a commitment counts workers under, as a short stable key (hashed)."""
    text = repr(("workers", population, qualifying))
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def make_firsts(report_ids: list[int], filters: dict[str, tuple[Q, Q]]) -> None:
    """Make and keep these signatures' rows for these versions, from their lines: per
    signature and few hundred versions, one GROUP BY (version, craft, worker) the database
    writes straight into the kept rows. Rows another run made meanwhile are left as they
    are (they are the same)."""
    table = connection.ops.quote_name(ReportWorker._meta.db_table)
    ids = iter(sorted(report_ids))
    with connection.cursor() as cursor:
        while chunk := list(islice(ids, CHUNK)):
            for key, (population, qualifying) in filters.items():
                firsts = (
                    PayrollLine.objects.filter(population, report_id__in=chunk)
                    .values("report_id", "craft_id", "worker_id")
                    .annotate(
                        first=Min("week_ending"),
                        first_qualifying=Min("week_ending", filter=qualifying),
                    )
                    .order_by()
                )
                inner, params = firsts.query.sql_with_params()
                # SQLite reads ON CONFLICT after a SELECT only past a WHERE clause.
                cursor.execute(
                    f"INSERT INTO {table} ({INSERTED}) SELECT {SELECTED} "  # noqa: S608
                    f"FROM ({inner}) AS firsts WHERE true ON CONFLICT DO NOTHING",
                    [key, *params],
                )
    ReportWorker.objects.bulk_create(
        [
            # The row without a craft: the signature is made for the version.
            ReportWorker(report_id=report_id, signature=key)
            for report_id in report_ids
            for key in filters
        ],
        ignore_conflicts=True,
    )


def kept(ctx: Context, population: Q, qualifying: Q) -> QuerySet[ReportWorker]:
    """The kept rows of the current versions for these filters, made first for versions
    that lack them (one pass over those versions' lines)."""
    key = signature(population, qualifying)
    current = ctx.current_reports()
    made = ReportWorker.objects.filter(signature=key, craft__isnull=True).values("report_id")
    lacking = list(current.exclude(pk__in=made).values_list("pk", flat=True))
    if lacking:
        make_firsts(lacking, {key: (population, qualifying)})
    return ReportWorker.objects.filter(
        report__in=current, signature=key, craft__isnull=False, first_week__lte=ctx.as_of
    )


def from_kept(
    ctx: Context, population: Q, qualifying: Q, *, excluded: set[int], fields: tuple
) -> tuple[list[dict], list[tuple]]:
    """What a share of workers counts, from the kept rows of the current versions, as of
    the as-of date: per version (and craft, where the group has crafts) its distinct workers
    who qualify, all of them, and whether lines of no worker are among them (`num`, `den`,
    `unidentified`); and per group and pair of first week and first qualifying week (or
    None), how many workers have them (`fields`' values first).

    A worker counts in a version by the as-of date when their first week there ends by
    then, and qualifies when their first qualifying week does; their first week in a group
    is the earliest of their first weeks in its versions."""
    rows = kept(ctx, population, qualifying).exclude(craft_id__in=sorted(excluded))
    by_then = Q(first_qualifying__lte=ctx.as_of)
    named = Q(worker__isnull=False)
    # A worker has one row per version and craft: counted once across a version's crafts.
    distinct = "craft_id" not in fields
    per_report = (
        rows.values("report_id", *(f for f in fields if f == "craft_id"))
        .annotate(
            num=Count("worker", distinct=distinct, filter=by_then),
            den=Count("worker", distinct=distinct),
            unidentified=Count("pk", filter=~named),
        )
        .order_by()
    )
    first = (
        rows.filter(named)
        .values(
            *(f for f in fields if f == "craft_id"),
            "worker_id",
            **{f: F("report__assignment_id") for f in fields if f == "assignment_id"},
        )
        .annotate(
            first=Min("first_week"),
            first_qualifying=Min("first_qualifying", filter=by_then),
        )
        .order_by()
    )
    return list(per_report), _count_by_first(first, fields)


def from_lines(
    ctx: Context, population: Q, qualifying: Q, *, excluded: set[int], fields: tuple
) -> tuple[list[dict], list[tuple]]:
    """What `from_kept` counts, from the lines themselves."""
    if excluded:
        population = population & ~Q(craft_id__in=sorted(excluded))
    qualifying = population & qualifying
    lines = ctx.lines().filter(population)
    per_report = (
        lines.values("report_id", *(f for f in fields if f == "craft_id"))
        .annotate(
            num=Count("worker", distinct=True, filter=qualifying),
            den=Count("worker", distinct=True),
            unidentified=Count("id", filter=Q(worker__isnull=True)),
        )
        .order_by()
    )
    first = (
        lines.filter(worker__isnull=False)
        .values(*fields, "worker_id")
        .annotate(
            first=Min("week_ending"),
            first_qualifying=Min("week_ending", filter=qualifying),
        )
        .order_by()
    )
    return list(per_report), _count_by_first(first, fields)


def _count_by_first(first: QuerySet, fields: tuple) -> list[tuple]:
    """How many workers share each group and pair of first weeks (one GROUP BY over the
    per-worker rows, in the database)."""
    inner, params = first.query.sql_with_params()
    quote = connection.ops.quote_name
    keys = ", ".join([*(quote(f) for f in fields), quote("first"), quote("first_qualifying")])
    sql = f"SELECT {keys}, COUNT(*) FROM ({inner}) AS firsts GROUP BY {keys}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
