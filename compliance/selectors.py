"""Reads behind the coalition workspace: the portfolio dashboard, the project page, the flags.

Each page is a fixed handful of queries whatever the number of projects, contractors,
months or flags (SPEC §9): evaluations are aggregated in the database, and the large JSON
columns (`series`, `details`) are read only for the rows a page draws.
"""

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    When,
)
from django.db.models import Value as V

from compliance.charts import ChartData, chart_data
from compliance.models import Evaluation, Flag, Report
from compliance.numbers import percent, round2
from projects import access
from projects.models import Assignment, Commitment, Organization, Project

# Worst first: the order a monitor wants to read them in.
STATUS_RANK = {"shortfall": 0, "at_risk": 1, "no_data": 2, "on_track": 3, "met": 4, None: 5}
STATUSES = [
    ("shortfall", "Shortfall"),
    ("at_risk", "At risk"),
    ("on_track", "On track"),
    ("met", "Met"),
    ("no_data", "No data"),
]
SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _r2(value) -> Decimal | None:
    """Aggregates come back unscaled on SQLite (38.5): give them their two places back."""
    return None if value is None else round2(value)


def previous_month(day: datetime.date, months: int = 1) -> datetime.date:
    first = day.replace(day=1)
    for _ in range(months):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return first


def month_end(period: datetime.date) -> datetime.date:
    return (period.replace(day=28) + datetime.timedelta(days=4)).replace(
        day=1
    ) - datetime.timedelta(days=1)


def last_overdue_period(*, today: datetime.date, due_day: int) -> datetime.date:
    """The latest month whose report is past due today (due on `due_day` of the next month)."""
    return previous_month(today, 1 if today.day > due_day else 2)


@dataclass
class CommitmentSummary:
    """One commitment's standing, from its project row or, without one, its groups."""

    commitment: Commitment
    evaluated: bool = False
    status: str | None = None
    numerator: Decimal = Decimal(0)
    denominator: Decimal = Decimal(0)
    actual_percent: Decimal | None = None
    target_percent: Decimal | None = None
    projected_percent: Decimal | None = None
    shortfall: Decimal = Decimal(0)
    as_of: datetime.date | None = None
    whole_row: bool = False
    group_count: int = 0
    groups_short: int = 0
    groups_at_risk: int = 0

    @property
    def kind(self) -> str:
        return self.commitment.kind

    @property
    def unit(self) -> str:
        """What numerator, denominator and shortfall count."""
        params = self.commitment.params
        if self.kind == "wage_floor":
            return "dollars"
        if self.kind == "count_target":
            return params.get("unit") or "units"
        return "workers" if params.get("measure") in {"workers", "new_hires"} else "hours"

    @property
    def trend(self) -> str | None:
        """Up, down or flat: where the projection at completion goes from today's percent."""
        if self.projected_percent is None or self.actual_percent is None:
            return None
        if self.projected_percent > self.actual_percent:
            return "up"
        if self.projected_percent < self.actual_percent:
            return "down"
        return "flat"


def _summaries(rows: list[dict], commitments: list[Commitment]) -> dict[int, list]:
    """Build each project's commitment summaries from the aggregate rows of `_evaluation_rollup`."""
    by_key = {(r["project_id"], r["commitment_key"]): r for r in rows}
    out: dict[int, list[CommitmentSummary]] = {}
    for commitment in commitments:
        summary = CommitmentSummary(commitment=commitment)
        row = by_key.get((commitment.project_id, commitment.key))
        if row:
            summary.evaluated = True
            summary.as_of = row["as_of"]
            summary.target_percent = _r2(row["target"])
            summary.group_count = row["groups"]
            summary.groups_short = row["groups_short"]
            summary.groups_at_risk = row["groups_at_risk"]
            if row["has_project_row"]:
                summary.whole_row = True
                summary.status = row["p_status"]
                summary.numerator = _r2(row["p_numerator"] or 0)
                summary.denominator = _r2(row["p_denominator"] or 0)
                summary.actual_percent = _r2(row["p_actual"])
                summary.projected_percent = _r2(row["p_projected"])
                summary.shortfall = _r2(row["p_shortfall"] or 0)
            else:
                summary.numerator = _r2(row["g_numerator"] or 0)
                summary.denominator = _r2(row["g_denominator"] or 0)
                summary.shortfall = _r2(row["g_shortfall"] or 0)
                summary.actual_percent = percent(summary.numerator, summary.denominator)
                summary.status = min(
                    (s for s, n in row["counts"].items() if n), key=STATUS_RANK.get, default=None
                )
            if summary.actual_percent is None and commitment.kind == "count_target":
                summary.actual_percent = percent(summary.numerator, summary.denominator)
        out.setdefault(commitment.project_id, []).append(summary)
    return out


