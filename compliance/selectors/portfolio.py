"""The portfolio dashboard: every monitored project, each commitment's standing, open flags
and missing reports, in five queries whatever the portfolio's size."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
)

from compliance.models import Flag, Report
from compliance.months import month_end
from compliance.selectors.common import (
    CommitmentSummary,
    evaluation_rollup,
    last_overdue_period,
    summaries_by_project,
)
from compliance.status import Severity, Status
from projects import access
from projects.models import Project


@dataclass
class PortfolioRow:
    project: Project
    commitments: list[CommitmentSummary]
    flags: dict[str, int]
    missing_reports: int
    missing_period: datetime.date | None

    @property
    def open_flags(self) -> int:
        return sum(self.flags.values())

    @property
    def worst_rank(self) -> int:
        return min((Status.rank(c.status) for c in self.commitments), default=Status.rank(None))

    def has_status(self, status: str) -> bool:
        return any(c.status == status for c in self.commitments)


DASHBOARD_SORTS = {
    "attention": "Needs attention first",
    "name": "Name (A–Z)",
    "flags": "Most critical flags",
    "missing": "Most missing reports",
}


def _missing_reports(user, projects: list[Project], today: datetime.date) -> dict[int, tuple]:
    """Per project: (assignments with no report for the last overdue month, that month)."""
    periods = {
        p.id: last_overdue_period(
            today=today, due_day=getattr(getattr(p, "agreement", None), "report_due_day", 15)
        )
        for p in projects
    }
    # Only two months can be the last overdue one (the due day is 1–28): one query for both.
    candidates = sorted(set(periods.values()))
    current = Report.objects.filter(assignment=OuterRef("pk"), is_current=True)
    annotations = {
        f"has_{i}": Exists(current.filter(period=period)) for i, period in enumerate(candidates)
    }
    rows = (
        access.assignments_for(user)
        .filter(project_id__in=list(periods))
        .annotate(**annotations)
        .values("project_id", "start_date", "end_date", "project__end_date", *annotations)
        .order_by()
    )
    missing = {pid: 0 for pid in periods}
    for row in rows:
        period = periods[row["project_id"]]
        end = row["end_date"] or row["project__end_date"]
        if row["start_date"] > month_end(period) or end < period:
            continue  # not owing a report for that month
        if not row[f"has_{candidates.index(period)}"]:
            missing[row["project_id"]] += 1
    return {pid: (missing[pid], periods[pid]) for pid in periods}


def portfolio(
    *,
    user,
    today: datetime.date,
    q: str = "",
    project_status: str = "",
    commitment_status: str = "",
    flagged: str = "",
    sort: str = "attention",
) -> list[PortfolioRow]:
    """Every project the user monitors with each commitment's standing, open flags and
    missing reports; filtered and sorted. Five queries whatever the portfolio's size."""
    projects_qs = access.projects_for(user).select_related("agreement").order_by("name")
    if q:
        projects_qs = projects_qs.filter(Q(name__icontains=q) | Q(location__icontains=q))
    if project_status:
        projects_qs = projects_qs.filter(status=project_status)
    projects = list(projects_qs)
    if not projects:
        return []
    ids = [p.id for p in projects]
    commitments = list(
        access.commitments_for(user)
        .filter(project_id__in=ids)
        .only("id", "project_id", "key", "clause", "title", "kind", "params", "position")
        .order_by("project_id", "position", "key")
    )
    evaluations = access.evaluations_for(user).filter(project_id__in=ids)
    summaries = summaries_by_project(evaluation_rollup(evaluations), commitments)
    flag_counts: dict[int, dict[str, int]] = {}
    for row in (
        access.flags_for(user)
        .filter(project_id__in=ids, status__in=Flag.UNRESOLVED)
        .values("project_id", "severity")
        .annotate(n=Count("id"))
        .order_by()
    ):
        flag_counts.setdefault(row["project_id"], {})[row["severity"]] = row["n"]
    missing = _missing_reports(user, projects, today)
    rows = [
        PortfolioRow(
            project=p,
            commitments=summaries.get(p.id, []),
            flags={s: flag_counts.get(p.id, {}).get(s, 0) for s in Severity.WORST_FIRST},
            missing_reports=missing[p.id][0],
            missing_period=missing[p.id][1],
        )
        for p in projects
    ]
    if commitment_status:
        rows = [r for r in rows if r.has_status(commitment_status)]
    if flagged == "any":
        rows = [r for r in rows if r.open_flags]
    elif flagged in Severity.RANK:
        rows = [r for r in rows if r.flags[flagged]]
    if sort == "flags":
        rows.sort(key=lambda r: (-r.flags["critical"], -r.open_flags, r.project.name))
    elif sort == "missing":
        rows.sort(key=lambda r: (-r.missing_reports, r.project.name))
    elif sort == "attention":
        rows.sort(
            key=lambda r: (r.worst_rank, -r.flags["critical"], -r.missing_reports, r.project.name)
        )
    return rows
