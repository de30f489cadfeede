"""A contractor's standing on one project: each commitment measured from payroll lines, its
own groups (its trades) against the target with the projection and what it takes to get back
on track, what its wage findings owe, and its reporting record.

The figures are the stored evaluations the API's compliance summary and evaluations give the
same contractor (`access.evaluations_for`): its own groups only.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from compliance.evaluation.engine.measure import measure_as_of
from compliance.evaluation.engine.results import with_names
from compliance.evaluation.kinds import KINDS, Kind, kind_of
from compliance.models import Evaluation, PayrollLine, Report
from compliance.reporting import obligation
from compliance.reporting.intake.selectors import reporting_months
from compliance.status import Status, commitment_status
from projects.models import Assignment, Commitment


@dataclass
class StandingGroup:
    """One of the contractor's groups of a commitment: the contractor, or one of its trades."""

    evaluation: Evaluation
    label: str
    cells: list[str]
    advice: str

    @property
    def status(self) -> str:
        return self.evaluation.status

    @property
    def status_label(self) -> str:
        return Status.label(self.evaluation.status)

    @property
    def violations(self) -> list[dict]:
        return self.evaluation.details.get("violations", [])


@dataclass
class StandingCommitment:
    commitment: Commitment
    description: str
    columns: list[str]
    scope: str
    groups: list[StandingGroup] = field(default_factory=list)
    # Measured across the project (or a trade across every contractor): nothing of its own.
    shared: bool = False

    @property
    def kind(self) -> Kind:
        return kind_of(self.commitment)

    @property
    def status(self) -> str | None:
        counts: dict[str, int] = {}
        for group in self.groups:
            counts[group.status] = counts.get(group.status, 0) + 1
        return commitment_status(counts)

    @property
    def status_label(self) -> str:
        return Status.label(self.status)

    @property
    def owed(self) -> Decimal:
        """Restitution owed on the contractor's underpaid lines (wage floors)."""
        if not self.kind.lists_violations:
            return Decimal(0)
        return sum((g.evaluation.shortfall for g in self.groups), Decimal(0))


@dataclass
class ReportingRecord:
    on_time: int
    late: int
    missing: int
    not_due: int
    late_months: list[datetime.date]
    missing_months: list[datetime.date]

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.missing


@dataclass
class Standing:
    assignment: Assignment
    as_of: datetime.date | None
    commitments: list[StandingCommitment]
    reporting: ReportingRecord

    @property
    def owed(self) -> Decimal:
        return sum((c.owed for c in self.commitments), Decimal(0))


def _group_label(evaluation: Evaluation) -> str:
    if evaluation.craft_id:
        return evaluation.craft.name
    return _("All your work")


def reporting_record(assignment: Assignment, *, today: datetime.date | None = None):
    """Months on time, late, missing and not yet due, by the reporting obligation's rule
    (`compliance.reporting.obligation`, which the engine's reporting results also ask)."""
    months = reporting_months(assignment=assignment, today=today)
    by_status: dict[str, list[datetime.date]] = {}
    for month in months:
        by_status.setdefault(month.status, []).append(month.period)
    return ReportingRecord(
        on_time=len(by_status.get(obligation.RECEIVED, [])),
        late=len(by_status.get(obligation.LATE, [])),
        missing=len(by_status.get(obligation.MISSING, [])),
        not_due=len(by_status.get(obligation.NOT_DUE, [])),
        late_months=sorted(by_status.get(obligation.LATE, [])),
        missing_months=sorted(by_status.get(obligation.MISSING, [])),
    )


def contractor_standing(*, assignment: Assignment, today: datetime.date | None = None) -> Standing:
    """The standing page's figures for one assignment (access is the caller's to check)."""
    project = assignment.project
    commitments = [
        c
        for c in project.commitments.select_related("area").order_by("position", "key")
        if kind_of(c).filed_by_contractors
    ]
    evaluations = with_names(
        Evaluation.objects.filter(
            project=project,
            assignment=assignment,
            commitment__in=commitments,
        ).select_related("commitment__area")
    ).order_by("commitment_key", "group_key")
    by_commitment: dict[int, list[Evaluation]] = {}
    for evaluation in evaluations:
        by_commitment.setdefault(evaluation.commitment_id, []).append(evaluation)
    rows = []
    for commitment in commitments:
        kind = kind_of(commitment)
        row = StandingCommitment(
            commitment=commitment,
            description=kind.describe(commitment),
            columns=kind.group_columns(commitment),
            scope=kind.scope(commitment),
            shared=kind.scope(commitment) in {"project", "craft"},
        )
        for evaluation in by_commitment.get(commitment.pk, []):
            evaluation.project = project
            row.groups.append(
                StandingGroup(
                    evaluation=evaluation,
                    label=_group_label(evaluation),
                    cells=kind.group_cells(commitment, evaluation),
                    advice=kind.standing_advice(evaluation, project=project),
                )
            )
        rows.append(row)
    as_of = max((e.as_of for e in evaluations), default=None)
    return Standing(
        assignment=assignment,
        as_of=as_of,
        commitments=rows,
        reporting=reporting_record(assignment, today=today),
    )


def report_snapshot(*, assignment: Assignment, as_of: datetime.date, report: Report | None):
    """The contractor's figures as of a date, measured afresh and stored nowhere
    (`measure_as_of`): its share of each workforce commitment, group by group, and, given a
    report version, that version's lines under a wage floor, each with what is owed on it
    (the wage kind's `owed_on_line`; a line under two floors counts once, at the larger)."""
    line_ids = (
        set(PayrollLine.objects.filter(report=report).values_list("id", flat=True))
        if report is not None
        else set()
    )
    shares: dict[tuple[str, str], dict] = {}
    underpaid: dict[int, dict] = {}
    for evaluation in measure_as_of(assignment.project, as_of, assignment_id=assignment.pk):
        kind = KINDS.get(evaluation.kind)
        if kind is None:
            continue
        if kind.charted and evaluation.assignment_id == assignment.pk:
            shares[(evaluation.commitment_key, evaluation.group_key)] = {
                "title": evaluation.commitment.title,
                "group": evaluation.craft.name if evaluation.craft_id else "",
                "target": evaluation.target_percent,
                "percent": evaluation.actual_percent,
            }
        if kind.lists_violations and line_ids:
            for line in evaluation.details.get("violations", []):
                known = underpaid.get(line["line_id"])
                if line["line_id"] in line_ids and (
                    known is None or Decimal(line["owed"]) > Decimal(known["owed"])
                ):
                    underpaid[line["line_id"]] = line
    return {"shares": shares, "underpaid": sorted(underpaid.values(), key=_line_order)}


def _line_order(line: dict) -> tuple:
    return (line["week_ending"], line["worker"], line["craft"], line["line_id"])
