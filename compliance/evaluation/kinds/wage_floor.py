"""`wage_floor`: "every worker paid at least the living / prevailing wage" (SPEC §3.2).

The rate in effect for a line is the latest rate row whose effective-from date is on or
before the line's week ending; a craft's own rows take precedence over "any" rows (from the
craft's first own row on). With basis `base` the hourly rate must reach the base rate; with
basis `total`, hourly + fringe must reach base + fringe. A line below it violates.
Per group: numerator = hours on violating lines, denominator = all hours, shortfall = the
underpayment in dollars; status `met` without a violation, else `shortfall`. Every violating
line is listed for memos and exports.

Restitution of a line (`owed_on_line`, the one computation every surface shows: card, flag,
memo, export) = (required − paid) × (straight + 1.5 × overtime + 2 × double-time hours),
to the cent: premium hours are owed the difference at their premium too. Worked example G:
40 straight and 10 overtime hours at $35.00 against $38.00 owe 3.00 × 55 = $165.00.

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
from typing import Literal

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Q, Value, When
from django.db.models.lookups import LessThan
from django.utils.translation import gettext, ngettext
from pydantic import BaseModel, ConfigDict, Field

from compliance import formatting
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
from compliance.evaluation.kinds.base import SCOPE_WORDS, Figure, Kind, Scope, Terms
from compliance.models import Evaluation, Flag, Worker
from compliance.numbers import percent, round2
from compliance.status import Status
from projects.models import Commitment


class Rate(BaseModel):
    """One row of the rate table: a craft (or "any"), from a date, base and fringe."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    craft: str = Field(min_length=1)
    effective_from: datetime.date
    base: Decimal = Field(ge=Decimal("0.01"))
    fringe: Decimal = Field(default=Decimal(0), ge=0)


class WageFloorTerms(Terms):
    rates: list[Rate] = Field(min_length=1)
    basis: Literal["base", "total"] = "base"
    scope: Scope = "project"


class WageFloor(Kind):
    name = "wage_floor"
    label = "Wage floor"
    Terms = WageFloorTerms
    reads_lines = True
    lists_violations = True
    memo_chart = False  # no percent target: the restitution tables tell it

    def evaluate(self, commitments: list[Commitment], ctx: Context) -> list[Evaluation]:
        return evaluate(commitments, ctx)

    def craft_names(self, params: dict) -> list[tuple[str, str]]:
        return [
            (f"rates[{j}].craft", rate["craft"])
            for j, rate in enumerate(params["rates"])
            if rate["craft"] != "any"
        ]

    def rename_craft(self, params: dict, path: str, name: str) -> None:
        params["rates"][int(path.split("[")[1].split("]")[0])]["craft"] = name

    def unit(self, commitment: Commitment) -> str:
        return "dollars"

    def describe(self, commitment: Commitment) -> str:
        t = self.terms(commitment)
        total = t.basis == "total"
        if total:
            rate = gettext("%(base)s/h + %(fringe)s fringe for %(trade)s from %(date)s")
            words = gettext(
                "Every worker must be paid at least the required base plus fringe rate (%(rates)s)"
            )
        else:
            rate = gettext("%(base)s/h for %(trade)s from %(date)s")
            words = gettext(
                "Every worker must be paid at least the required base hourly rate (%(rates)s)"
            )
        rates = "; ".join(
            rate
            % {
                "base": formatting.money(r.base),
                "fringe": formatting.money(r.fringe),
                "trade": gettext("any trade") if r.craft == "any" else r.craft,
                "date": formatting.short_date(r.effective_from),
            }
            for r in t.rates
        )
        words %= {"rates": rates}
        if t.scope != "project":
            words = gettext("%(rule)s, %(scope)s") % {
                "rule": words,
                "scope": gettext(SCOPE_WORDS[t.scope]),
            }
        return words + "."

    def headline(self, summary) -> str:
        if not summary.shortfall:
            return "No underpayment"
        return f"{formatting.money(summary.shortfall)} owed"

    def figures(self, card) -> list[Figure]:
        c = card.summary
        return [
            Figure(
                "Underpaid hours",
                formatting.number(c.numerator),
                strong=True,
                note=f"of {formatting.hours(c.denominator)}",
            ),
            Figure(
                "Restitution owed",
                formatting.money(c.shortfall) if c.shortfall else "None",
                strong=bool(c.shortfall),
            ),
            Figure(
                "Violations",
                f"{formatting.plural(card.violation_count, 'line')}, "
                f"{formatting.plural(card.worker_count, 'worker')}",
            ),
        ]

    def group_columns(self, commitment: Commitment) -> list[str]:
        return [gettext("Underpaid hours"), gettext("All hours"), gettext("Owed")]

    def group_cells(self, commitment: Commitment, group) -> list[str]:
        return [
            formatting.number(group.numerator),
            formatting.number(group.denominator),
            formatting.money(group.shortfall),
        ]

    def series_columns(self, commitment: Commitment) -> tuple[str, str]:
        return ("Hours", "Underpaid hours")

    def standing_advice(self, evaluation, *, project) -> str:
        if evaluation.status == Status.NO_DATA:
            return gettext("No hours reported yet.")
        if evaluation.status != Status.SHORTFALL:
            return gettext("Every line was paid at least the required rate.")
        lines, workers = (evaluation.details.get(k, 0) for k in ("violation_count", "worker_count"))
        return gettext(
            "{lines} paid below the required rate: {owed} is owed to {workers}. Pay the "
            "difference and file a corrected report for each month."
        ).format(
            lines=ngettext("{count} line", "{count} lines", lines).format(count=f"{lines:,}"),
            owed=formatting.money(evaluation.shortfall),
            workers=ngettext("{count} worker", "{count} workers", workers).format(
                count=f"{workers:,}"
            ),
        )

    def findings(self, evaluation, where: str) -> list[tuple[str, str, str]]:
        if evaluation.status != Status.SHORTFALL:
            return []
        details = evaluation.details
        return [
            (
                Flag.Kind.WAGE_VIOLATION,
                Flag.Severity.CRITICAL,
                f"{evaluation.commitment.title}{where}: "
                f"{formatting.plural(details['violation_count'], 'underpaid line')}, "
                f"{formatting.money(evaluation.shortfall)} owed to "
                f"{formatting.plural(details['worker_count'], 'worker')}",
            )
        ]

    def flag_figures(self, evaluation) -> dict:
        details = evaluation.details
        return {
            "violation_count": details["violation_count"],
            "worker_count": details["worker_count"],
            "violations": details["violations"],
        }

    def flag_facts(self, evaluation) -> list[tuple[str, str]]:
        lines, workers = (evaluation.details.get(k, 0) for k in ("violation_count", "worker_count"))
        return [
            (gettext("Status"), Status.label(evaluation.status)),
            (gettext("Underpaid hours"), formatting.number(evaluation.numerator)),
            (gettext("All hours"), formatting.number(evaluation.denominator)),
            (gettext("Restitution owed"), formatting.money(evaluation.shortfall)),
            (
                gettext("Underpaid lines"),
                ngettext("{count} line", "{count} lines", lines).format(count=f"{lines:,}"),
            ),
            (
                gettext("Workers owed"),
                ngettext("{count} worker", "{count} workers", workers).format(count=f"{workers:,}"),
            ),
        ]

    def memo_measured(self, entry: dict, group: dict, *, as_of: str, status: str) -> str:
        return (
            f"{formatting.number(group['numerator'])} of {formatting.hours(group['denominator'])} "
            f"({formatting.percent(group['actual_percent'])}) paid below the required rate"
            f"{as_of}. Status: {status}."
        )

    def memo_facts(self, entry: dict, group: dict, *, measured: str) -> list[tuple[str, str]]:
        owed = Decimal(group["shortfall"] or 0)
        return [
            ("Measured to date", measured),
            (
                "Shortfall",
                f"<b>{formatting.money(group['shortfall'])}</b> owed in restitution (section 3)."
                if owed
                else "None: no line was paid below the required rate.",
            ),
        ]

    def memo_detail_candidates(self, groups: list[dict]) -> list[dict]:
        # Month by month matters only where someone was underpaid.
        return [g for g in groups if g["status"] == Status.SHORTFALL]


