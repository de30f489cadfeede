"""`workforce_share`: "X% of the work hours by local residents" (SPEC §3.1).

For each group, over the current lines of weeks ending on or before the as-of date:
- the denominator is the measure (hours, distinct workers, or distinct new hires) over the
  lines of the population (all, journeyworkers or apprentices), excluded crafts left out;
- the numerator is the same measure over those lines that qualify (area resident,
  disadvantaged, apprentice, woman, person of color, veteran, new hire);
- actual = 100 × numerator / denominator; shortfall = max(0, target% × denominator −
  numerator); liquidated damages = shortfall × penalty per unit;
- status: no_data when the denominator is 0 or below min_base; met when actual ≥ target
  (at_risk instead when the projection at completion falls below target); at_risk when
  target − margin ≤ actual < target; shortfall when actual < target − margin.
Percents are compared as shown: rounded half up to 2 places.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Min, Q, Sum

from compliance.evaluation.engine.common import (
    SCOPE_FIELDS,
    TOTAL,
    ZERO,
    Context,
    Group,
    Monthly,
    as_month,
    build_series,
    dec,
    group_of,
    projected_percent,
    text,
)
from compliance.models import Evaluation
from compliance.numbers import percent, round2
from projects.models import Commitment


def population_filter(commitment: Commitment, ctx: Context) -> Q:
    """The lines that form the denominator (and so also bound the numerator)."""
    params = commitment.params
    q = Q()
    if params.get("population") == "journey":
        q &= Q(is_apprentice=False)
    elif params.get("population") == "apprentice":
        q &= Q(is_apprentice=True)
    if params.get("measure") == "new_hires":
        q &= Q(new_hire=True)
    excluded = excluded_crafts(commitment, ctx)
    if excluded:
        q &= ~Q(craft_id__in=sorted(excluded))
    return q


def qualifier_filter(commitment: Commitment) -> Q:
    """The lines that count toward the numerator."""
    qualifier = commitment.params["qualifier"]
    if qualifier == "area_resident":
        return Q(home_zip__in=sorted(commitment.area.zips))
    if qualifier == "disadvantaged":
        return Q(disadvantaged=True)
    if qualifier == "apprentice":
        return Q(is_apprentice=True)
    if qualifier == "woman":
        return Q(gender="F")
    if qualifier == "person_of_color":
        # Ethnicity reported and not "White" (in any letter case).
        return ~Q(ethnicity="") & ~Q(ethnicity__iexact="white")
    if qualifier == "veteran":
        return Q(veteran=True)
    if qualifier == "new_hire":
        return Q(new_hire=True)
    raise ValueError(f"Unknown qualifier {qualifier!r}.")


def excluded_crafts(commitment: Commitment, ctx: Context) -> set[int]:
    return ctx.craft_ids_named(commitment.params.get("excluded_crafts") or [])


def _filter(q: Q) -> Q | None:
    return q if q else None


def line_aggregates(commitment: Commitment, ctx: Context) -> dict:
    """Hours-measured commitments ride on the one pass over the lines (see engine)."""
    if commitment.params.get("measure", "hours") != "hours":
        return {}
    population = population_filter(commitment, ctx)
    return {
        f"c{commitment.pk}_num": Sum(
            "hours", filter=population & qualifier_filter(commitment), output_field=TOTAL
        ),
        f"c{commitment.pk}_den": Sum("hours", filter=_filter(population), output_field=TOTAL),
    }


def share_status(
    *,
    actual: Decimal | None,
    projected: Decimal | None,
    denominator: Decimal,
    target: Decimal,
    margin: Decimal,
    min_base: Decimal,
) -> str:
    """SPEC §3.1's status rule, on the rounded percents."""
    if not denominator or denominator < min_base or actual is None:
        return "no_data"
    if actual >= target:
        if projected is not None and projected < target:
            return "at_risk"
        return "met"
    if actual >= target - margin:
        return "at_risk"
    return "shortfall"


def evaluate(commitments: list[Commitment], ctx: Context) -> list[Evaluation]:
    evaluations = []
    for commitment in commitments:
        if commitment.params.get("measure", "hours") == "hours":
            monthly = _hours_by_group(commitment, ctx)
        else:
            monthly = _workers_by_group(commitment, ctx)
        for group in _default_groups(commitment, ctx):
            monthly.setdefault(group, Monthly())
        for group, figures in sorted(monthly.items(), key=lambda item: item[0].key):
            evaluations.append(_evaluation(commitment, group, figures, ctx))
    return evaluations


def _default_groups(commitment: Commitment, ctx: Context) -> list[Group]:
    """Groups that get a result even without a single line: the project, each contractor,
    each craft of the project (excluded crafts aside)."""
    scope = commitment.params.get("scope", "project")
    if scope == "project":
        return [group_of(scope, None, None)]
    if scope == "contractor":
        return [group_of(scope, a, None) for a in ctx.assignments]
    if scope == "craft":
        excluded = excluded_crafts(commitment, ctx)
        return [group_of(scope, None, c) for c in ctx.crafts if c not in excluded]
    return []


