"""What the coalition pages share: commitment standings rolled up from evaluations, ranks."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils.translation import gettext, gettext_noop, ngettext

from compliance.evaluation.kinds import Kind, kind_of
from compliance.models import CommitmentStanding
from compliance.numbers import percent, round2
from compliance.status import Status, commitment_status
from projects import access
from projects.models import Commitment

GROUP_STATUS_WORDS = {
    Status.SHORTFALL: gettext_noop("in shortfall"),
    Status.AT_RISK: gettext_noop("at risk"),
    Status.ON_TRACK: gettext_noop("on track"),
    Status.MET: gettext_noop("met"),
    Status.NO_DATA: gettext_noop("without data"),
}


def groups_words(counts: dict[str, int]) -> str:
    """ "12 groups: 1 in shortfall, 2 at risk, 9 met", worst first (SPEC §3.5), in the
    active language: how a commitment measured per group (each contractor, each trade)
    stands across its groups. Empty when no group was measured."""
    total = sum(counts.values())
    parts = [
        f"{counts[s]:,} {gettext(GROUP_STATUS_WORDS[s])}"
        for s in Status.WORST_FIRST
        if counts.get(s)
    ]
    if not total or not parts:
        return ""
    groups = ngettext("%(count)s group", "%(count)s groups", total) % {"count": f"{total:,}"}
    return f"{groups}: {', '.join(parts)}"


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
    # How many groups are in each status, worst first (SPEC §3.5).
    group_counts: dict = field(default_factory=dict)

    @property
    def kind(self) -> Kind:
        return kind_of(self.commitment)

    @property
    def unit(self) -> str:
        """What numerator, denominator and shortfall count."""
        return self.kind.unit(self.commitment)

    @property
    def headline(self) -> str:
        """The figure to date against the promise, in words; for a commitment measured per
        group, the all-groups figure, labelled as such."""
        return self.kind.headline(self)

    @property
    def groups_text(self) -> str:
        """ "12 groups: 1 in shortfall, 2 at risk, 9 met"."""
        return groups_words(self.group_counts) if self.group_count else ""

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
            summary.group_counts = {s: n for s, n in row["counts"].items() if n}
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
            if summary.actual_percent is None:
                summary.actual_percent = percent(summary.numerator, summary.denominator)
        out.setdefault(commitment.project_id, []).append(summary)
    return out


def summaries_from_standings(standings, commitments: list[Commitment]) -> dict[int, list]:
    """Each project's commitment summaries from the standings rolled up when its evaluations
    were stored (`compliance.evaluation.standings`): the same figures `summaries_by_project`
    gave then, read back without the evaluations."""
    by_commitment = {s.commitment_id: s for s in standings}
    out: dict[int, list[CommitmentSummary]] = {}
    for commitment in commitments:
        summary = CommitmentSummary(commitment=commitment)
        standing = by_commitment.get(commitment.id)
        if standing is not None:
            counts = standing.group_counts
            summary.evaluated = True
            summary.status = standing.status or None
            for name in CommitmentStanding.FIGURES:
                setattr(summary, name, getattr(standing, name))
            summary.groups_short = counts.get(Status.SHORTFALL, 0)
            summary.groups_at_risk = counts.get(Status.AT_RISK, 0)
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
        access.named_lines_for(user)
        .filter(id__in=ids)
        .exclude(worker__name="")
        .values_list("id", "worker__name")
    )
    for violation in violations:
        violation["name"] = names.get(violation.get("line_id"), "")


# The series and violation lists live in JSON columns. Summing 400 groups' 60-month series or
# picking the 50 largest of 10,000 underpaid lines is done in the database, not by decoding
