"""What it takes a group to get back on track: the share of the hours still to come that must
qualify for a workforce share to reach its target by the project's expected completion."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from compliance.evaluation.engine.common import ZERO, projected_totals
from compliance.months import parse_period
from compliance.numbers import percent

MET = "met"
NEEDED = "needed"
OUT_OF_REACH = "out_of_reach"
NO_PROJECTION = "no_projection"


@dataclass(frozen=True)
class CatchUp:
    state: str
    # The share of the remaining hours that must qualify (NEEDED and OUT_OF_REACH).
    needed_percent: Decimal | None = None
    # The hours still to come at the current pace, and the projected total at completion.
    remaining: Decimal | None = None
    projected_total: Decimal | None = None
    # What the group would reach if every remaining hour qualified (OUT_OF_REACH).
    best_percent: Decimal | None = None


def catch_up(
    *,
    target_percent: Decimal,
    numerator: Decimal,
    denominator: Decimal,
    projected_denominator: Decimal | None,
) -> CatchUp:
    """The share of the hours still to come that must qualify for the group to reach its
    target by the expected completion, at its current pace (issue 13):

        needed = (target × projected total hours − qualifying hours so far) / remaining hours

    where the projected total is the engine's projection of the group's hours at completion
    (`projected_totals`: the average of the last three months carried to the end) and the
    remaining hours are that total less the hours so far. It is `met` when the qualifying
    hours so far already reach the target of the projected total (needed ≤ 0),
    `out_of_reach` when more than every remaining hour would have to qualify (needed > 100%;
    `best_percent` says what qualifying every one of them would reach), and `no_projection`
    when the engine projects nothing (fewer than three months with hours, no month left,
    or the project complete).

    Example: a 20% target, 200 qualifying hours of 5,000 so far, 10,000 projected at
    completion: (20% × 10,000 − 200) / 5,000 = 36% of the hours from now on.
    """
    if projected_denominator is None or projected_denominator <= denominator:
        return CatchUp(NO_PROJECTION)
    remaining = projected_denominator - denominator
    still_needed = target_percent / 100 * projected_denominator - numerator
    if still_needed <= ZERO:
        return CatchUp(MET, remaining=remaining, projected_total=projected_denominator)
    needed = percent(still_needed, remaining)
    if needed > 100:
        return CatchUp(
            OUT_OF_REACH,
            needed_percent=needed,
            remaining=remaining,
            projected_total=projected_denominator,
            best_percent=percent(numerator + remaining, projected_denominator),
        )
    return CatchUp(
        NEEDED, needed_percent=needed, remaining=remaining, projected_total=projected_denominator
    )


def projected_hours(evaluation, *, end_month: datetime.date, complete: bool) -> Decimal | None:
    """A stored hours-measured result's projected hours at completion, from its monthly series
    (each month's own hours, which add up), by the engine's one projection rule."""
    series = evaluation.series or []
    months = [parse_period(row["month"]) for row in series]
    cum_num, cum_den, has_data = [], [], []
    total_num = total_den = ZERO
    for row in series:
        den = Decimal(row["denominator"])
        total_num += Decimal(row["numerator"])
        total_den += den
        cum_num.append(total_num)
        cum_den.append(total_den)
        has_data.append(bool(den))
    totals = projected_totals(
        cum_num=cum_num,
        cum_den=cum_den,
        has_data=has_data,
        months=months,
        end_month=end_month,
        complete=complete,
    )
    return None if totals is None else totals[1]
