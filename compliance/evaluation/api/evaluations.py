"""Evaluations of a project, with their monthly series, and its compliance summary."""

import datetime

from django.db.models import Count
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from cba.answers import answers
from cba.paging import Paging
from compliance.evaluation.engine.results import evaluation_result, ordered, with_names
from compliance.models import Evaluation, Flag
from compliance.status import commitment_status
from projects import access

router = Router(tags=["evaluations"])


class GroupOut(Schema):
    contractor: str | None
    craft: str | None


class EvaluationOut(Schema):
    project: str
    commitment: str
    kind: str
    group_key: str
    group: GroupOut
    as_of: datetime.date
    numerator: str
    denominator: str
    actual_percent: str | None
    target_percent: str | None
    status: str
    shortfall: str
    projected_percent: str | None
    reason: str | None = Field(None, description="Why a `no_data` result has no figures.")
    series: list[dict]
    details: dict
    computed_at: datetime.datetime


class EvaluationFilters(Schema):
    commitment: str | None = None
    status: str | None = None
    contractor: str | None = None


def evaluation_out(evaluation: Evaluation) -> dict:
    return {
        **evaluation_result(evaluation),
        "group_key": evaluation.group_key,
        "as_of": evaluation.as_of,
        "series": evaluation.series,
        "details": evaluation.details,
        "computed_at": evaluation.computed_at,
    }


@router.get(
    "/projects/{slug}/evaluations",
    response=answers(list[EvaluationOut], 404),
    summary="Every commitment's latest results, group by group, with their monthly series",
)
@paginate(Paging)
def list_evaluations(request, slug: str, filters: Query[EvaluationFilters]):
    """The latest evaluation of every commitment for every group, with its monthly series.

    Contractors see only their own groups and their lower tiers'. Filter by commitment key,
    status or contractor."""
    project = access.project_for(request.user, slug)
    evaluations = access.evaluations_for(request.user).filter(project=project)
    if filters.commitment:
        evaluations = evaluations.filter(commitment_key=filters.commitment)
    if filters.status:
        evaluations = evaluations.filter(status=filters.status)
    if filters.contractor:
        evaluations = evaluations.filter(assignment__contractor__slug=filters.contractor)
    return [evaluation_out(e) for e in ordered(with_names(evaluations))]


class CommitmentSummary(Schema):
    key: str
    clause: str
    title: str
    kind: str
    status: str | None
    groups: dict[str, int]
    project_result: EvaluationOut | None


class ReportingSummary(Schema):
    due: int
    on_time: int
    late: int
    missing: int
    not_yet_due: int


class ComplianceOut(Schema):
    project: str
    as_of: datetime.date | None
    commitments: list[CommitmentSummary]
    reporting: ReportingSummary
    open_flags: dict[str, int]


@router.get(
    "/projects/{slug}/compliance",
    response=answers(ComplianceOut, 404),
    summary="Where a project stands: each commitment's status, reports, open flags",
)
def compliance_summary(request, slug: str):
    """Where the project stands: each commitment's status (its worst group), how many groups
    are in each status, the whole-project figures, reports due and received, open flags."""
    project = access.project_for(request.user, slug)
    visible = access.evaluations_for(request.user).filter(project=project)
    counts: dict[str, dict[str, int]] = {}
    for row in visible.values("commitment_key", "status").annotate(n=Count("id")).order_by():
        counts.setdefault(row["commitment_key"], {})[row["status"]] = row["n"]
    whole = {
        e.commitment_key: e
        for e in with_names(visible.filter(group_key="project", commitment__isnull=False))
    }
    reporting = {"due": 0, "on_time": 0, "late": 0, "missing": 0, "not_yet_due": 0}
    for details in visible.filter(commitment_key="reporting").values_list("details", flat=True):
        for name in reporting:
            reporting[name] += details.get(name, 0)
    flags = access.flags_for(request.user).filter(project=project, status__in=Flag.UNRESOLVED)
    open_flags = {severity: 0 for severity in Flag.Severity.values}
    for row in flags.values("severity").annotate(n=Count("id")).order_by():
        open_flags[row["severity"]] = row["n"]
    commitments = []
    for commitment in project.commitments.order_by("position", "key"):
        groups = counts.get(commitment.key, {})
        result = whole.get(commitment.key)
        commitments.append(
            {
                "key": commitment.key,
                "clause": commitment.clause,
                "title": commitment.title,
                "kind": commitment.kind,
                "status": commitment_status(groups),
                "groups": groups,
                "project_result": evaluation_out(result) if result else None,
            }
        )
    as_of = visible.order_by("-as_of").values_list("as_of", flat=True).first()
    return {
        "project": project.slug,
        "as_of": as_of,
        "commitments": commitments,
        "reporting": reporting,
        "open_flags": open_flags,
    }
