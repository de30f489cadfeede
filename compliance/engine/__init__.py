"""The compliance engine: measures every commitment of a project against its reports (SPEC §3).

One module per kind of commitment, behind `KINDS`. `evaluate_project` is the single entry
point: it reads the current lines once, grouped by report (one contractor's month) and
craft, with a conditional sum for every hours-measured commitment in that same pass; each
kind then rolls those totals up to the groups its scope defines. What needs another
grouping runs its own query, one per commitment, never per group or month: distinct
workers, the underpaid lines of a wage floor (found through an index), progress entries,
reports filed. The results replace the project's stored evaluations in one transaction,
and the flags are raised, updated and resolved to match (SPEC §4). Evaluations of one
project take turns on its row's lock; reports filed meanwhile do not wait for them (the lock
order is in `compliance.locks.lock_rows`).
"""

import datetime
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from compliance.engine import anomalies, counts, cure, reporting, wages, workforce
from compliance.engine.common import TOTAL, Context
from compliance.locks import lock_rows, with_retry
from compliance.models import Evaluation
from compliance.months import month_start, months_between
from projects.models import Craft, Project

KINDS = {
    "workforce_share": workforce,
    "wage_floor": wages,
    "count_target": counts,
}
LINE_KINDS = {"workforce_share", "wage_floor"}

__all__ = ["KINDS", "evaluate_project", "evaluate_reporting"]


def _context(project: Project, as_of: datetime.date, computed_at) -> Context:
    return Context(
        project=project,
        as_of=as_of,
        computed_at=computed_at,
        assignments={
            a.pk: a for a in project.assignments.select_related("contractor").order_by("pk")
        },
        crafts={c.pk: c for c in Craft.objects.filter(projects=project).order_by("pk")},
    )


def _tune() -> None:
    """PostgreSQL: this transaction's few big aggregates gain nothing from JIT compilation
    (hundreds of milliseconds to compile), need room to hash their groups in memory, and
    are worth splitting over parallel workers, which the planner's default costs rule out
    for the pass over the lines (thousands of groups, each with dozens of sums)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true),"
                " set_config('parallel_setup_cost', '0', true),"
                " set_config('parallel_tuple_cost', '0', true)"
            )


def _read_lines(ctx: Context, commitments) -> None:
    """The one pass over the lines: totals by report (so contractor and month) and craft.

    Grouping by report rather than by a month computed from each line's date spares the
    database a date function per line: a line's week ends in its report's month.
    """
    aggregates = {"all_hours": Sum("hours", output_field=TOTAL)}
    same_as = {}  # commitments often share a sum (all hours of the population): once is enough
    computed = {repr(aggregates["all_hours"]): "all_hours"}
    for commitment in commitments:
        kind = KINDS[commitment.kind]
        if hasattr(kind, "line_aggregates"):
            for name, aggregate in kind.line_aggregates(commitment, ctx).items():
                if repr(aggregate) in computed:
                    same_as[name] = computed[repr(aggregate)]
                else:
                    computed[repr(aggregate)] = name
                    aggregates[name] = aggregate
    cells = list(ctx.lines().values("report_id", "craft_id").annotate(**aggregates).order_by())
    ctx.load_reports(cell["report_id"] for cell in cells)
    for cell in cells:
        cell["assignment_id"], cell["month"] = ctx.reports[cell["report_id"]]
        for name, twin in same_as.items():
            cell[name] = cell[twin]
    ctx.cells = cells
    months = [cell["month"] for cell in cells]
    first = min([month_start(ctx.project.start_date), *months])
    last = month_start(ctx.as_of)
    if ctx.as_of > ctx.project.end_date:
        last = max([month_start(ctx.project.end_date), *months])
    ctx.months = months_between(first, last)


def _craft_names(ctx: Context) -> None:
    """Lines may name a craft the project no longer lists; flags still need its name."""
    missing = {cell["craft_id"] for cell in ctx.cells} - set(ctx.crafts)
    if missing:
        ctx.crafts.update({c.pk: c for c in Craft.objects.filter(pk__in=missing)})


def _store(evaluations: list[Evaluation]) -> None:
    """Insert the results. PostgreSQL takes them through COPY: the megabytes of monthly
    series go as they are, not quoted into one huge INSERT statement (half the time)."""
    if connection.vendor != "postgresql" or not evaluations:
        Evaluation.objects.bulk_create(evaluations)
        return
    fields = [f for f in Evaluation._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"COPY {quote(Evaluation._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for evaluation in evaluations:
            copy.write_row(
                [f.get_db_prep_save(getattr(evaluation, f.attname), connection) for f in fields]
            )
    # One row per project, commitment and group (a constraint says so): that finds their ids.
    ids = {
        (commitment_key, group_key): pk
        for pk, commitment_key, group_key in Evaluation.objects.filter(
            project=evaluations[0].project_id,
            commitment_key__in={e.commitment_key for e in evaluations},
        ).values_list("pk", "commitment_key", "group_key")
    }
    for evaluation in evaluations:
        evaluation.pk = ids[(evaluation.commitment_key, evaluation.group_key)]
        evaluation._state.adding = False
        evaluation._state.db = connection.alias


@with_retry
def evaluate_project(project: Project, as_of: datetime.date | None = None) -> list[Evaluation]:
    """Evaluate every commitment of the project for every group its scope defines, and the
    reporting obligation of every assignment, as of a date (default: today); store the
    results in place of the previous ones and raise, update or resolve the flags."""
    from compliance.flags.raising import ALL_KINDS, anomaly_key, findings_for, sync_flags

    as_of = as_of or timezone.localdate()
    with transaction.atomic():
        lock_rows(project_id=project.pk)
        _tune()
        project.refresh_from_db()
        ctx = _context(project, as_of, timezone.now())
        commitments = list(project.commitments.select_related("area").order_by("position", "key"))
        by_kind = defaultdict(list)
        for commitment in commitments:
            by_kind[commitment.kind].append(commitment)
        if any(c.kind in LINE_KINDS for c in commitments):
            _read_lines(ctx, commitments)
            _craft_names(ctx)
        evaluations = []
        for kind, module in KINDS.items():
            evaluations += module.evaluate(by_kind[kind], ctx)
        evaluations += reporting.evaluate(ctx)
        Evaluation.objects.filter(project=project).delete()
        _store(evaluations)
        checked = anomalies.check_new_reports(ctx)
        findings = findings_for(
            ctx=ctx,
            evaluations=evaluations,
            anomalies=checked.anomalies,
            notices=list(cure.passed_cure_deadlines(project, as_of)),
        )
        sync_flags(
            project=project,
            findings=findings,
            kinds=ALL_KINDS,
            now=ctx.computed_at,
            only={"data_anomaly": {anomaly_key(a, m) for a, m in checked.months}},
        )
    return evaluations


@with_retry
def evaluate_reporting(project: Project, as_of: datetime.date | None = None) -> list[Evaluation]:
    """Only the reporting obligation: the missing-report check, cheap enough to run often."""
    from compliance.flags.raising import REPORT_KINDS, findings_for, sync_flags

    as_of = as_of or timezone.localdate()
    with transaction.atomic():
        lock_rows(project_id=project.pk)
        ctx = _context(project, as_of, timezone.now())
        evaluations = reporting.evaluate(ctx)
        Evaluation.objects.filter(project=project, commitment_key="reporting").delete()
        _store(evaluations)
        findings = findings_for(ctx=ctx, evaluations=evaluations, anomalies=[], notices=[])
        sync_flags(project=project, findings=findings, kinds=REPORT_KINDS, now=ctx.computed_at)
    return evaluations
