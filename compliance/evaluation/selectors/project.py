"""The project page: a card per commitment, groups, reporting, violations and flags.

A fixed number of queries whatever the number of contractors, months or flags (SPEC §9);
the large JSON columns are summed and ranked in the database.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, When, Window
from django.db.models import Value as V
from django.db.models.functions import RowNumber

from compliance.evaluation import damages
from compliance.evaluation.charts import ChartData, chart_data
from compliance.evaluation.kinds import KINDS, Figure, Kind
from compliance.evaluation.selectors.common import (
    CommitmentSummary,
    as_decimal,
    attach_worker_names,
    evaluation_rollup,
    summaries_by_project,
)
from compliance.models import Evaluation, Flag
from compliance.numbers import percent, round2
from compliance.status import Severity, severity_order, status_order
from projects import access
from projects.models import Assignment, Commitment, Project


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
    def kind(self) -> Kind:
        return self.summary.kind

    @property
    def groups_word(self) -> str:
        """ "contractor and trade": what one row of its groups table is."""
        return self.kind.groups_word(self.commitment)

    @property
    def plain(self) -> str:
        return self.kind.describe(self.commitment)

    @property
    def figures(self) -> list[Figure]:
        return self.kind.figures(self)

    @property
    def group_columns(self) -> list[str]:
        return self.kind.group_columns(self.commitment)

    @property
    def group_table(self) -> list[tuple[GroupRow, list[str]]]:
        """Each group with its cells, in the kind's columns."""
        return [(g, self.kind.group_cells(self.commitment, g)) for g in self.groups]

    @property
    def series_columns(self) -> tuple[str, str]:
        return self.kind.series_columns(self.commitment)

    @property
    def penalty_per_unit(self) -> Decimal | None:
        if self.details.get("penalty_per_unit") is not None:
            return as_decimal(self.details["penalty_per_unit"])
        return getattr(self.kind.terms(self.commitment), "penalty_per_unit", None)

    @property
    def liquidated_damages(self) -> Decimal | None:
        """Shortfall × the agreement's rate; summed over the groups when measured per group."""
        if self.details.get("liquidated_damages") is not None:
            return as_decimal(self.details["liquidated_damages"])
        if self.penalty_per_unit is None or not self.summary.shortfall:
            return None
        return round2(self.summary.shortfall * self.penalty_per_unit)

    @property
    def due_to_date(self) -> Decimal | None:
        return as_decimal(self.details.get("due_to_date"))

    @property
    def delivered_percent(self) -> Decimal | None:
        """Share of the whole target delivered, for the progress bar of a count commitment."""
        return self.kind.delivered_percent(self.summary)

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


VIOLATIONS_SHOWN = 50
# The small figures the cards read from a project row's details (never its violation list).
DETAIL_KEYS = [
    "penalty_per_unit",
    "liquidated_damages",
    "unit",
    "due_to_date",
    "pace_to_date",
    "schedule",
    "due_date",
    "next_milestone",
    "worker_count",
    "damages_standing",
    "damages_stands_at",
    "no_data_reason",
]
GROUPS_SHOWN = 12


def _group_rows(evaluations: QuerySet, *, all_groups: str) -> dict[str, list[GroupRow]]:
    """Each commitment's groups, worst first: the first GROUPS_SHOWN of each, or all of the
    one named by `all_groups`. Ranked and cut in the database (a 40-contractor project
    measured per contractor and trade has hundreds of groups per commitment)."""
    worst_first = Window(
        RowNumber(),
        partition_by=[F("commitment_key")],
        order_by=[
            status_order().asc(),
            F("shortfall").desc(),
            F("assignment__contractor__name").asc(),
            F("craft__name").asc(),
        ],
    )
    limit = Case(
        When(commitment_key=all_groups, then=V(10**9)),
        default=V(GROUPS_SHOWN),
        output_field=IntegerField(),
    )
    rows: dict[str, list[GroupRow]] = {}
    for r in (
        evaluations.exclude(kind="reporting")
        .exclude(group_key="project")
        .annotate(rank=worst_first, limit=limit)
        .filter(rank__lte=F("limit"))
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
        .order_by("commitment_key", "rank")
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
    return rows


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
    rollup = evaluation_rollup(evaluations)
    summaries = summaries_by_project(rollup, commitments).get(project.id, [])
    groups = _group_rows(evaluations, all_groups=all_groups)
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
    wages = sources.filter(kind__in=[n for n, k in KINDS.items() if k.lists_violations])

    def from_json_columns() -> tuple:
        return (
            summed_series(
                evaluations.filter(kind__in=[n for n, k in KINDS.items() if k.charted]).exclude(
                    commitment_key__in=whole
                )
            ),
            top_violations(wages, limit=VIOLATIONS_SHOWN),
            violation_counts(wages),
        )

    # The engine rewrites a project's evaluations in one transaction, stamping computed_at:
    # until it runs again these sums cannot change, so they are kept in the cache.
    fingerprint = hashlib.sha1(  # noqa: S324 - a cache key, not a secret
        ":".join(
            str(part)
            for part in (
                project.id,
                max((r["computed_at"] for r in rollup), default=""),
                max((r["last_id"] for r in rollup), default=""),
                sum(r["rows"] for r in rollup),
                sum((r["g_numerator"] or 0) + (r["p_numerator"] or 0) for r in rollup),
                VIOLATIONS_SHOWN,
            )
        ).encode()
    ).hexdigest()
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
            # Measured only per group: every group shares the project's damages standing.
            card.details = damages.standing_details(project=project, as_of=summary.as_of)
        if summary.kind.charted and series:
            card.chart = chart_data(series=series, target_percent=summary.target_percent)
        card.violations = violations.get(key, [])
        card.violation_count, card.worker_count = counts.get(key, (0, 0))
        if top is not None and card.details.get("worker_count") is not None:
            card.worker_count = card.details["worker_count"]
        card.groups = groups.get(key, [])
        card.groups_hidden = summary.group_count - len(card.groups)
        cards.append(card)
    show_names = access.can_see_worker_names(user, project)
    if show_names:
        attach_worker_names([v for c in cards for v in c.violations], user=user)
    flags_qs = access.flags_for(user).filter(project=project, status__in=Flag.UNRESOLVED)
    flag_counts = {s: 0 for s in Severity.WORST_FIRST}
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