def _evaluation_rollup(evaluations: QuerySet) -> list[dict]:
    """One row per (project, commitment): the project group's figures and the groups' sums."""
    project_row = Q(group_key="project")
    group_rows = ~project_row
    counts = {
        f"n_{status}": Count("id", filter=group_rows & Q(status=status)) for status, _ in STATUSES
    }
    rows = list(
        evaluations.exclude(kind="reporting")
        .values("project_id", "commitment_key")
        .annotate(
            as_of=Max("as_of"),
            computed_at=Max("computed_at"),
            rows=Count("id"),
            last_id=Max("id"),
            target=Max("target_percent"),
            has_project_row=Count("id", filter=project_row),
            p_status=Max("status", filter=project_row),
            p_numerator=Max("numerator", filter=project_row),
            p_denominator=Max("denominator", filter=project_row),
            p_actual=Max("actual_percent", filter=project_row),
            p_projected=Max("projected_percent", filter=project_row),
            p_shortfall=Max("shortfall", filter=project_row),
            groups=Count("id", filter=group_rows),
            g_numerator=Sum("numerator", filter=group_rows),
            g_denominator=Sum("denominator", filter=group_rows),
            g_shortfall=Sum("shortfall", filter=group_rows),
            **counts,
        )
        .order_by()
    )
    for row in rows:
        row["counts"] = {status: row.pop(f"n_{status}") for status, _ in STATUSES}
        row["groups_short"] = row["counts"]["shortfall"]
        row["groups_at_risk"] = row["counts"]["at_risk"]
    return rows


# ---------------------------------------------------------------- portfolio dashboard


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
        return min((STATUS_RANK[c.status] for c in self.commitments), default=STATUS_RANK[None])

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
    summaries = _summaries(_evaluation_rollup(evaluations), commitments)
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
            flags={s: flag_counts.get(p.id, {}).get(s, 0) for s in ("critical", "warning", "info")},
            missing_reports=missing[p.id][0],
            missing_period=missing[p.id][1],
        )
        for p in projects
    ]
    if commitment_status:
        rows = [r for r in rows if r.has_status(commitment_status)]
    if flagged == "any":
        rows = [r for r in rows if r.open_flags]
    elif flagged in SEVERITY_RANK:
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


# ---------------------------------------------------------------- project page


@dataclass
class GroupRow:
    contractor: str
    craft: str
    numerator: Decimal
    denominator: Decimal
    actual_percent: Decimal | None
    target_percent: Decimal | None
    projected_percent: Decimal | None
    shortfall: Decimal
    status: str

    @property
    def label(self) -> str:
        return " · ".join(part for part in (self.contractor, self.craft) if part) or "Project"


