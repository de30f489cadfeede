"""The portfolio dashboard: every monitored project, each commitment's standing, open flags
and missing reports, damages assessed against collected, in a number of queries that does
not grow with the portfolio; each commitment's figures are read for one page of projects."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    DecimalField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from compliance.evaluation.selectors.common import (
    CommitmentSummary,
    last_overdue_period,
    summaries_from_standings,
)
from compliance.models import CommitmentStanding, Flag
from compliance.reporting import obligation
from compliance.status import Severity, Status
from projects import access
from projects.models import Agreement, Project


@dataclass
class PortfolioRow:
    project: Project
    # Each evaluated commitment's status; its figures are `commitments`, for a page's rows.
    statuses: list[str | None]
    flags: dict[str, int]
    # None when the project's reporting was never evaluated.
    missing_reports: int | None
    missing_period: datetime.date | None
    damages_owed: Decimal = Decimal(0)
    damages_collected: Decimal = Decimal(0)
    commitments: list[CommitmentSummary] = field(default_factory=list)

    @property
    def damages_outstanding(self) -> Decimal:
        return self.damages_owed - self.damages_collected

    @property
    def open_flags(self) -> int:
        return sum(self.flags.values())

    @property
    def worst_rank(self) -> int:
        return min((Status.rank(s) for s in self.statuses), default=Status.rank(None))


DASHBOARD_SORTS = {
    "attention": "Needs attention first",
    "name": "Name (A–Z)",
    "flags": "Most critical flags",
    "missing": "Most missing reports",
}


def _missing_reports(user, projects: list[Project]) -> dict[int, tuple]:
    """Per project: how many reports are missing, and the last month past due then; (None,
    None) for a project whose reporting was never evaluated.

    The counts are the reporting evaluations' (SPEC §3.4, `compliance.reporting.obligation`),
    which the project page's reporting table shows: every month past due without a report,
    as of the last evaluation (every new report is evaluated, and the hourly missing-report
    check moves them on as due dates pass). One query over one row per assignment."""
    rows = (
        access.evaluations_for(user)
        .filter(project_id__in=[p.id for p in projects], commitment_key="reporting")
        .values("project_id")
        .annotate(missing=Sum("shortfall"), as_of=Max("as_of"))
        .order_by()
    )
    by_project = {r["project_id"]: r for r in rows}
    out = {}
    for p in projects:
        row = by_project.get(p.id)
        if row is None:
            out[p.id] = (None, None)
            continue
        due_day = obligation.report_due_day(p)
        out[p.id] = (int(row["missing"]), last_overdue_period(today=row["as_of"], due_day=due_day))
    return out


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
    q: str = "",
    project_status: str = "",
    commitment_status: str = "",
    flagged: str = "",
    sort: str = "attention",
) -> list[PortfolioRow]:
    """Every project the user monitors with each commitment's status, open flags and
    missing reports; filtered and sorted. Each commitment's figures are not read here but
    for one page of rows at a time (`portfolio_page`). Five queries whatever the portfolio's
    size: the statuses are the standings rolled up at each evaluation."""
    # The agreements only for the report due day (`obligation.report_due_day`).
    agreements = Agreement.objects.only("id", "project_id", "effective_date", "report_due_day")
    projects_qs = (
        access.projects_for(user)
        .prefetch_related(Prefetch("agreements", queryset=agreements))
        .order_by("name")
    )
    if q:
        projects_qs = projects_qs.filter(Q(name__icontains=q) | Q(location__icontains=q))
    if project_status:
        projects_qs = projects_qs.filter(status=project_status)
    projects = list(_with_ledger_totals(projects_qs, user))
    if not projects:
        return []
    ids = [p.id for p in projects]
    statuses: dict[int, list[str]] = {}
    for project_id, status in (
        CommitmentStanding.objects.filter(project_id__in=ids)
        .values_list("project_id", "status")
        .order_by()
    ):
        statuses.setdefault(project_id, []).append(status or None)
    flag_counts: dict[int, dict[str, int]] = {}
    for row in (
        access.flags_for(user)
        .filter(project_id__in=ids, status__in=Flag.UNRESOLVED)
        .values("project_id", "severity")
        .annotate(n=Count("id"))
        .order_by()
    ):
        flag_counts.setdefault(row["project_id"], {})[row["severity"]] = row["n"]
    missing = _missing_reports(user, projects)
    rows = [
        PortfolioRow(
            project=p,
            statuses=statuses.get(p.id, []),
            flags={s: flag_counts.get(p.id, {}).get(s, 0) for s in Severity.WORST_FIRST},
            missing_reports=missing[p.id][0],
            missing_period=missing[p.id][1],
            damages_owed=p.damages_owed,
            damages_collected=p.damages_collected,
        )
        for p in projects
    ]
    if commitment_status:
        rows = [r for r in rows if commitment_status in r.statuses]
    if flagged == "any":
        rows = [r for r in rows if r.open_flags]
    elif flagged in Severity.RANK:
        rows = [r for r in rows if r.flags[flagged]]
    if sort == "flags":
        rows.sort(key=lambda r: (-r.flags["critical"], -r.open_flags, r.project.name))
    elif sort == "missing":
        rows.sort(key=lambda r: (-(r.missing_reports or 0), r.project.name))
    elif sort == "attention":
        rows.sort(
            key=lambda r: (
                r.worst_rank,
                -r.flags["critical"],
                -(r.missing_reports or 0),
                r.project.name,
            )
        )
    return rows


def portfolio_page(rows: list[PortfolioRow], *, user, number, per_page: int) -> Page:
    """One page of the portfolio's rows, each with its commitments' standings and figures
    (two queries, for that page's projects only)."""
    page = Paginator(rows, per_page).get_page(number)
    ids = [r.project.id for r in page.object_list]
    commitments = list(
        access.commitments_for(user)
        .filter(project_id__in=ids)
        .only("id", "project_id", "key", "clause", "title", "kind", "params", "position")
        .order_by("project_id", "position", "key")
    )
    standings = CommitmentStanding.objects.filter(commitment__in=[c.id for c in commitments])
    summaries = summaries_from_standings(standings, commitments)
    for row in page.object_list:
        row.commitments = summaries.get(row.project.id, [])
    return page
