"""`count_target`: training slots, affordable units, first-source hires, dollars (SPEC §3.3).

- numerator = Σ progress quantities dated on or before the as-of date (with max_ami_percent,
  only entries at or below it count); denominator = target_quantity.
- due to date = the latest milestone on or before as-of; without milestones, the pro-rata
  share target × (as-of − start) / (due − start), clamped to [0, target].
- shortfall = max(0, due to date − numerator).
- status: met when numerator ≥ target; else shortfall when the due date or a milestone has
  come (on or before as-of) with the numerator below what was due; else at_risk when the
  numerator is below the pro-rata due to date by more than warning_margin percent of the
  target; else on_track.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import DateField, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from compliance import formatting
from compliance.evaluation.engine.common import (
    TOTAL,
    ZERO,
    Context,
    as_month,
    dec,
    month_label,
    text,
)
from compliance.evaluation.kinds.base import Figure, Kind, Terms
from compliance.models import Evaluation, Flag, ProgressEntry
from compliance.months import months_between
from compliance.numbers import percent, round2
from compliance.status import Status
from projects.models import Commitment


class Milestone(BaseModel):
    """A date and the cumulative quantity due by then."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: datetime.date
    quantity: Decimal = Field(ge=0)


class CountTargetTerms(Terms):
    unit: str = Field(min_length=1, description="slots, units, hires, dollars")
    target_quantity: Decimal = Field(ge=Decimal("0.01"))
    start_date: datetime.date
    due_date: datetime.date
    max_ami_percent: Decimal | None = Field(default=None, ge=0)
    milestones: list[Milestone] = []
    warning_margin: Decimal = Field(default=Decimal(5), ge=0)

    @field_validator("due_date")
    @classmethod
    def _after_start(cls, due: datetime.date, info: ValidationInfo) -> datetime.date:
        start = info.data.get("start_date")
        if start is not None and due <= start:
            raise ValueError("The due date must be after the start date.")
        return due

    @field_validator("milestones")
    @classmethod
    def _in_date_order(cls, milestones: list[Milestone]) -> list[Milestone]:
        return sorted(milestones, key=lambda m: m.date)