@dataclass
class CommitmentCard:
    summary: CommitmentSummary
    chart: ChartData | None = None
    details: dict = field(default_factory=dict)
    groups: list[GroupRow] = field(default_factory=list)
    groups_hidden: int = 0
    violations: list[dict] = field(default_factory=list)
    violation_count: int = 0
    worker_count: int = 0

    @property
    def commitment(self) -> Commitment:
        return self.summary.commitment

    @property
    def scope(self) -> str:
        return self.commitment.params.get("scope", "project")

    @property
    def plain(self) -> str:
        return plain_language(self.commitment)

    @property
    def penalty_per_unit(self) -> Decimal | None:
        return _dec(
            self.details.get("penalty_per_unit") or self.commitment.params.get("penalty_per_unit")
        )

    @property
    def liquidated_damages(self) -> Decimal | None:
        """Shortfall × the agreement's rate; summed over the groups when measured per group."""
        if self.details.get("liquidated_damages") is not None:
            return _dec(self.details["liquidated_damages"])
        if self.penalty_per_unit is None or not self.summary.shortfall:
            return None
        return round2(self.summary.shortfall * self.penalty_per_unit)

    @property
    def due_to_date(self) -> Decimal | None:
        return _dec(self.details.get("due_to_date"))

    @property
    def delivered_percent(self) -> Decimal | None:
        """Share of the whole target delivered, for the progress bar of a count commitment."""
        if self.summary.kind != "count_target" or not self.summary.denominator:
            return None
        return min(Decimal(100), percent(self.summary.numerator, self.summary.denominator))

    @property
    def due_percent(self) -> Decimal | None:
        due = self.due_to_date
        if due is None or not self.summary.denominator:
            return None
        return min(Decimal(100), percent(due, self.summary.denominator))


@dataclass
class ReportingRow:
    assignment: Assignment
    evaluated: bool
    status: str
    due: int
    on_time: int
    late: int
    missing: int
    not_yet_due: int
    missing_months: list[str]
    late_months: list[str]


@dataclass
class ProjectPage:
    project: Project
    cards: list[CommitmentCard]
    reporting: list[ReportingRow]
    flags: list[Flag]
    flag_counts: dict[str, int]
    as_of: datetime.date | None
    show_worker_names: bool


MEASURE_WORDS = {"hours": "work hours", "workers": "workers", "new_hires": "new hires"}
QUALIFIER_WORDS = {
    "disadvantaged": "disadvantaged workers",
    "apprentice": "registered apprentices",
    "woman": "women",
    "person_of_color": "people of color",
    "veteran": "veterans",
    "new_hire": "new hires",
}
SCOPE_WORDS = {
    "project": "across the whole project",
    "contractor": "for each contractor",
    "craft": "in each trade",
    "contractor_craft": "for each contractor in each trade",
}


def _amount(value) -> str:
    """ "2500000" → "2,500,000"; "38.5" → "38.50"."""
    number = Decimal(str(value))
    return f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,.2f}"


def _day(value) -> str:
    try:
        return datetime.date.fromisoformat(str(value)).strftime("%b %-d, %Y")
    except ValueError:
        return str(value)


def plain_language(commitment: Commitment) -> str:
    """The promise in one sentence a person with no training can read."""
    p = commitment.params
    if commitment.kind == "workforce_share":
        measure = MEASURE_WORDS.get(p.get("measure", "hours"), "work hours")
        population = {"journey": "journeyworker ", "apprentice": "apprentice "}.get(
            p.get("population", "all"), ""
        )
        qualifier = p.get("qualifier")
        if qualifier == "area_resident":
            who = f"residents of {commitment.area.name}" if commitment.area else "area residents"
        else:
            who = QUALIFIER_WORDS.get(qualifier, str(qualifier))
        text = (
            f"At least {p.get('target_percent')}% of {population}{measure} must go to {who}, "
            f"{SCOPE_WORDS.get(p.get('scope', 'project'), '')}"
        )
        if p.get("excluded_crafts"):
            text += f" (not counting {', '.join(p['excluded_crafts'])})"
        return text + "."
    if commitment.kind == "wage_floor":
        basis = "base plus fringe" if p.get("basis") == "total" else "base hourly"
        rates = "; ".join(
            f"${Decimal(str(r.get('base'))):,.2f}/h"
            + (
                f" + ${Decimal(str(r.get('fringe') or 0)):,.2f} fringe"
                if p.get("basis") == "total"
                else ""
            )
            + f" for {'any trade' if r.get('craft') == 'any' else r.get('craft')}"
            + f" from {_day(r.get('effective_from'))}"
            for r in p.get("rates", [])
        )
        return f"Every worker must be paid at least the required {basis} rate ({rates})."
    text = (
        f"{_amount(p.get('target_quantity'))} {p.get('unit', 'units')} by {_day(p.get('due_date'))}"
    )
    if p.get("milestones"):
        text += f", on a schedule of {len(p['milestones'])} milestones"
    if p.get("max_ami_percent"):
        text += f", counting only those at or below {p['max_ami_percent']}% of area median income"
    return text + "."