KIND = WageFloor()


RATE = DecimalField(max_digits=9, decimal_places=2)


def _amount(row: "Rate", basis: str) -> Decimal:
    if basis == "total":
        return row.base + row.fringe
    return row.base


def required_rate(commitment: Commitment, ctx: Context) -> Case:
    """The rate in effect for each line's craft and week ending, as a CASE over the rates."""
    terms = KIND.terms(commitment)
    basis = terms.basis
    own: dict[int, list] = defaultdict(list)
    general = []
    for row in terms.rates:
        start = row.effective_from
        amount = _amount(row, basis)
        if row.craft.strip().lower() == "any":
            general.append((start, amount))
        else:
            for craft_id in ctx.craft_ids_named([row.craft]):
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
    if KIND.terms(commitment).basis == "total":
        return ExpressionWrapper(F("hourly_rate") + F("fringe_rate"), output_field=RATE)
    return F("hourly_rate")


def violating(commitment: Commitment, ctx: Context) -> Q:
    return Q(LessThan(paid_rate(commitment), required_rate(commitment, ctx)))


def below_highest_rate(
    commitment: Commitment, ctx: Context, *, only: frozenset[int] | None = None
) -> Q:
    """Lines paid below the highest rate their craft ever has (fringes are ≥ 0), of these
    contractors only when given: a superset of the violating lines that an index on (craft,
    hourly rate, assignment) finds without a scan, and without reading the other
    contractors' lines from the table. Every craft the lines use is known by now (see
    engine._craft_names)."""
    terms = KIND.terms(commitment)
    general, own = [], defaultdict(list)
    for row in terms.rates:
        if row.craft.strip().lower() == "any":
            general.append(_amount(row, terms.basis))
        else:
            for craft_id in ctx.craft_ids_named([row.craft]):
                own[craft_id].append(_amount(row, terms.basis))
    q = Q()
    for craft_id in sorted(ctx.crafts):
        amounts = own.get(craft_id, []) + general
        if amounts:
            # The index's every column in each term, so SQLite too searches it term by term.
            term = Q(
                project_id=ctx.project.pk,
                is_current=True,
                craft_id=craft_id,
                hourly_rate__lt=max(amounts),
            )
            q |= term if only is None else term & Q(assignment_id__in=sorted(only))
    return q or Q(pk__in=[])


