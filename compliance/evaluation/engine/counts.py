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

from compliance.evaluation.engine.common import (
    TOTAL,
    ZERO,
    Context,
    as_month,
    dec,
    month_label,
    text,
)
from compliance.models import Evaluation, ProgressEntry
from compliance.months import months_between
from compliance.numbers import percent, round2
from projects.models import Commitment


def counts_filter(commitment: Commitment) -> Q:
    """The progress entries that count toward this commitment."""
    q = Q(commitment_id=commitment.pk)
    ceiling = commitment.decimal_param("max_ami_percent")
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


def _milestones(commitment: Commitment) -> list[dict]:
    return sorted(
        (
            {
                "date": datetime.date.fromisoformat(m["date"]),
                "quantity": Decimal(str(m["quantity"])),
            }
            for m in commitment.params.get("milestones") or []
        ),
        key=lambda m: m["date"],
    )


def _evaluation(commitment: Commitment, quantities: dict, ctx: Context) -> Evaluation:
    params = commitment.params
    target = Decimal(params["target_quantity"])
    start = datetime.date.fromisoformat(params["start_date"])
    due = datetime.date.fromisoformat(params["due_date"])
    margin = Decimal(params.get("warning_margin", "5"))
    milestones = _milestones(commitment)
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
            "unit": params.get("unit", ""),
            "due_to_date": str(round2(due_to_date)),
            "pace_to_date": str(share),
            "target_quantity": str(round2(target)),
            "start_date": start.isoformat(),
            "due_date": due.isoformat(),
            "max_ami_percent": params.get("max_ami_percent"),
            "next_milestone": {
                "date": upcoming[0]["date"].isoformat(),
                "quantity": str(round2(upcoming[0]["quantity"])),
            }
            if upcoming
            else None,
        },
        computed_at=ctx.computed_at,
    )