VIOLATIONS_SHOWN = 50
# The small figures the cards read from a project row's details (never its violation list).
DETAIL_KEYS = [
    "penalty_per_unit",
    "liquidated_damages",
    "unit",
    "due_to_date",
    "due_date",
    "next_milestone",
    "worker_count",
]
GROUPS_SHOWN = 12


def _group_rows(evaluations: QuerySet) -> dict[str, list[GroupRow]]:
    rows: dict[str, list[GroupRow]] = {}
    for r in (
        evaluations.exclude(kind="reporting")
        .exclude(group_key="project")
        .values(
            "commitment_key",
            "assignment__contractor__name",
            "craft__name",
            "numerator",
            "denominator",
            "actual_percent",
            "target_percent",
            "projected_percent",
            "shortfall",
            "status",
        )
        .order_by()
    ):
        rows.setdefault(r["commitment_key"], []).append(
            GroupRow(
                contractor=r["assignment__contractor__name"] or "",
                craft=r["craft__name"] or "",
                numerator=r["numerator"],
                denominator=r["denominator"],
                actual_percent=r["actual_percent"],
                target_percent=r["target_percent"],
                projected_percent=r["projected_percent"],
                shortfall=r["shortfall"],
                status=r["status"],
            )
        )
    for groups in rows.values():
        groups.sort(key=lambda g: (STATUS_RANK.get(g.status, 5), -g.shortfall, g.label))
    return rows


def attach_worker_names(violations: list[dict], *, user) -> None:
    """Add `name` to violations whose line the user may see with names (one query)."""
    ids = [v["line_id"] for v in violations if v.get("line_id")]
    if not ids:
        return
    names = dict(
        access.lines_for(user)
        .filter(id__in=ids)
        .exclude(worker__name="")
        .values_list("id", "worker__name")
    )
    for violation in violations:
        violation["name"] = names.get(violation.get("line_id"), "")


def _reporting_rows(*, user, project: Project, evaluations: QuerySet) -> list[ReportingRow]:
    """Every contractor on the project with its reporting record (two queries)."""
    figures = {
        r["assignment_id"]: r
        for r in evaluations.filter(kind="reporting")
        .values("assignment_id", "status", "details")
        .order_by()
    }
    rows = []
    for a in (
        access.assignments_for(user)
        .filter(project=project)
        .select_related("contractor", "parent__contractor")
        .order_by("tier", "contractor__name")
    ):
        r = figures.get(a.id)
        d = (r or {}).get("details") or {}
        months = d.get("months", [])
        rows.append(
            ReportingRow(
                assignment=a,
                evaluated=r is not None,
                status=(r or {}).get("status", ""),
                due=d.get("due", 0),
                on_time=d.get("on_time", 0),
                late=d.get("late", 0),
                missing=d.get("missing", 0),
                not_yet_due=d.get("not_yet_due", 0),
                missing_months=[m["month"] for m in months if m.get("status") == "missing"],
                late_months=[m["month"] for m in months if m.get("status") == "late"],
            )
        )
    return rows


def severity_order() -> Case:
    return Case(
        *[When(severity=s, then=V(rank)) for s, rank in SEVERITY_RANK.items()],
        default=V(9),
        output_field=IntegerField(),
    )


