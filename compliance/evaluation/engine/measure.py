"""The compliance engine: measures every commitment of a project against its reports (SPEC §3).

One module per kind of commitment, behind the registry (`compliance.evaluation.kinds`).
`measure_project` is the single entry point. Every hours-measured commitment's figures come
from totals by report (one contractor's month) and craft, added up from the sums each report
version keeps (`engine.sums`, made when the version is stored: `keep_report_aggregates`), not
from the lines; each kind then rolls those totals up to the groups its scope defines.
Distinct workers are counted from each worker's first weeks, kept per version too
(`engine.firsts`). What needs another grouping runs its own query, one per commitment, never
per group or month: the underpaid lines of a wage floor (found through an index), progress
entries, reports filed. The results replace the project's stored evaluations. The engine has
no other effect (the sums it makes for versions lacking them are a cache of their lines):
`compliance.pipeline` runs it inside the transaction that also reconciles the flags (SPEC
§4), under the project's lock.
"""

import datetime
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from django.utils import timezone

from compliance.bulk import collecting_later, insert_objects
from compliance.evaluation import kinds
from compliance.evaluation.engine import anomalies, firsts, inputs, reporting, sums
from compliance.evaluation.engine.common import Context
from compliance.evaluation.engine.inputs import REUSABLE, Stored
from compliance.models import Evaluation, Report
from compliance.months import month_start, months_between
from projects.models import Commitment, CommitmentVersion, Craft, Project

__all__ = [
    "Measured",
    "measure_as_of",
    "measure_project",
    "measure_reporting",
    "keep_report_aggregates",
    "terms_in_force",
    "commitments_with_terms",
]