class CountTarget(Kind):
    name = "count_target"
    label = "Count target"
    Terms = CountTargetTerms
    # Its denominator is the whole target, the same every month: a memo's monthly table
    # shows what was delivered, not a share.
    whole_target = True
    takes_progress = True

    def evaluate(self, commitments: list[Commitment], ctx: Context) -> list[Evaluation]:
        return evaluate(commitments, ctx)

    def unit(self, commitment: Commitment) -> str:
        return self.terms(commitment).unit

    @staticmethod
    def quantity_of(details: dict, name: str, unit: str) -> str:
        return formatting.quantity(details.get(name), unit)

    def describe(self, commitment: Commitment) -> str:
        t = self.terms(commitment)
        words = gettext("%(quantity)s between %(start)s and %(due)s") % {
            "quantity": formatting.quantity(t.target_quantity, t.unit),
            "start": formatting.short_date(t.start_date),
            "due": formatting.short_date(t.due_date),
        }
        if t.milestones:
            words = gettext("%(rule)s; schedule: %(milestones)s") % {
                "rule": words,
                "milestones": "; ".join(
                    gettext("%(quantity)s by %(date)s")
                    % {
                        "quantity": formatting.quantity(m.quantity, t.unit),
                        "date": formatting.short_date(m.date),
                    }
                    for m in t.milestones
                ),
            }
        if t.max_ami_percent is not None:
            words = gettext(
                "%(rule)s, counting only those at or below %(percent)s%% of area median income"
            ) % {"rule": words, "percent": formatting.whole_or_two(t.max_ami_percent)}
        return words + "."

    def headline(self, summary) -> str:
        return formatting.quantity_of(summary.numerator, summary.denominator, summary.unit)

    def delivered_percent(self, summary) -> Decimal | None:
        if not summary.denominator:
            return None
        return min(Decimal(100), percent(summary.numerator, summary.denominator))

    def figures(self, card) -> list[Figure]:
        c, d, unit = card.summary, card.details, card.summary.unit
        due_date = f" by {formatting.short_date(d['due_date'])}" if d.get("due_date") else ""
        rows = [
            Figure("Delivered to date", formatting.quantity(c.numerator, unit), strong=True),
            Figure("Target", formatting.quantity(c.denominator, unit) + due_date),
        ]
        if d.get("schedule"):
            rows.append(
                Figure(
                    "Due by now on the schedule", formatting.quantity(d.get("due_to_date"), unit)
                )
            )
            rows.append(
                Figure(
                    "Expected by now at an even pace",
                    formatting.quantity(d.get("pace_to_date"), unit),
                )
            )
        else:
            rows.append(Figure("Due by now", formatting.quantity(d.get("due_to_date"), unit)))
        rows.append(
            Figure(
                "Shortfall",
                formatting.quantity(c.shortfall, unit) if c.shortfall else "None",
                strong=bool(c.shortfall),
            )
        )
        milestone = d.get("next_milestone")
        if milestone:
            rows.append(
                Figure(
                    "Next milestone",
                    f"{formatting.quantity(milestone['quantity'], unit)} by "
                    f"{formatting.short_date(milestone['date'])}",
                )
            )
        return rows

    def series_columns(self, commitment: Commitment) -> tuple[str, str]:
        return ("Target", "Delivered")

    def findings(self, evaluation, where: str) -> list[tuple[str, str, str]]:
        if evaluation.status not in {Status.SHORTFALL, Status.AT_RISK}:
            return []
        details, title = evaluation.details, evaluation.commitment.title
        unit = details["unit"]
        done = formatting.quantity(evaluation.numerator, unit)
        if evaluation.status == Status.SHORTFALL:
            figures = f"{done} of {formatting.quantity(details['due_to_date'], unit)} due so far"
            return [
                (Flag.Kind.SHORTFALL, Flag.Severity.CRITICAL, f"{title}{where}: short, {figures}")
            ]
        pace = formatting.quantity(details["pace_to_date"], unit)
        figures = f"{done} delivered, {pace} expected by now at an even pace"
        return [(Flag.Kind.AT_RISK, Flag.Severity.WARNING, f"{title}{where}: at risk, {figures}")]

    def flag_figures(self, evaluation) -> dict:
        details = evaluation.details
        names = ("unit", "due_to_date", "pace_to_date", "target_quantity", "due_date")
        return {name: details[name] for name in names}

    def flag_facts(self, evaluation) -> list[tuple[str, str]]:
        d = evaluation.details
        unit = d.get("unit") or "units"
        rows = [
            ("Status", Status.label(evaluation.status)),
            ("Delivered to date", formatting.quantity(evaluation.numerator, unit)),
            ("Target", formatting.quantity(d.get("target_quantity"), unit)),
            ("Due by", formatting.short_date(d.get("due_date"))),
        ]
        if d.get("schedule"):
            rows.append(
                ("Due by now on the schedule", formatting.quantity(d.get("due_to_date"), unit))
            )
            rows.append(
                (
                    "Expected by now at an even pace",
                    formatting.quantity(d.get("pace_to_date"), unit),
                )
            )
        else:
            rows.append(("Due by now", formatting.quantity(d.get("due_to_date"), unit)))
        rows.append(("Shortfall", formatting.quantity(evaluation.shortfall, unit)))
        return rows

    def memo_group_extra(self, evaluation) -> dict:
        details = evaluation.details or {}
        return {
            "count": {
                "target_quantity": text(_decimal(details.get("target_quantity"))),
                "due_to_date": text(_decimal(details.get("due_to_date"))),
                "pace_to_date": text(_decimal(details.get("pace_to_date"))),
                "schedule": bool(details.get("schedule")),
                "due_date": details.get("due_date"),
                "next_milestone": details.get("next_milestone"),
            }
        }

    def memo_measured(self, entry: dict, group: dict, *, as_of: str, status: str) -> str:
        count, unit = group.get("count") or {}, group["unit"]
        due = "due to date on the schedule" if count.get("schedule") else "due to date"
        measured = (
            f"{formatting.quantity(group['numerator'], unit)} delivered of "
            f"{formatting.quantity(count.get('target_quantity'), unit)}; "
            f"{formatting.quantity(count.get('due_to_date'), unit)} {due}"
        )
        if count.get("schedule") and count.get("pace_to_date") is not None:
            measured += f", {formatting.quantity(count['pace_to_date'], unit)} at an even pace"
        measured += f"{as_of}. Status: {status}."
        milestone = count.get("next_milestone")
        if isinstance(milestone, dict) and milestone.get("date"):
            due_then = milestone.get("quantity", milestone.get("cumulative_quantity"))
            measured += (
                f" Next milestone: {formatting.quantity(due_then, unit)} by "
                f"{formatting.long_date(milestone['date'])}."
            )
        return measured

    def memo_facts(self, entry: dict, group: dict, *, measured: str) -> list[tuple[str, str]]:
        return [
            ("Measured to date", measured),
            ("Shortfall", f"<b>{formatting.quantity(group['shortfall'], group['unit'])}</b>"),
        ]


def _decimal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


KIND = CountTarget()