# The series and violation lists live in JSON columns. Summing 400 groups' 60-month series or
# picking the 50 largest of 10,000 underpaid lines is done in the database, not by decoding
# every row's JSON in Python (SPEC §9: the page answers in under 300 ms at 1,000,000 lines).
_SERIES_SUM_SQL = {
    "postgresql": """
        SELECT e.commitment_key, p.month, SUM(p.numerator), SUM(p.denominator)
        FROM {table} e CROSS JOIN LATERAL jsonb_to_recordset(e.series)
            AS p(month text, numerator numeric, denominator numeric)
        WHERE e.id IN ({ids}) GROUP BY 1, 2 ORDER BY 1, 2""",
    "sqlite": """
        SELECT e.commitment_key, json_extract(p.value, '$.month'),
               SUM(json_extract(p.value, '$.numerator')),
               SUM(json_extract(p.value, '$.denominator'))
        FROM {table} e, json_each(e.series) p
        WHERE e.id IN ({ids}) GROUP BY 1, 2 ORDER BY 1, 2""",
}
_TOP_VIOLATIONS_SQL = {
    "postgresql": """
        SELECT commitment_key, violation FROM (
            SELECT e.commitment_key, v::text AS violation, ROW_NUMBER() OVER (
                PARTITION BY e.commitment_key
                ORDER BY (v->>'owed')::numeric DESC, v->>'week_ending', v->>'worker') AS n
            FROM {table} e CROSS JOIN LATERAL jsonb_array_elements(e.details->'violations') v
            WHERE e.id IN ({ids})
        ) ranked WHERE n <= %s ORDER BY commitment_key, n""",
    "sqlite": """
        SELECT commitment_key, violation FROM (
            SELECT e.commitment_key, v.value AS violation, ROW_NUMBER() OVER (
                PARTITION BY e.commitment_key
                ORDER BY CAST(json_extract(v.value, '$.owed') AS REAL) DESC,
                         json_extract(v.value, '$.week_ending'), json_extract(v.value, '$.worker')
            ) AS n
            FROM {table} e, json_each(e.details, '$.violations') v
            WHERE e.id IN ({ids})
        ) WHERE n <= %s ORDER BY commitment_key, n""",
}
_VIOLATION_COUNTS_SQL = {
    "postgresql": """
        SELECT e.commitment_key, COUNT(*),
               COUNT(DISTINCT COALESCE(e.assignment_id::text, '') || ':' || (v->>'worker'))
        FROM {table} e CROSS JOIN LATERAL jsonb_array_elements(e.details->'violations') v
        WHERE e.id IN ({ids}) GROUP BY 1""",
    "sqlite": """
        SELECT e.commitment_key, COUNT(*),
               COUNT(DISTINCT COALESCE(e.assignment_id, '') || ':'
                              || json_extract(v.value, '$.worker'))
        FROM {table} e, json_each(e.details, '$.violations') v
        WHERE e.id IN ({ids}) GROUP BY 1""",
}


def _json_query(sql_by_vendor: dict, evaluations: QuerySet, *extra) -> list[tuple]:
    """Run one of the SQL texts above over the given evaluations (the access-checked queryset
    becomes the id subquery; every value is a bound parameter)."""
    ids_sql, ids_params = evaluations.values("id").order_by().query.sql_with_params()
    sql = sql_by_vendor[connection.vendor].format(
        table=connection.ops.quote_name(Evaluation._meta.db_table), ids=ids_sql
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids_params, *extra])
        return cursor.fetchall()


