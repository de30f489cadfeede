"""`wage_floor`: "every worker paid at least the living / prevailing wage" (SPEC §3.2).

The rate in effect for a line is the latest rate row whose effective-from date is on or
before the line's week ending; a craft's own rows take precedence over "any" rows (from the
craft's first own row on). With basis `base` the hourly rate must reach the base rate; with
basis `total`, hourly + fringe must reach base + fringe. A line below it violates.
Per group: numerator = hours on violating lines, denominator = all hours, shortfall = the
underpayment in dollars, Σ (required − paid) × hours over violating lines; status `met`
without a violation, else `shortfall`. Every violating line is listed for memos and exports.

The comparison runs in the database: the rate table (a few rows) becomes one CASE
expression, and an index on the hourly rate takes the database straight to the few lines
paid below the highest rate in effect, which are then compared one by one. Those lines are
listed anyway, so their hours and the amounts owed are added up from the list (the totals
always match the lines a memo shows, to the cent); all hours come from the engine's pass.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Q, Value, When
from django.db.models.lookups import LessThan

from compliance.evaluation.engine.common import (
    ZERO,
    Context,
    Group,
    Monthly,
    build_series,
    dec,
    fixed,
    group_of,
)
from compliance.models import Evaluation, Worker
from compliance.numbers import percent, round2
from projects.models import Commitment

RATE = DecimalField(max_digits=9, decimal_places=2)


def _amount(row: dict, basis: str) -> Decimal:
    base = Decimal(str(row["base"]))
    if basis == "total":
        return base + Decimal(str(row.get("fringe") or "0"))
    return base


def required_rate(commitment: Commitment, ctx: Context) -> Case:
    """The rate in effect for each line's craft and week ending, as a CASE over the rates."""
    basis = commitment.params.get("basis", "base")
    own: dict[int, list] = defaultdict(list)
    general = []
    for row in commitment.params.get("rates", []):
        start = datetime.date.fromisoformat(row["effective_from"])
        amount = _amount(row, basis)
        if str(row["craft"]).strip().lower() == "any":
            general.append((start, amount))
        else:
            for craft_id in ctx.craft_ids_named([row["craft"]]):
                own[craft_id].append((start, amount))
    whens = []
    # Latest first: the first matching WHEN is the row in effect.
    for craft_id in sorted(own):
        for start, amount in sorted(own[craft_id], key=lambda r: r[0], reverse=True):
            whens.append(When(craft_id=craft_id, week_ending__gte=start, then=Value(amount)))
    for start, amount in sorted(general, key=lambda r: r[0], reverse=True):
        whens.append(When(week_ending__gte=start, then=Value(amount)))
    return Case(*whens, default=None, output_field=RATE)


def paid_rate(commitment: Commitment):
    if commitment.params.get("basis", "base") == "total":
        return ExpressionWrapper(F("hourly_rate") + F("fringe_rate"), output_field=RATE)
    return F("hourly_rate")


def violating(commitment: Commitment, ctx: Context) -> Q:
    return Q(LessThan(paid_rate(commitment), required_rate(commitment, ctx)))


def below_highest_rate(commitment: Commitment, ctx: Context) -> Q:
    """Lines paid below the highest rate their craft ever has (fringes are ≥ 0): a superset
    of the violating lines that an index on (craft, hourly rate) finds without a scan.
    Every craft the lines use is known by now (see engine._craft_names)."""
    basis = commitment.params.get("basis", "base")
    general, own = [], defaultdict(list)
    for row in commitment.params.get("rates", []):
        if str(row["craft"]).strip().lower() == "any":
            general.append(_amount(row, basis))
        else:
            for craft_id in ctx.craft_ids_named([row["craft"]]):
                own[craft_id].append(_amount(row, basis))
    q = Q()
    for craft_id in sorted(ctx.crafts):
        amounts = own.get(craft_id, []) + general
        if amounts:
            # The index's every column in each term, so SQLite too searches it term by term.
            q |= Q(
                project_id=ctx.project.pk,
                is_current=True,
                craft_id=craft_id,
                hourly_rate__lt=max(amounts),
            )
    return q or Q(pk__in=[])