def violations(
    commitment: Commitment, ctx: Context, *, only: frozenset[int] | None = None
) -> list["Violation"]:
    """Every violating line (of these contractors' only, when given), each with its group's
    keys, hours and amount owed, and as the evaluation lists it: worker (ID only), week,
    craft, hours, paid, required, owed."""
    rows = list(
        ctx.lines()
        .filter(below_highest_rate(commitment, ctx, only=only))
        .filter(violating(commitment, ctx))
        .values_list(
            "id",
            "assignment_id",
            "craft_id",
            "worker_id",
            "week_ending",
            "hours",
            "straight_hours",
            "overtime_hours",
            "doubletime_hours",
            paid_rate(commitment),
            required_rate(commitment, ctx),
        )
    )
    # Names apart: a join would steer SQLite away from the rate index.
    workers = dict(
        Worker.objects.filter(pk__in={row[3] for row in rows}).values_list("pk", "worker_key")
    )
    crafts = {pk: craft.name for pk, craft in ctx.crafts.items()}
    lines = []
    # One pass over thousands of lines: each figure made a Decimal once, written out once.
    for line_id, assignment_id, craft_id, worker_id, week, *figures in rows:
        hours, straight, overtime, doubletime, paid, required = map(dec, figures)
        owed = owed_on_line(
            required=required,
            paid=paid,
            straight=straight,
            overtime=overtime,
            doubletime=doubletime,
        )
        worker, craft = workers[worker_id], crafts[craft_id]
        listed = {
            "line_id": line_id,
            "worker": worker,
            "week_ending": week.isoformat(),
            "craft": craft,
            "hours": fixed(hours),
            "straight_hours": fixed(straight),
            "overtime_hours": fixed(overtime),
            "doubletime_hours": fixed(doubletime),
            "paid": fixed(paid),
            "required": fixed(required),
            "owed": fixed(owed),
        }
        lines.append(Violation(assignment_id, craft_id, week, hours, owed, listed))
    # Listed by contractor, week, worker, craft, line.
    lines.sort(key=_listing_order)
    return lines


def _listing_order(line: "Violation") -> tuple:
    listed = line.listed
    return (
        line.assignment_id,
        line.week_ending,
        listed["worker"],
        listed["craft"],
        listed["line_id"],
    )


OVERTIME_PREMIUM = Decimal("1.5")
DOUBLETIME_PREMIUM = Decimal(2)


def owed_on_line(
    *,
    required: Decimal,
    paid: Decimal,
    straight: Decimal,
    overtime: Decimal,
    doubletime: Decimal,
) -> Decimal:
    """Restitution owed on one underpaid line (SPEC §3.2): the hourly difference on every
    hour at its premium, (required − paid) × (straight + 1.5 × overtime + 2 × double-time),
    rounded to the cent. Example G: (38.00 − 35.00) × (40 + 1.5 × 10) = $165.00."""
    premium_hours = straight + OVERTIME_PREMIUM * overtime + DOUBLETIME_PREMIUM * doubletime
    return round2((required - paid) * premium_hours)


@dataclass(slots=True)
class Violation:
    """One underpaid line: its group's keys, its hours and `owed_on_line`, and `listed`, the
    line as evaluations, flags, memos and exports list it (figures written out)."""

    assignment_id: int
    craft_id: int
    week_ending: datetime.date
    hours: Decimal
    owed: Decimal
    listed: dict


def evaluate(commitments: list[Commitment], ctx: Context) -> list[Evaluation]:
    evaluations = []
    for commitment in commitments:
        scope = KIND.terms(commitment).scope
        if not ctx.measures_scope(scope):
            continue
        monthly: dict[Group, Monthly] = defaultdict(Monthly)
        owed: dict[Group, Decimal] = defaultdict(lambda: ZERO)
        for cell in ctx.cells:
            group = group_of(scope, cell["assignment_id"], cell["craft_id"])
            monthly[group].add(cell["month"], ZERO, dec(cell["all_hours"]))
        for group in _default_groups(scope, ctx):
            monthly.setdefault(group, Monthly())
        listed: dict[Group, list[Violation]] = defaultdict(list)
        for line in violations(commitment, ctx, only=ctx.measured_only(scope)):
            group = group_of(scope, line.assignment_id, line.craft_id)
            listed[group].append(line)
            monthly[group].add(line.week_ending.replace(day=1), line.hours, ZERO)
            owed[group] += line.owed
        for group, figures in sorted(monthly.items(), key=lambda item: item[0].key):
            if ctx.measures(group.assignment_id):
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
            "basis": KIND.terms(commitment).basis,
            "violations": [line.listed for line in listed],
            "violation_count": len(listed),
            "worker_count": len({line.listed["worker"] for line in listed}),
        },
        computed_at=ctx.computed_at,
    )