def summed_series(evaluations: QuerySet) -> dict[str, list[dict]]:
    """Per commitment, the monthly series of all the given groups summed, with the month's
    percent and the cumulative percent recomputed from the sums."""
    months: dict[str, list] = {}
    for key, month, numerator, denominator in _json_query(_SERIES_SUM_SQL, evaluations):
        months.setdefault(key, []).append((month, numerator, denominator))
    out = {}
    for key, rows in months.items():
        series, cum_num, cum_den = [], Decimal(0), Decimal(0)
        for month, numerator, denominator in rows:
            num, den = round2(Decimal(str(numerator or 0))), round2(Decimal(str(denominator or 0)))
            cum_num += num
            cum_den += den
            pct, cum = percent(num, den), percent(cum_num, cum_den)
            series.append(
                {
                    "month": month,
                    "numerator": str(num),
                    "denominator": str(den),
                    "percent": None if pct is None else str(pct),
                    "cumulative_percent": None if cum is None else str(cum),
                }
            )
        out[key] = series
    return out


def top_violations(evaluations: QuerySet, *, limit: int) -> dict[str, list[dict]]:
    """Per commitment, the `limit` underpaid lines owed the most, over the given groups."""
    out: dict[str, list[dict]] = {}
    for key, violation in _json_query(_TOP_VIOLATIONS_SQL, evaluations, limit):
        out.setdefault(key, []).append(
            json.loads(violation) if isinstance(violation, str) else violation
        )
    return out


def violation_counts(evaluations: QuerySet) -> dict[str, tuple[int, int]]:
    """Per commitment: (underpaid lines, distinct workers) over the given groups."""
    return {
        key: (lines, workers)
        for key, lines, workers in _json_query(_VIOLATION_COUNTS_SQL, evaluations)
    }


def project_page(*, user, project: Project, all_groups: str = "") -> ProjectPage:
    """Everything the project page draws, in a fixed number of queries."""
    commitments = list(
        access.commitments_for(user)
        .filter(project=project)
        .select_related("area")
        .order_by("position", "key")
    )
    evaluations = access.evaluations_for(user).filter(project=project).exclude(kind="reporting")
    rollup = _evaluation_rollup(evaluations)
    summaries = _summaries(rollup, commitments).get(project.id, [])
    groups = _group_rows(evaluations)
    whole = [s.commitment.key for s in summaries if s.whole_row]
    # A commitment's figures come from its project row; one measured only per group is
    # summed over its groups.
    top_rows = {
        r["commitment_key"]: r
        for r in evaluations.filter(group_key="project").values(
            "commitment_key",
            "series",
            *(f"details__{name}" for name in DETAIL_KEYS),
        )
    }
    sources = evaluations.filter(
        Q(commitment_key__in=whole, group_key="project") | ~Q(commitment_key__in=whole)
    )
    wages = sources.filter(kind="wage_floor")

    def from_json_columns() -> tuple:
        return (
            summed_series(
                evaluations.filter(kind="workforce_share").exclude(commitment_key__in=whole)
            ),
            top_violations(wages, limit=VIOLATIONS_SHOWN),
            violation_counts(wages),
        )

    # The engine rewrites a project's evaluations in one transaction, stamping computed_at:
    # until it runs again these sums cannot change, so they are kept in the cache.
    fingerprint = ":".join(
        str(part)
        for part in (
            project.id,
            max((r["computed_at"] for r in rollup), default=""),
            max((r["last_id"] for r in rollup), default=""),
            sum(r["rows"] for r in rollup),
            sum((r["g_numerator"] or 0) + (r["p_numerator"] or 0) for r in rollup),
            VIOLATIONS_SHOWN,
        )
    )
    grouped_series, violations, counts = cache.get_or_set(
        f"cba:project-page:{fingerprint}", from_json_columns, timeout=24 * 3600
    )
    cards = []
    for summary in summaries:
        key = summary.commitment.key
        card = CommitmentCard(summary=summary)
        top = top_rows.get(key)
        if top is not None:
            card.details = {name: top[f"details__{name}"] for name in DETAIL_KEYS}
            series = top["series"] or []
        else:
            series = grouped_series.get(key, [])
        if summary.kind == "workforce_share" and series:
            card.chart = chart_data(series=series, target_percent=summary.target_percent)
        card.violations = violations.get(key, [])
        card.violation_count, card.worker_count = counts.get(key, (0, 0))
        if top is not None and card.details.get("worker_count") is not None:
            card.worker_count = card.details["worker_count"]
        card.groups = groups.get(key, [])
        if all_groups != key and len(card.groups) > GROUPS_SHOWN:
            card.groups_hidden = len(card.groups) - GROUPS_SHOWN
            card.groups = card.groups[:GROUPS_SHOWN]
        cards.append(card)
    show_names = access.can_see_worker_names(user, project)
    if show_names:
        attach_worker_names([v for c in cards for v in c.violations], user=user)
    flags_qs = access.flags_for(user).filter(project=project, status__in=Flag.UNRESOLVED)
    flag_counts = {s: 0 for s in SEVERITY_RANK}
    for row in flags_qs.values("severity").annotate(n=Count("id")).order_by():
        flag_counts[row["severity"]] = row["n"]
    flags = list(
        flags_qs.select_related("assignment__contractor", "craft")
        .annotate(severity_rank=severity_order())
        .order_by("severity_rank", "-raised_at", "-id")[:20]
    )
    return ProjectPage(
        project=project,
        cards=cards,
        reporting=_reporting_rows(
            user=user,
            project=project,
            evaluations=access.evaluations_for(user).filter(project=project),
        ),
        flags=flags,
        flag_counts=flag_counts,
        as_of=max((s.as_of for s in summaries if s.as_of), default=None),
        show_worker_names=show_names,
    )