def _context(project: Project, as_of: datetime.date, computed_at) -> Context:
    # Which agreement governs what (`governing_agreement`) is asked per commitment.
    prefetch_related_objects([project], "agreements")
    # Every craft, in one query, each marked whether the project lists it.
    listed = Project.crafts.through.objects.filter(project_id=project.pk, craft_id=OuterRef("pk"))
    every_craft = {c.pk: c for c in Craft.objects.annotate(listed=Exists(listed)).order_by("pk")}
    return Context(
        project=project,
        as_of=as_of,
        computed_at=computed_at,
        assignments={
            a.pk: a for a in project.assignments.select_related("contractor").order_by("pk")
        },
        crafts={pk: c for pk, c in every_craft.items() if c.listed},
        every_craft=every_craft,
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


def _line_cells(ctx: Context, aggregates: dict) -> list[dict]:
    """The one pass over the lines the kept sums replace (`sums.cells`): totals by report
    (so contractor and month) and craft. Grouping by report rather than by a month computed
    from each line's date spares the database a date function per line: a line's week ends
    in its report's month."""
    cells = list(ctx.lines().values("report_id", "craft_id").annotate(**aggregates).order_by())
    ctx.load_reports(cell["report_id"] for cell in cells)
    return cells


def _read_lines(ctx: Context, commitments, *, from_lines: bool = False) -> None:
    """Totals by report and craft for every sum the commitments ask (`sums.wanted`), added
    up from the sums each version keeps, or, `from_lines`, read from the lines themselves."""
    ctx.from_lines = from_lines
    aggregates = sums.wanted(commitments, ctx)
    cells = _line_cells(ctx, aggregates) if from_lines else sums.cells(ctx, aggregates)
    for cell in cells:
        cell["assignment_id"], cell["month"] = ctx.reports[cell["report_id"]]
    ctx.cells = cells
    months = [cell["month"] for cell in cells]
    first = min([month_start(ctx.project.start_date), *months])
    last = month_start(ctx.as_of)
    if ctx.as_of > ctx.project.end_date:
        last = max([month_start(ctx.project.end_date), *months])
    ctx.months = months_between(first, last)


def worker_filters(commitments) -> dict:
    """The filters the commitments (with the terms they carry) count distinct workers under
    (population, qualifying lines), by their signature (`engine.firsts`)."""
    filters = {}
    for commitment in commitments:
        found = kinds.KINDS[commitment.kind].worker_filters(commitment)
        if found is not None:
            filters[firsts.signature(*found)] = found
    return filters


def keep_report_aggregates(report: Report) -> None:
    """Keep what evaluations will ask of a report version just stored (issue 17): the sums
    the project's commitments (their latest terms) ask of its lines (`sums.make_version_sums`),
    its workers' first weeks (`firsts.make_firsts`, under `worker_filters`) and what the
    data-anomaly checks find in them (`anomalies.check_version`). The intake sends
    `report_stored` for it inside the store's transaction: made there rather than by the
    next evaluation because the version's lines are then in hand (one version's worth, in
    the database's cache), the transaction is the one that wrote them, and every evaluation
    after it, as of any date, reads what is kept only."""
    project = report.assignment.project
    commitments = [
        c for c in project.commitments.select_related("area") if kinds.KINDS[c.kind].reads_lines
    ]
    if commitments:
        ctx = _context(project, report.period, timezone.now())
        sums.make_version_sums(report, commitments, ctx)
        filters = worker_filters(commitments)
        if filters:
            firsts.make_firsts([report.pk], filters)
    anomalies.check_version(report)


def _craft_names(ctx: Context) -> None:
    """Lines may name a craft the project no longer lists; flags still need its name (one
    added since the run loaded every craft is read)."""
    missing = {cell["craft_id"] for cell in ctx.cells} - set(ctx.crafts)
    added = missing - set(ctx.every_craft)
    if added:
        ctx.every_craft.update({c.pk: c for c in Craft.objects.filter(pk__in=added)})
    ctx.crafts.update({pk: ctx.every_craft[pk] for pk in missing})


# What a result says: every stored field but its id, the day it is as of and when it was
# computed (a result the next day's run finds again is the same result).
SAID = [
    f.attname
    for f in Evaluation._meta.concrete_fields
    if f.attname not in {"id", "as_of", "computed_at", "digest", "inputs"}
]


def digest(evaluation: Evaluation) -> str:
    """What a result says (`SAID`), hashed, so the next run can tell it found the same. The
    kinds build a result's series and details in the same order each run, so their JSON
    needs no sorting to compare."""
    said = [getattr(evaluation, name) for name in SAID]
    text = json.dumps(said, cls=DjangoJSONEncoder, separators=(",", ":"))
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def _store(
    ctx: Context,
    evaluations: list[Evaluation],
    rows: list[Stored],
    *,
    commitment_key: str | None = None,
) -> frozenset:
    """Put the results in place of the project's previous ones (`rows`; of one commitment
    key only, when given), but for those this run did not measure again (`ctx.measures`),
    which stay as stored (as of the same day, dated to when they were measured). A result
    that says what its stored row says (`digest`) keeps its row, whose date and time are
    brought up to date (and its inputs, when they differ); the others' rows are deleted and
    the new ones inserted through the bulk writer (COPY on PostgreSQL: the megabytes of
    monthly series go as they are, not quoted into one huge INSERT statement). A
    re-evaluation after one new report so rewrites the few results it changed, not every
    series of the project. Returns the (commitment key, group key) of the results kept
    without being measured."""
    stored, kept = {}, []
    for row in rows:
        if commitment_key is not None and row.commitment_key != commitment_key:
            continue
        if row.kind in REUSABLE and not ctx.measures(row.assignment_id):
            kept.append(row)
        else:
            stored[(row.commitment_key, row.group_key)] = row
    fresh, unchanged, relabelled, replaced = [], [], [], []
    for evaluation in evaluations:
        evaluation.digest = digest(evaluation)
        row = stored.pop((evaluation.commitment_key, evaluation.group_key), None)
        if row is not None and row.digest == evaluation.digest:
            _as_stored(evaluation, row.pk)
            unchanged.append(row.pk)
            if row.inputs != evaluation.inputs:
                relabelled.append(evaluation)
            continue
        fresh.append(evaluation)
        if row is not None:
            replaced.append(row.pk)
    gone = replaced + [row.pk for row in stored.values()]  # of groups no longer measured
    if gone:
        Evaluation.objects.filter(pk__in=gone).delete()
    if unchanged:
        Evaluation.objects.filter(pk__in=unchanged).update(
            as_of=ctx.as_of, computed_at=ctx.computed_at
        )
    if relabelled:
        Evaluation.objects.bulk_update(relabelled, ["inputs"])
    insert_objects(fresh)
    if connection.vendor == "postgresql" and fresh:
        # One row per project, commitment and group (a constraint says so): that finds their ids.
        ids = {
            (key, group_key): pk
            for pk, key, group_key in Evaluation.objects.filter(
                project_id=fresh[0].project_id,
                commitment_key__in={e.commitment_key for e in fresh},
            ).values_list("pk", "commitment_key", "group_key")
        }
        for evaluation in fresh:
            _as_stored(evaluation, ids[(evaluation.commitment_key, evaluation.group_key)])
    return frozenset((row.commitment_key, row.group_key) for row in kept)


def _as_stored(evaluation: Evaluation, pk: int) -> None:
    """The in-memory result is now its stored row (the flags refer to it by id)."""
    evaluation.pk = pk
    evaluation._state.adding = False
    evaluation._state.db = connection.alias


@dataclass
class Measured:
    """What one measurement of a project found: the stored results, and for the flags the
    context they were measured in and the reports newly checked for data anomalies."""

    ctx: Context
    evaluations: list[Evaluation]
    anomalies: list = field(default_factory=list)
    anomaly_months: list = field(default_factory=list)
    # The (commitment key, group key) of the stored results kept without measuring them
    # again (`engine.inputs`): `evaluations` holds the others only.
    kept: frozenset = frozenset()


def terms_in_force(commitments: list[Commitment], as_of: datetime.date) -> dict[int, int]:
    """Put on each commitment (in memory only) the terms in force on the as-of date, so its
    kind measures the cumulative figures against them (SPEC §3.6; which version is in force
    is `Commitment.terms_on`): 15% until 2025-12-31 and 20% from 2026-01-01 make a 2025
    evaluation hold the work to 15% and a 2026 one, of the same cumulative hours, to 20%.
    Returns the version applied by commitment id, for the evaluations to record (each
    commitment also keeps it as `terms_version`, None when it has no version)."""
    applied = {}
    for commitment in commitments:
        version = commitment.terms_on(as_of)
        commitment.terms_version = version
        if version is not None:
            commitment.params = version.params
            commitment.area = version.area
            applied[commitment.pk] = version.pk
    return applied


def commitments_with_terms(project: Project):
    """The project's commitments in order, with their agreement and versions loaded."""
    return list(
        project.commitments.select_related("area", "agreement")
        .prefetch_related(
            Prefetch("versions", queryset=CommitmentVersion.objects.select_related("area"))
        )
        .order_by("position", "key")
    )


def _measure(
    project: Project,
    as_of: datetime.date,
    *,
    from_lines: bool = False,
    assignment_id: int | None = None,
    stored: list[Stored] | None = None,
) -> tuple[Context, list[Evaluation]]:
    """Measure the project as of a date. With the `stored` results (a run that stores its
    own), measure again only the groups whose inputs changed (`engine.inputs`), and give
    each result its inputs."""
    ctx = _context(project, as_of, timezone.now())
    if assignment_id is not None:
        ctx.assignment_ids = frozenset({assignment_id})
        ctx.assignments = {assignment_id: ctx.assignments[assignment_id]}
    commitments = commitments_with_terms(project)
    applied = terms_in_force(commitments, as_of)
    made = None
    if stored is not None:
        made = inputs.inputs_of(ctx, commitments)
        inputs.plan(ctx, made, stored, commitments)
    by_kind = defaultdict(list)
    for commitment in commitments:
        by_kind[commitment.kind].append(commitment)
    if any(kinds.KINDS[c.kind].reads_lines for c in commitments):
        _read_lines(ctx, commitments, from_lines=from_lines)
        _craft_names(ctx)
    evaluations = []
    for name, kind in kinds.KINDS.items():
        if by_kind[name]:
            evaluations += kind.evaluate(by_kind[name], ctx)
    for evaluation in evaluations:
        evaluation.terms_version_id = applied.get(evaluation.commitment_id)
    evaluations += reporting.evaluate(ctx)
    if made is not None:
        _label(evaluations, made)
    return ctx, evaluations


def _label(evaluations: list[Evaluation], made: inputs.Inputs) -> None:
    for evaluation in evaluations:
        if evaluation.kind in REUSABLE:
            evaluation.inputs = made.of(evaluation.commitment_id, evaluation.assignment_id)


def measure_project(project: Project, as_of: datetime.date, *, reuse: bool = True) -> Measured:
    """Evaluate every commitment of the project for every group its scope defines, and the
    reporting obligation of every assignment, as of a date; store the results in place of
    the previous ones. A stored result as of the same day whose inputs have not changed is
    kept as it is, not measured again (`engine.inputs`), unless `reuse` is False. Run it
    inside a transaction that holds the project's lock."""
    _tune()
    project.refresh_from_db()
    rows = inputs.stored(project)
    ctx, evaluations = _measure(project, as_of, stored=rows if reuse else [])
    kept = _store(ctx, evaluations, rows)
    checked = anomalies.check_new_reports(ctx)
    return Measured(
        ctx=ctx,
        evaluations=evaluations,
        anomalies=checked.anomalies,
        anomaly_months=checked.months,
        kept=kept,
    )


def measure_as_of(
    project: Project,
    as_of: datetime.date,
    *,
    from_lines: bool = False,
    assignment_id: int | None = None,
) -> list[Evaluation]:
    """The same measurement as `measure_project`, as of any date, stored nowhere: what a
    document dated to another day than the last evaluation reports (SPEC §6). Each result
    carries its assignment (with its contractor) and craft, so reading them costs no query.
    `from_lines` reads every sum from the lines instead of the sums versions keep (what
    the test of those sums compares them with). `assignment_id` measures one contractor's
    lines only, at a cost in proportion to its reports (what an upload's check shows the
    contractor, twice an upload): its own groups' results (per contractor, per contractor
    and craft) are those of the whole measurement; a wider group's (the project, a craft)
    counts only its lines, so read only the lines it lists (a wage floor's underpaid lines)."""
    with collecting_later():
        ctx, evaluations = _measure(
            project, as_of, from_lines=from_lines, assignment_id=assignment_id
        )
    for evaluation in evaluations:
        if evaluation.assignment_id in ctx.assignments:
            evaluation.assignment = ctx.assignments[evaluation.assignment_id]
        if evaluation.craft_id in ctx.crafts:
            evaluation.craft = ctx.crafts[evaluation.craft_id]
    return evaluations


def measure_reporting(project: Project, as_of: datetime.date) -> Measured:
    """Only the reporting obligation: the missing-report check, cheap enough to run often."""
    ctx = _context(project, as_of, timezone.now())
    rows = inputs.stored(project)
    evaluations = reporting.evaluate(ctx)
    # Each result keeps the inputs its row had: what the contractor's results measured from
    # the lines were last measured from (`engine.inputs` tells a change by them).
    before = {row.group_key: row.inputs for row in rows if row.kind == inputs.REPORTING}
    for evaluation in evaluations:
        evaluation.inputs = before.get(evaluation.group_key, "")
    _store(ctx, evaluations, rows, commitment_key="reporting")
    return Measured(ctx=ctx, evaluations=evaluations)
