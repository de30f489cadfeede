"""What a stored result was measured from, so a re-evaluation measures only what changed.

A result of a commitment measured from the payroll lines, or of the reporting obligation,
depends on nothing but:

- the project: its dates and status, its crafts, every craft's name and aliases (lines may
  name a craft the project no longer lists), its contractors, the report due day of its primary
  agreement, the current reports of months outside its own (they add months to every
  series), the time zone (which day a report came in), and the engine's own code (`ENGINE`:
  a deployment that changes how results are measured or flagged measures everything);
- its commitment: kind, key, title, the terms in force and their version, the area, the sums and
  worker filters those terms ask of the lines (`sums.signature`, `firsts.signature`), the
  damages basis of its agreement (none for the reporting obligation);
- the reports it adds up: for a group of one contractor, that contractor's reports, every
  version (a version's month, number, source, time of submission and lines never change
  once stored, and versions are only ever added: how many there are, the last id, and how
  many are current with the last and the sum of their ids tell any change); for the
  project's or a craft's group, every contractor's;
- the as-of date, which each result keeps apart (`Evaluation.as_of`).

Each stored result keeps the hash of the first three (`Evaluation.inputs`). A re-evaluation
as of the same day works them out again (a few small queries) and measures again only the
contractors whose results' inputs differ, with the groups of no contractor when any did,
keeping the others' stored results as they are (`plan`, which sets `Context.changed`). After
one new report that is one contractor's groups, and its lines alone are read where every
line-measured commitment is scoped per contractor. A run as of another day (the nightly
one), terms amended, a craft renamed, a contractor added: every result differs, everything is
measured (and a result that then says the same keeps its row, `Evaluation.digest`).
`tests/test_reevaluation.py` compares every stored figure and flag of a run that reused
results with those of a run that measured everything, over random projects and changes.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from compliance.evaluation import kinds
from compliance.evaluation.damages import damages_basis
from compliance.evaluation.engine import firsts, sums
from compliance.evaluation.engine.common import Context, per_contractor
from compliance.evaluation.engine.reporting import agreement_of
from compliance.models import Evaluation, Flag, Report
from compliance.months import month_start

# The code that decides what a result and its flags say, hashed: a deployment that changes
# any of it changes every result's inputs, so the first run after it measures everything
# (on any day, not only the next night).
ENGINE_SOURCES = (
    "evaluation/engine/*.py",
    "evaluation/kinds/*.py",
    "evaluation/damages.py",
    "reporting/obligation.py",
    "enforcement/flags/raising.py",
    "formatting.py",
    "months.py",
    "numbers.py",
    "status.py",
)


COMPLIANCE = Path(__file__).resolve().parents[2]


def engine_version(root: Path = COMPLIANCE) -> str:
    """The hash of the engine's source files (`ENGINE_SOURCES`, under `compliance/`)."""
    digest = hashlib.sha1(usedforsecurity=False)
    for path in sorted(p for pattern in ENGINE_SOURCES for p in root.glob(pattern)):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


ENGINE = engine_version()
REPORTING = "reporting"
HALF = 20
# The kinds whose results depend on nothing but the inputs above: measured from the lines,
# and the reporting obligation. The others (counts, contract dollars) are measured each run.
REUSABLE = frozenset({name for name, kind in kinds.KINDS.items() if kind.reads_lines} | {REPORTING})


def _hash(*parts) -> str:
    return hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class Inputs:
    """The hashes of one run: the project's, each commitment's and each contractor's."""

    project: str
    commitments: dict[int, str]
    assignments: dict[int, str]
    # Whether a current report's month lies outside the project's months (before its start
    # or after its end), which only a reading of every contractor's lines places.
    outside: bool

    def of(self, commitment_id: int | None, assignment_id: int | None) -> str:
        """The inputs of a result of this commitment (None: the reporting obligation) for a
        group of this contractor (None: of no contractor, so of every contractor): the hash
        of the project's and the commitment's, then that of all three (20 digits each)."""
        commitment = REPORTING if commitment_id is None else self.commitments.get(commitment_id)
        if assignment_id is None:
            reports = tuple(sorted(self.assignments.items()))
        else:
            reports = self.assignments.get(assignment_id)
        terms = _hash(self.project, commitment)
        return terms[:HALF] + _hash(terms, reports)[:HALF]


def _commitment(commitment, ctx: Context) -> tuple:
    kind = kinds.KINDS[commitment.kind]
    area = commitment.area
    filters = kind.worker_filters(commitment)
    return (
        commitment.pk,
        commitment.key,
        commitment.kind,
        commitment.title,
        commitment.params,
        getattr(commitment.terms_version, "pk", None),
        None if area is None else (area.pk, sorted(area.zips)),
        sorted(sums.signature(a) for a in kind.line_aggregates(commitment, ctx).values()),
        None if filters is None else firsts.signature(*filters),
        damages_basis(ctx.project, commitment),
    )


