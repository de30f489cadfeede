"""What the coalition pages share: commitment standings rolled up from evaluations, ranks."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet, Sum

from compliance.numbers import percent, round2
from compliance.status import Status, commitment_status
from projects import access
from projects.models import Commitment


def as_decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _r2(value) -> Decimal | None:
    """Aggregates come back unscaled on SQLite (38.5): give them their two places back."""
    return None if value is None else round2(value)


def previous_month(day: datetime.date, months: int = 1) -> datetime.date:
    first = day.replace(day=1)
    for _ in range(months):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return first


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


def summaries_by_project(rows: list[dict], commitments: list[Commitment]) -> dict[int, list]:
    """Build each project's commitment summaries from the aggregate rows of `evaluation_rollup`."""
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
                summary.status = commitment_status(row["counts"])
            if summary.actual_percent is None and commitment.kind == "count_target":
                summary.actual_percent = percent(summary.numerator, summary.denominator)
        out.setdefault(commitment.project_id, []).append(summary)
    return out


def evaluation_rollup(evaluations: QuerySet) -> list[dict]:
    """One row per (project, commitment): the project group's figures and the groups' sums."""
    project_row = Q(group_key="project")
    group_rows = ~project_row
    counts = {
        f"n_{status}": Count("id", filter=group_rows & Q(status=status))
        for status in Status.WORST_FIRST
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
        row["counts"] = {status: row.pop(f"n_{status}") for status in Status.WORST_FIRST}
        row["groups_short"] = row["counts"]["shortfall"]
        row["groups_at_risk"] = row["counts"]["at_risk"]
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


# The series and violation lists live in JSON columns. Summing 400 groups' 60-month series or
# picking the 50 largest of 10,000 underpaid lines is done in the database, not by decoding
