"""The portfolio dashboard: every monitored project, each commitment's standing, open flags
and missing reports, damages assessed against collected, in five queries whatever the
portfolio's size."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, TruncMonth

from compliance.evaluation.selectors.common import (
    CommitmentSummary,
    evaluation_rollup,
    last_overdue_period,
    summaries_by_project,
)
from compliance.models import Flag
from compliance.months import month_start
from compliance.reporting import obligation
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
    damages_owed: Decimal = Decimal(0)
    damages_collected: Decimal = Decimal(0)

    @property
    def damages_outstanding(self) -> Decimal:
        return self.damages_owed - self.damages_collected

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


def _month_count(first: datetime.date, last: datetime.date) -> int:
    """How many months from `first`'s to `last`'s, both counted (0 when last is earlier):
    arithmetic, not a list of months, as the dashboard asks it of every assignment."""
    return max(0, (last.year - first.year) * 12 + last.month - first.month + 1)


def _missing_reports(user, projects: list[Project], today: datetime.date) -> dict[int, tuple]:
    """Per project: how many reports are missing, and the last month past due today.

    SPEC §3.4: an assignment owes a report for every month from its start to its end (or the
    project's), due on the agreement's report due day of the next month; a month past due
    with no current report is missing. Every such month counts, not only the last one. One
    query whatever the number of assignments or months: the months owed are counted from
    each assignment's dates, the months received in the database."""
    periods = {
        p.id: last_overdue_period(today=today, due_day=obligation.report_due_day(p))
        for p in projects
    }
    # Only two months can be the last overdue one (the due day is 1–28).
    candidates = sorted(set(periods.values()))
    owed_months = Q(
        reports__is_current=True,
        reports__period__gte=TruncMonth("start_date"),
        reports__period__lte=Coalesce("end_date", "project__end_date"),
    )
    received = {
        f"received_{i}": Count("reports", filter=owed_months & Q(reports__period__lte=period))
        for i, period in enumerate(candidates)
    }
    rows = (
        access.assignments_for(user)
        .filter(project_id__in=list(periods))
        .annotate(**received)
        .values("project_id", "start_date", "end_date", "project__end_date", *received)
        .order_by()
    )
    missing = {pid: 0 for pid in periods}
    for row in rows:
        period = periods[row["project_id"]]
        last = min(period, month_start(row["end_date"] or row["project__end_date"]))
        owed = _month_count(row["start_date"], last)
        missing[row["project_id"]] += max(0, owed - row[f"received_{candidates.index(period)}"])
    return {pid: (missing[pid], periods[pid]) for pid in periods}


def _with_ledger_totals(projects_qs, user):
    """Each project's damages owed (assessed, as settled) and collected (paid and withheld),
    by the ledger's rule (`LedgerQuerySet.balances`), as two subqueries of the projects'
    own query: no query more, whatever the number of entries."""
    totals = access.ledger_entries_for(user).filter(project=OuterRef("pk")).balances("project")
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2))
    return projects_qs.annotate(
        damages_owed=Coalesce(Subquery(totals.values("owed")[:1]), zero),
        damages_collected=Coalesce(Subquery(totals.values("collected")[:1]), zero),
    )


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
    projects_qs = access.projects_for(user).prefetch_related("agreements").order_by("name")
    if q:
        projects_qs = projects_qs.filter(Q(name__icontains=q) | Q(location__icontains=q))
    if project_status:
        projects_qs = projects_qs.filter(status=project_status)
    projects = list(_with_ledger_totals(projects_qs, user))
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
            damages_owed=p.damages_owed,
            damages_collected=p.damages_collected,
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