# ---------------------------------------------------------------- flag queue

FLAG_SORTS = {
    "severity": "Most severe first",
    "newest": "Newest first",
    "oldest": "Oldest first",
    "updated": "Recently updated",
    "project": "Project",
}
AGES = {
    "7": "Raised in the last 7 days",
    "30": "Raised in the last 30 days",
    "over30": "Open more than 30 days",
    "over90": "Open more than 90 days",
}
STATUS_FILTERS = {
    "unresolved": "Unresolved (open, acknowledged, escalated, disputed)",
    **{value: label for value, label in Flag.Status.choices},
    "all": "All",
}


def flag_queue(
    *,
    user,
    now: datetime.datetime,
    project: str = "",
    kind: str = "",
    severity: str = "",
    status: str = "unresolved",
    contractor: str = "",
    age: str = "",
    sort: str = "severity",
) -> QuerySet[Flag]:
    """The flags a user may see, filtered and sorted for the queue."""
    flags = access.flags_for(user).select_related(
        "project", "assignment__contractor", "craft", "commitment"
    )
    if project:
        flags = flags.filter(project__slug=project)
    if kind:
        flags = flags.filter(kind=kind)
    if severity:
        flags = flags.filter(severity=severity)
    if status == "unresolved":
        flags = flags.filter(status__in=Flag.UNRESOLVED)
    elif status and status != "all":
        flags = flags.filter(status=status)
    if contractor:
        flags = flags.filter(assignment__contractor__slug=contractor)
    if age in {"7", "30"}:
        flags = flags.filter(raised_at__gte=now - datetime.timedelta(days=int(age)))
    elif age in {"over30", "over90"}:
        flags = flags.filter(raised_at__lt=now - datetime.timedelta(days=int(age[4:])))
    order = {
        "newest": ["-raised_at", "-id"],
        "oldest": ["raised_at", "id"],
        "updated": ["-updated_at", "-id"],
        "project": ["project__name", "-raised_at", "-id"],
    }.get(sort)
    if order is None:
        flags = flags.annotate(severity_rank=severity_order())
        order = ["severity_rank", "-raised_at", "-id"]
    return flags.order_by(*order)


def flag_filter_choices(*, user) -> dict:
    """Projects and contractors the queue's filters offer (two queries)."""
    projects = list(access.projects_for(user).order_by("name").values_list("slug", "name"))
    contractors = list(
        Organization.objects.filter(
            kind=Organization.Kind.CONTRACTOR,
            assignments__in=access.assignments_for(user),
        )
        .distinct()
        .order_by("name")
        .values_list("slug", "name")
    )
    return {"projects": projects, "contractors": contractors}