def inputs_of(ctx: Context, commitments) -> Inputs:
    """The inputs of this run, for the commitments (with the terms in force on them)."""
    project = ctx.project
    # Every craft, not only the project's: lines may name one it no longer lists.
    crafts = sorted((c.pk, c.name, c.aliases) for c in ctx.every_craft.values())
    first, last = month_start(project.start_date), month_start(project.end_date)
    current = Q(is_current=True)
    outside_current = current & ~Q(period__range=(first, last))
    # Versions are only ever added, and which one is current changes with the count or the
    # ids of the current ones: these figures tell any change of a contractor's reports, and
    # the same of its current ones in months outside the project's, any change of those.
    versions, outside = {}, []
    for row in (
        Report.objects.filter(assignment__project=project)
        .values("assignment_id")
        .annotate(
            count=Count("id"),
            last=Max("id"),
            current=Count("id", filter=current),
            current_last=Max("id", filter=current),
            current_sum=Sum("id", filter=current),
            outside=Count("id", filter=outside_current),
            outside_sum=Sum("id", filter=outside_current),
        )
        .order_by("assignment_id")
    ):
        *counts, outside_count, outside_sum = row.values()
        versions[row["assignment_id"]] = tuple(counts)
        if outside_count:
            outside.append((row["assignment_id"], outside_count, outside_sum))
    assignments = {
        pk: _hash(pk, a.contractor.name, a.start_date, a.end_date, versions.get(pk))
        for pk, a in ctx.assignments.items()
    }
    return Inputs(
        project=_hash(
            ENGINE,
            project.start_date,
            project.end_date,
            project.status,
            agreement_of(project).report_due_day,
            timezone.get_current_timezone_name(),
            sorted(ctx.crafts),
            crafts,
            sorted(ctx.assignments),
            # They may add months to every group's series.
            outside,
        ),
        commitments={c.pk: _hash(*_commitment(c, ctx)) for c in commitments},
        assignments=assignments,
        outside=bool(outside),
    )


@dataclass(frozen=True)
class Stored:
    """One stored result, as a re-evaluation compares it."""

    pk: int
    commitment_id: int | None
    commitment_key: str
    group_key: str
    kind: str
    assignment_id: int | None
    as_of: object
    inputs: str
    digest: str
    computed_at: object


def stored(project) -> list[Stored]:
    """The project's stored results (one query; no series, no details)."""
    return [
        Stored(*row)
        for row in Evaluation.objects.filter(project=project).values_list(
            "pk",
            "commitment_id",
            "commitment_key",
            "group_key",
            "kind",
            "assignment_id",
            "as_of",
            "inputs",
            "digest",
            "computed_at",
        )
    ]


def plan(ctx: Context, inputs: Inputs, rows: list[Stored], commitments) -> None:
    """Which groups this run measures again (`Context.changed`, `Context.wide`; see the
    module doc), and whose lines it reads (`Context.assignment_ids`). Everything is measured
    when a commitment measured from the lines has no stored result yet, when the stored
    results are as of another day, when the project or a commitment's terms changed (the
    first half of the inputs), or when every contractor did. A group whose flag a person
    changed since its result was stored (reopened, resolved) is measured again too, so its
    flag is reconciled as a run measuring everything would."""
    lined = [c for c in commitments if kinds.KINDS[c.kind].reads_lines]
    measured = {c.pk for c in lined}
    seen, reporting, changed, wide = set(), set(), set(), False
    for row in rows:
        if row.kind not in REUSABLE:
            continue
        if row.as_of != ctx.as_of or (
            row.commitment_id is not None and row.commitment_id not in measured
        ):
            return
        seen.add(row.commitment_id)
        if row.kind == REPORTING:
            reporting.add(row.assignment_id)
        expected = inputs.of(row.commitment_id, row.assignment_id)
        if row.inputs == expected:
            continue
        if row.inputs[:HALF] != expected[:HALF]:
            return  # the project or the commitment's terms changed: measure everything
        if row.assignment_id is None:
            wide = True
        else:
            changed.add(row.assignment_id)
    changed |= set(ctx.assignments) - reporting
    for row in _flags_changed_since(ctx, rows):
        if row.assignment_id is None:
            wide = True
        else:
            changed.add(row.assignment_id)
    if measured - seen or changed >= set(ctx.assignments):
        return
    ctx.changed = frozenset(changed)
    ctx.wide = wide or bool(changed)
    if not inputs.outside and all(per_contractor(kinds.KINDS[c.kind].scope(c)) for c in lined):
        ctx.assignment_ids = ctx.changed


def _flags_changed_since(ctx: Context, rows: list[Stored]) -> list[Stored]:
    """The stored results of the line-measured and reporting groups with a flag changed
    since they were stored (one query)."""
    groups = {(row.commitment_key, row.group_key): row for row in rows if row.kind in REUSABLE}
    if not groups:
        return []
    since = min(row.computed_at for row in groups.values())
    found = []
    for key, group_key, updated_at in Flag.objects.filter(
        project=ctx.project, updated_at__gt=since
    ).values_list("commitment_key", "group_key", "updated_at"):
        row = groups.get((key, group_key))
        if row is not None and updated_at > row.computed_at:
            found.append(row)
    return found