def counts_filter(commitment: Commitment) -> Q:
    """The progress entries that count toward this commitment."""
    q = Q(commitment_id=commitment.pk)
    ceiling = KIND.terms(commitment).max_ami_percent
    if ceiling is not None:
        q &= Q(ami_percent__lte=ceiling)
    return q


def pro_rata(
    *, target: Decimal, start: datetime.date, due: datetime.date, as_of: datetime.date
) -> Decimal:
    """target × (as-of − start) / (due − start), clamped to [0, target]."""
    share = target * Decimal((as_of - start).days) / Decimal((due - start).days)
    return round2(min(target, max(ZERO, share)))


def count_status(
    *,
    numerator: Decimal,
    target: Decimal,
    as_of: datetime.date,
    due_date: datetime.date,
    milestones: list[dict],
    pro_rata_due: Decimal,
    margin: Decimal,
) -> str:
    if numerator >= target:
        return "met"
    if due_date <= as_of:
        return "shortfall"
    for milestone in milestones:
        if milestone["date"] <= as_of and numerator < milestone["quantity"]:
            return "shortfall"
    if numerator < pro_rata_due - margin / 100 * target:
        return "at_risk"
    return "on_track"


def evaluate(commitments: list[Commitment], ctx: Context) -> list[Evaluation]:
    if not commitments:
        return []
    counted = Q()
    for commitment in commitments:
        counted |= counts_filter(commitment)
    rows = (
        ProgressEntry.objects.filter(counted, date__lte=ctx.as_of)
        .values("commitment_id", month=TruncMonth("date", output_field=DateField()))
        .annotate(quantity=Sum("quantity", output_field=TOTAL))
        .order_by()
    )
    by_commitment: dict[int, dict] = defaultdict(dict)
    for row in rows:
        month = as_month(row["month"])
        by_commitment[row["commitment_id"]][month] = dec(row["quantity"])
    return [_evaluation(c, by_commitment[c.pk], ctx) for c in commitments]


def _milestones(terms: "CountTargetTerms") -> list[dict]:
    return sorted(
        ({"date": m.date, "quantity": m.quantity} for m in terms.milestones),
        key=lambda m: m["date"],
    )


def _evaluation(commitment: Commitment, quantities: dict, ctx: Context) -> Evaluation:
    terms = KIND.terms(commitment)
    ami = terms.max_ami_percent
    target = terms.target_quantity
    start, due = terms.start_date, terms.due_date
    margin = terms.warning_margin
    milestones = _milestones(terms)
    as_of = ctx.as_of
    numerator = sum(quantities.values(), ZERO)
    share = pro_rata(target=target, start=start, due=due, as_of=as_of)
    if milestones:
        passed = [m for m in milestones if m["date"] <= as_of]
        due_to_date = passed[-1]["quantity"] if passed else ZERO
        if due <= as_of:
            due_to_date = max(due_to_date, target)
    else:
        due_to_date = share
    upcoming = [m for m in milestones if m["date"] > as_of]
    status = count_status(
        numerator=numerator,
        target=target,
        as_of=as_of,
        due_date=due,
        milestones=milestones,
        pro_rata_due=share,
        margin=margin,
    )
    series = []
    first = min([start, *quantities.keys()])
    cumulative = ZERO
    for month in months_between(first, as_of):
        quantity = quantities.get(month, ZERO)
        cumulative += quantity
        series.append(
            {
                "month": month_label(month),
                "numerator": str(round2(quantity)),
                "denominator": str(round2(target)),
                "percent": text(percent(quantity, target)),
                "cumulative_percent": text(percent(cumulative, target)),
            }
        )
    return Evaluation(
        project=ctx.project,
        commitment=commitment,
        commitment_key=commitment.key,
        kind=commitment.kind,
        group_key="project",
        as_of=as_of,
        numerator=round2(numerator),
        denominator=round2(target),
        actual_percent=percent(numerator, target),
        target_percent=None,
        shortfall=round2(max(ZERO, due_to_date - numerator)),
        projected_percent=None,
        status=status,
        series=series,
        details={
            "unit": terms.unit,
            "due_to_date": str(round2(due_to_date)),
            "pace_to_date": str(share),
            "target_quantity": str(round2(target)),
            "start_date": start.isoformat(),
            "due_date": due.isoformat(),
            "max_ami_percent": None if ami is None else str(ami),
            "schedule": bool(milestones),
            "next_milestone": {
                "date": upcoming[0]["date"].isoformat(),
                "quantity": str(round2(upcoming[0]["quantity"])),
            }
            if upcoming
            else None,
        },
        computed_at=ctx.computed_at,
    )