def _hours_by_group(commitment: Commitment, ctx: Context) -> dict[Group, Monthly]:
    """Roll the pass's (contractor, craft, month) totals up to the commitment's groups."""
    scope = commitment.params.get("scope", "project")
    excluded = excluded_crafts(commitment, ctx)
    num_key, den_key = f"c{commitment.pk}_num", f"c{commitment.pk}_den"
    by_group: dict[Group, Monthly] = defaultdict(Monthly)
    for cell in ctx.cells:
        if cell["craft_id"] in excluded:
            continue
        group = group_of(scope, cell["assignment_id"], cell["craft_id"])
        by_group[group].add(cell["month"], dec(cell[num_key]), dec(cell[den_key]))
    return by_group


def _workers_by_group(commitment: Commitment, ctx: Context) -> dict[Group, Monthly]:
    """Distinct workers (or new hires) per group: each month's own count, and the cumulative
    count, which adds each worker once, in the first month they appear.

    A worker ID belongs to one contractor, so to one assignment: counts per report (one
    contractor's month) add up to the month's count for the project, or for a craft.
    """
    scope = commitment.params.get("scope", "project")
    fields = SCOPE_FIELDS[scope]
    population = population_filter(commitment, ctx)
    qualifying = population & qualifier_filter(commitment)
    lines = ctx.lines().filter(population)
    by_group: dict[Group, Monthly] = defaultdict(Monthly)

    per_report = (
        lines.values("report_id", *(f for f in fields if f == "craft_id"))
        .annotate(
            num=Count("worker", distinct=True, filter=qualifying),
            den=Count("worker", distinct=True),
        )
        .order_by()
    )
    for row in per_report:
        assignment_id, month = ctx.reports[row["report_id"]]
        group = group_of(scope, assignment_id, row.get("craft_id"))
        by_group[group].add(month, Decimal(row["num"]), Decimal(row["den"]))

    firsts = (
        lines.values(*fields, "worker_id")
        .annotate(
            first_week=Min("week_ending"),
            first_qualifying=Min("week_ending", filter=qualifying),
        )
        .order_by()
    )
    inner, params = firsts.query.sql_with_params()
    quote = connection.ops.quote_name
    keys = ", ".join([*(quote(f) for f in fields), quote("first_week"), quote("first_qualifying")])
    sql = f"SELECT {keys}, COUNT(*) FROM ({inner}) AS firsts GROUP BY {keys}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            *group_values, first_week, first_qualifying, count = row
            values = dict(zip(fields, group_values, strict=True))
            monthly = by_group[group_of(scope, values.get("assignment_id"), values.get("craft_id"))]
            month = as_month(first_week)
            monthly.cumulative_denominator[month] = (
                monthly.cumulative_denominator.get(month, ZERO) + count
            )
            if first_qualifying is not None:
                month = as_month(first_qualifying)
                monthly.cumulative_numerator[month] = (
                    monthly.cumulative_numerator.get(month, ZERO) + count
                )
    return by_group


def _evaluation(commitment: Commitment, group: Group, monthly: Monthly, ctx: Context):
    params = commitment.params
    months = ctx.months
    series, cum_num, cum_den = build_series(monthly, months)
    numerator = cum_num[-1] if months else ZERO
    denominator = cum_den[-1] if months else ZERO
    target = Decimal(params["target_percent"])
    actual = percent(numerator, denominator)
    projected = (
        projected_percent(
            cum_num=cum_num,
            cum_den=cum_den,
            has_data=[bool(monthly.denominator.get(m)) for m in months],
            months=months,
            end_month=ctx.end_month,
            complete=ctx.complete,
        )
        if months
        else None
    )
    status = share_status(
        actual=actual,
        projected=projected,
        denominator=denominator,
        target=target,
        margin=Decimal(params.get("warning_margin", "5")),
        min_base=Decimal(params.get("min_base", "0")),
    )
    shortfall = round2(ZERO)
    if status != "no_data":
        shortfall = round2(max(ZERO, target / 100 * denominator - numerator))
    penalty = commitment.decimal_param("penalty_per_unit")
    damages = None
    if penalty is not None and status != "no_data":
        damages = round2(shortfall * penalty)
    measure = params.get("measure", "hours")
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
        actual_percent=actual,
        target_percent=round2(target),
        shortfall=shortfall,
        projected_percent=projected,
        status=status,
        series=series,
        details={
            "measure": measure,
            "qualifier": params["qualifier"],
            "population": params.get("population", "all"),
            "penalty_per_unit": text(penalty),
            "liquidated_damages": text(damages),
            "unit": "hours" if measure == "hours" else "workers",
        },
        computed_at=ctx.computed_at,
    )