def violations(commitment: Commitment, ctx: Context) -> list["Violation"]:
    """Every violating line: worker (ID only), week, craft, hours, paid, required, owed."""
    rows = list(
        ctx.lines()
        .filter(below_highest_rate(commitment, ctx))
        .filter(violating(commitment, ctx))
        .values(
            "id",
            "assignment_id",
            "craft_id",
            "worker_id",
            "week_ending",
            "hours",
            paid=paid_rate(commitment),
            required=required_rate(commitment, ctx),
        )
    )
    # Names apart: a join would steer SQLite away from the rate index.
    workers = dict(
        Worker.objects.filter(pk__in={row["worker_id"] for row in rows}).values_list(
            "pk", "worker_key"
        )
    )
    lines = [
        Violation(
            line_id=row["id"],
            assignment_id=row["assignment_id"],
            craft_id=row["craft_id"],
            worker=workers[row["worker_id"]],
            week_ending=row["week_ending"],
            craft=ctx.crafts[row["craft_id"]].name,
            hours=dec(row["hours"]),
            paid=dec(row["paid"]),
            required=dec(row["required"]),
        )
        for row in rows
    ]
    lines.sort(key=lambda v: (v.assignment_id, v.week_ending, v.worker, v.craft, v.line_id))
    return lines


@dataclass(frozen=True, slots=True)
class Violation:
    """One underpaid line."""

    line_id: int
    assignment_id: int
    craft_id: int
    worker: str
    week_ending: datetime.date
    craft: str
    hours: Decimal
    paid: Decimal
    required: Decimal

    @property
    def owed(self) -> Decimal:
        return round2((self.required - self.paid) * self.hours)

    def as_dict(self) -> dict:
        return {
            "line_id": self.line_id,
            "worker": self.worker,
            "week_ending": self.week_ending.isoformat(),
            "craft": self.craft,
            "hours": fixed(self.hours),
            "paid": fixed(self.paid),
            "required": fixed(self.required),
            "owed": fixed(self.owed),
        }


def evaluate(commitments: list[Commitment], ctx: Context) -> list[Evaluation]:
    evaluations = []
    for commitment in commitments:
        scope = commitment.params.get("scope", "project")
        monthly: dict[Group, Monthly] = defaultdict(Monthly)
        owed: dict[Group, Decimal] = defaultdict(lambda: ZERO)
        for cell in ctx.cells:
            group = group_of(scope, cell["assignment_id"], cell["craft_id"])
            monthly[group].add(cell["month"], ZERO, dec(cell["all_hours"]))
        for group in _default_groups(scope, ctx):
            monthly.setdefault(group, Monthly())
        listed: dict[Group, list[Violation]] = defaultdict(list)
        for line in violations(commitment, ctx):
            group = group_of(scope, line.assignment_id, line.craft_id)
            listed[group].append(line)
            monthly[group].add(line.week_ending.replace(day=1), line.hours, ZERO)
            owed[group] += line.owed
        for group, figures in sorted(monthly.items(), key=lambda item: item[0].key):
            evaluations.append(
                _evaluation(commitment, group, figures, owed[group], listed[group], ctx)
            )
    return evaluations


def _default_groups(scope: str, ctx: Context) -> list[Group]:
    if scope == "project":
        return [group_of(scope, None, None)]
    if scope == "contractor":
        return [group_of(scope, a, None) for a in ctx.assignments]
    if scope == "craft":
        return [group_of(scope, None, c) for c in ctx.crafts]
    return []


def _evaluation(commitment, group, monthly, owed, listed, ctx) -> Evaluation:
    series, cum_num, cum_den = build_series(monthly, ctx.months)
    numerator = cum_num[-1] if ctx.months else ZERO
    denominator = cum_den[-1] if ctx.months else ZERO
    if not denominator:
        status = "no_data"
    else:
        status = "shortfall" if listed else "met"
    return Evaluation(
        project=ctx.project,
        commitment=commitment,
        commitment_key=commitment.key,
        kind=commitment.kind,
        group_key=group.key,
        assignment_id=group.assignment_id,
        craft_id=group.craft_id,
        as_of=ctx.as_of,
        numerator=round2(numerator),
        denominator=round2(denominator),
        actual_percent=percent(numerator, denominator),
        target_percent=None,
        shortfall=round2(owed if listed else ZERO),
        projected_percent=None,
        status=status,
        series=series,
        details={
            "basis": commitment.params.get("basis", "base"),
            "violations": [line.as_dict() for line in listed],
            "violation_count": len(listed),
            "worker_count": len({line.worker for line in listed}),
        },
        computed_at=ctx.computed_at,
    )