# ---------------------------------------------------------------- flag page


@dataclass
class FlagPage:
    flag: Flag
    events: list
    evaluation: dict | None
    chart: ChartData | None
    series: list[dict]
    violations: list[dict]
    violation_total: int
    report_months: list[dict]
    show_worker_names: bool


def flag_page(*, user, flag: Flag) -> FlagPage:
    """A flag with its visible timeline and the evidence behind it."""
    events = list(access.flag_events_for(user, flag).select_related("actor"))
    evaluation = None
    if flag.kind != "data_anomaly":
        evaluation = (
            access.evaluations_for(user)
            .filter(project_id=flag.project_id, group_key=flag.group_key)
            .filter(
                commitment_key="reporting"
                if flag.kind in {"missing_report", "late_report"}
                else flag.commitment_key
            )
            .values(
                "kind",
                "numerator",
                "denominator",
                "actual_percent",
                "target_percent",
                "projected_percent",
                "shortfall",
                "status",
                "as_of",
                "series",
                "details",
            )
            .first()
        )
    series = (evaluation or {}).get("series") or []
    details = (evaluation or {}).get("details") or {}
    chart = None
    if evaluation and evaluation["kind"] == "workforce_share" and series:
        chart = chart_data(series=series, target_percent=evaluation["target_percent"])
    violations = []
    if flag.kind == "wage_violation":
        violations = list(flag.figures.get("violations") or details.get("violations") or [])
        # Only lines the user may see (a contractor sees its own lines only).
        visible = set(
            access.lines_for(user)
            .filter(id__in=[v.get("line_id") for v in violations])
            .values_list("id", flat=True)
        )
        violations = [v for v in violations if v.get("line_id") in visible]
        violations.sort(key=lambda v: (v.get("week_ending") or "", str(v.get("worker"))))
    show_names = access.can_see_worker_names(user, flag.project, flag.assignment)
    total = len(violations)
    violations = violations[:500]
    if show_names:
        attach_worker_names(violations, user=user)
    report_months = []
    if flag.kind in {"missing_report", "late_report"}:
        month = flag.month.strftime("%Y-%m") if flag.month else None
        report_months = [m for m in details.get("months", []) if m.get("month") == month]
    return FlagPage(
        flag=flag,
        events=events,
        evaluation=evaluation,
        chart=chart,
        series=series,
        violations=violations,
        violation_total=total,
        report_months=report_months,
        show_worker_names=show_names,
    )


def lines_for_export(*, user, project: Project):
    """Payroll lines of a project for the export, as tuples, never with worker names."""
    return (
        access.lines_for(user)
        .filter(project=project, is_current=True)
        .order_by("assignment_id", "week_ending", "id")
        .values_list(
            "report__period",
            "report__version",
            "assignment__contractor__name",
            "worker__worker_key",
            "week_ending",
            "craft__name",
            "home_zip",
            "is_apprentice",
            "apprentice_level",
            "straight_hours",
            "overtime_hours",
            "doubletime_hours",
            "hours",
            "hourly_rate",
            "fringe_rate",
            "gross_pay",
            "gender",
            "ethnicity",
            "veteran",
            "disadvantaged",
            "new_hire",
        )
    )


LINE_COLUMNS = [
    "Report month",
    "Report version",
    "Contractor",
    "Worker ID",
    "Week ending",
    "Craft",
    "Home ZIP",
    "Apprentice",
    "Apprentice level",
    "Straight hours",
    "Overtime hours",
    "Double-time hours",
    "Hours",
    "Hourly rate",
    "Fringe rate",
    "Gross pay",
    "Gender",
    "Ethnicity",
    "Veteran",
    "Disadvantaged",
    "New hire",
]
