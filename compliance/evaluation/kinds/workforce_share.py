"""`workforce_share`: "X% of the work hours by local residents" (SPEC §3.1).

For each group, over the current lines of weeks ending on or before the as-of date:
- the denominator is the measure (hours, distinct workers, or distinct new hires) over the
  lines of the population (all, journeyworkers or apprentices), excluded crafts left out;
- the numerator is the same measure over those lines that qualify (area resident, resident
  as reported, disadvantaged, apprentice, woman, person of color, veteran, new hire);
- workers are counted by their IDs: a group with lines that carry none (open data) has no
  worker count, so a share of workers or new hires is no_data there, saying why;
- actual = 100 × numerator / denominator; shortfall = max(0, target% × denominator −
  numerator); liquidated damages = shortfall × penalty per unit;
- status: no_data when the denominator is 0 or below min_base; met when actual ≥ target
  (at_risk instead when the projection at completion falls below target); at_risk when
  target − margin ≤ actual < target; shortfall when actual < target − margin.
Percents are compared as shown: rounded half up to 2 places.
"""

from collections import defaultdict
from decimal import Decimal
from typing import Literal

from django.db.models import Q, Sum
from django.utils.translation import gettext, gettext_noop
from pydantic import Field

from compliance import formatting
from compliance.evaluation import damages as damages_rule
from compliance.evaluation.engine import catch_up, firsts
from compliance.evaluation.engine.common import (
    SCOPE_FIELDS,
    TOTAL,
    ZERO,
    Context,
    Group,
    Monthly,
    as_month,
    dec,
    group_of,
    share_figures,
    text,
)
from compliance.evaluation.kinds import standing_words as words
from compliance.evaluation.kinds.base import (
    SCOPE_WORDS,
    Figure,
    Kind,
    Scope,
    Terms,
    damages_arithmetic,
    plain,
    required_arithmetic,
)
from compliance.models import Evaluation, Flag
from compliance.months import month_start
from compliance.numbers import round2
from compliance.status import Status
from projects.models import Commitment

UNITS = {"hours": "hours", "workers": "workers", "new_hires": "workers"}
# What the target is a share of, by population and measure (whole phrases, so a
# translation can order the words as its language does).
MEASURE_WORDS = {
    ("all", "hours"): gettext_noop("work hours"),
    ("journey", "hours"): gettext_noop("journeyworker work hours"),
    ("apprentice", "hours"): gettext_noop("apprentice work hours"),
    ("all", "workers"): gettext_noop("workers"),
    ("journey", "workers"): gettext_noop("journeyworker workers"),
    ("apprentice", "workers"): gettext_noop("apprentice workers"),
    ("all", "new_hires"): gettext_noop("new hires"),
    ("journey", "new_hires"): gettext_noop("journeyworker new hires"),
    ("apprentice", "new_hires"): gettext_noop("apprentice new hires"),
}
QUALIFIER_WORDS = {
    "reported_resident": gettext_noop("residents (as reported or certified, not by ZIP)"),
    "disadvantaged": gettext_noop("disadvantaged workers"),
    "apprentice": gettext_noop("registered apprentices"),
    "woman": gettext_noop("women"),
    "person_of_color": gettext_noop("people of color"),
    "veteran": gettext_noop("veterans"),
    "new_hire": gettext_noop("new hires"),
}
GROUP_COLUMNS = {
    "hours": (gettext_noop("Qualifying hours"), gettext_noop("All hours")),
    "workers": (gettext_noop("Qualifying workers"), gettext_noop("All workers")),
}
SERIES_COLUMNS = {
    "hours": ("Hours", "Qualifying hours"),
    "workers": ("Workers", "Qualifying workers"),
    "new_hires": ("New hires", "Qualifying new hires"),
}


class WorkforceShareTerms(Terms):
    measure: Literal["hours", "workers", "new_hires"] = "hours"
    scope: Scope = "project"
    qualifier: Literal[
        "area_resident",
        "reported_resident",
        "disadvantaged",
        "apprentice",
        "woman",
        "person_of_color",
        "veteran",
        "new_hire",
    ]
    population: Literal["all", "journey", "apprentice"] = "all"
    excluded_crafts: list[str] = []
    target_percent: Decimal = Field(ge=0, le=100)
    warning_margin: Decimal = Field(default=Decimal(5), ge=0)
    min_base: Decimal = Field(default=Decimal(0), ge=0)
    penalty_per_unit: Decimal | None = Field(default=None, ge=0)


class WorkforceShare(Kind):
    name = "workforce_share"
    label = "Workforce share"
    Terms = WorkforceShareTerms
    reads_lines = True
    charted = True
    takes_area = True

    def evaluate(self, commitments: list[Commitment], ctx: Context) -> list[Evaluation]:
        return evaluate(commitments, ctx)

    def line_aggregates(self, commitment: Commitment, ctx: Context) -> dict:
        return line_aggregates(commitment, ctx)

    def worker_filters(self, commitment: Commitment) -> tuple[Q, Q] | None:
        return worker_filters(commitment)

    def check_area(self, params: dict, area) -> dict[str, str]:
        qualifier = params.get("qualifier")
        if qualifier == "area_resident" and area is None:
            return {"area": "An area_resident commitment needs an area."}
        if qualifier != "area_resident" and area is not None:
            return {"area": "Only an area_resident commitment takes an area."}
        return {}

    def craft_names(self, params: dict) -> list[tuple[str, str]]:
        return [(f"excluded_crafts[{j}]", n) for j, n in enumerate(params["excluded_crafts"])]

    def rename_craft(self, params: dict, path: str, name: str) -> None:
        params["excluded_crafts"][int(path.split("[")[1].rstrip("]"))] = name

    def unit(self, commitment: Commitment) -> str:
        return UNITS[self.terms(commitment).measure]

    def describe(self, commitment: Commitment) -> str:
        t = self.terms(commitment)
        if t.qualifier == "area_resident":
            who = (
                gettext("residents of %(area)s") % {"area": commitment.area.name}
                if commitment.area
                else gettext("area residents")
            )
        else:
            who = gettext(QUALIFIER_WORDS[t.qualifier])
        words = gettext("At least %(percent)s%% of %(measure)s must go to %(who)s, %(scope)s") % {
            "percent": plain(t.target_percent),
            "measure": gettext(MEASURE_WORDS[t.population, t.measure]),
            "who": who,
            "scope": gettext(SCOPE_WORDS[t.scope]),
        }
        if t.excluded_crafts:
            words = gettext("%(rule)s (not counting %(trades)s)") % {
                "rule": words,
                "trades": ", ".join(t.excluded_crafts),
            }
        if t.penalty_per_unit:
            if t.measure == "hours":
                damages = gettext("%(rule)s; liquidated damages of %(amount)s per shortfall hour")
            else:
                damages = gettext("%(rule)s; liquidated damages of %(amount)s per shortfall worker")
            words = damages % {"rule": words, "amount": formatting.money(t.penalty_per_unit)}
        return words + "."

    def headline(self, summary) -> str:
        figure = (
            f"{formatting.percent(summary.actual_percent)} of "
            f"{formatting.percent(summary.target_percent)}"
        )
        return figure if summary.whole_row else f"All groups together: {figure}"

    def figures(self, card) -> list[Figure]:
        c, unit = card.summary, card.summary.unit
        together = "" if c.whole_row else " (all groups together)"
        if card.details.get("no_data_reason"):
            return [Figure("Why no data", card.details["no_data_reason"], strong=True)]
        rows = [
            Figure(
                f"Actual to date{together}",
                formatting.percent(c.actual_percent),
                strong=True,
                note=f"{formatting.number(c.numerator)} of "
                f"{formatting.quantity(c.denominator, unit)}",
            ),
            Figure("Target", formatting.percent(c.target_percent)),
            Figure(
                f"Shortfall{together}",
                formatting.quantity(c.shortfall, unit) if c.shortfall else "None",
                strong=bool(c.shortfall),
            ),
            Figure(
                "Projected at completion",
                formatting.percent(c.projected_percent),
            ),
        ]
        if card.liquidated_damages:
            rows.append(
                Figure(
                    damages_rule.damages_label(card.details),
                    formatting.money(card.liquidated_damages),
                    note=f"{formatting.quantity(c.shortfall, unit)} × "
                    f"{formatting.money(card.penalty_per_unit)}",
                )
            )
        return rows

    def group_columns(self, commitment: Commitment) -> list[str]:
        counted, every = GROUP_COLUMNS[self.unit(commitment)]
        shown = (counted, every, gettext_noop("Actual"), gettext_noop("Projected"))
        return [gettext(text) for text in (*shown, gettext_noop("Shortfall"))]

    def group_cells(self, commitment: Commitment, group) -> list[str]:
        return [
            formatting.number(group.numerator),
            formatting.number(group.denominator),
            formatting.percent(group.actual_percent),
            formatting.percent(group.projected_percent),
            self.quantity(commitment, group.shortfall),
        ]

    def series_columns(self, commitment: Commitment) -> tuple[str, str]:
        return SERIES_COLUMNS[self.terms(commitment).measure]

    def standing_advice(self, evaluation, *, project) -> str:
        """The catch-up rule (`engine.catch_up`) in words, for hours; a share of workers is
        told its shortfall only, since its hours to come do not decide it."""
        t = self.terms(evaluation.commitment)
        target = formatting.percent(evaluation.target_percent)
        if evaluation.status == Status.NO_DATA:
            return evaluation.details.get("no_data_reason") or gettext("No hours reported yet.")
        if t.measure == "hours":
            found = catch_up.catch_up(
                target_percent=evaluation.target_percent,
                numerator=evaluation.numerator,
                denominator=evaluation.denominator,
                projected_denominator=catch_up.projected_hours(
                    evaluation,
                    end_month=month_start(project.end_date),
                    complete=project.status == project.Status.COMPLETE,
                ),
            )
            advice = words.catch_up_advice(
                found,
                target=target,
                qualifying=_qualifying_hours(evaluation.commitment),
                yours=words.your_hours(t.population),
                above=(evaluation.actual_percent or 0) >= evaluation.target_percent,
            )
            if advice:
                return advice
        shortfall = evaluation.shortfall
        return words.without_projection(
            shortfall=self.quantity(evaluation.commitment, shortfall) if shortfall else None,
            target=target,
        )

    def findings(self, evaluation, where: str) -> list[tuple[str, str, str]]:
        if evaluation.status not in {Status.SHORTFALL, Status.AT_RISK}:
            return []
        figures = f"{evaluation.actual_percent}% against {evaluation.target_percent}%"
        if evaluation.projected_percent != evaluation.actual_percent:
            figures += f", {evaluation.projected_percent}% projected"
        title = evaluation.commitment.title
        if evaluation.status == Status.SHORTFALL:
            return [
                (Flag.Kind.SHORTFALL, Flag.Severity.CRITICAL, f"{title}{where}: short, {figures}")
            ]
        return [(Flag.Kind.AT_RISK, Flag.Severity.WARNING, f"{title}{where}: at risk, {figures}")]

    def flag_figures(self, evaluation) -> dict:
        return {
            "unit": evaluation.details["unit"],
            "liquidated_damages": evaluation.details["liquidated_damages"],
            "damages_standing": evaluation.details.get("damages_standing"),
        }

    def flag_facts(self, evaluation) -> list[tuple[str, str]]:
        unit = evaluation.details.get("unit") or "hours"
        counted, every = GROUP_COLUMNS.get(unit, GROUP_COLUMNS["hours"])
        rows = [
            (gettext("Status"), Status.label(evaluation.status)),
            (gettext("Actual percent"), formatting.percent(evaluation.actual_percent)),
            (gettext("Target"), formatting.percent(evaluation.target_percent)),
            (gettext(counted), formatting.number(evaluation.numerator)),
            (gettext(every), formatting.number(evaluation.denominator)),
            (gettext("Shortfall"), formatting.quantity(evaluation.shortfall, unit)),
            (gettext("Projected at completion"), formatting.percent(evaluation.projected_percent)),
        ]
        if evaluation.details.get("liquidated_damages") is not None:
            rows.append(
                (
                    damages_rule.damages_label(evaluation.details),
                    formatting.money(evaluation.details["liquidated_damages"]),
                )
            )
        return rows

    def memo_measured(self, entry: dict, group: dict, *, as_of: str, status: str) -> str:
        return (
            f"{formatting.percent(group['actual_percent'])}: "
            f"{formatting.number(group['numerator'])} of "
            f"{formatting.quantity(group['denominator'], group['unit'])}{as_of}. "
            f"Status: {status}."
        )

    def memo_facts(self, entry: dict, group: dict, *, measured: str) -> list[tuple[str, str]]:
        rows = [("Measured to date", measured)]
        if group["projected_percent"] is not None:
            rows.append(("Projected at completion", formatting.percent(group["projected_percent"])))
        shortfall = f"<b>{formatting.quantity(group['shortfall'], group['unit'])}</b>"
        arithmetic = required_arithmetic(group)
        if arithmetic and Decimal(group["shortfall"] or 0):
            shortfall += f" ({arithmetic})"
        rows.append(("Shortfall", shortfall))
        damages = damages_arithmetic(group)
        if damages:
            rows.append((damages_rule.damages_label(group), f"<b>{damages}</b>"))
        elif entry["penalty_per_unit"] is None:
            rows.append(("Liquidated damages", "The clause sets no rate."))
        return rows

    def cure_words(self, group: dict) -> str | None:
        arithmetic = required_arithmetic(group)
        if group["target_percent"] is None or not arithmetic:
            return None
        shortfall = formatting.quantity(group["shortfall"], group["unit"])
        return (
            f"Bring the share to the <b>{formatting.number(group['target_percent'])}%</b> the "
            f"clause requires: <b>{shortfall}</b> more by qualifying workers ({arithmetic}), "
            "and submit a written plan showing how the remaining work will meet the target."
        )


KIND = WorkforceShare()


def _qualifying_hours(commitment: Commitment) -> str:
    """ "apprentice hours", "hours by residents of Crenshaw": the hours that count."""
    area = commitment.area.name if commitment.area else None
    return words.qualifying_hours(KIND.terms(commitment).qualifier, area)


def population_filter(commitment: Commitment, ctx: Context) -> Q:
    """The lines that form the denominator (and so also bound the numerator)."""
    q = population_lines(commitment)
    excluded = excluded_crafts(commitment, ctx)
    if excluded:
        q &= ~Q(craft_id__in=sorted(excluded))
    return q


def population_lines(commitment: Commitment) -> Q:
    """The population's lines by their own fields, whatever their craft (sums kept per
    craft leave the excluded crafts out when they are added up)."""
    terms = KIND.terms(commitment)
    q = Q()
    if terms.population == "journey":
        q &= Q(is_apprentice=False)
    elif terms.population == "apprentice":
        q &= Q(is_apprentice=True)
    if terms.measure == "new_hires":
        q &= Q(new_hire=True)
    return q


# Qualifiers that are a yes on the line, by the line's field.
FLAG_QUALIFIERS = {
    "reported_resident": "reported_resident",
    "disadvantaged": "disadvantaged",
    "apprentice": "is_apprentice",
    "veteran": "veteran",
    "new_hire": "new_hire",
}


def qualifier_filter(commitment: Commitment) -> Q:
    """The lines that count toward the numerator."""
    qualifier = KIND.terms(commitment).qualifier
    if qualifier in FLAG_QUALIFIERS:
        return Q(**{FLAG_QUALIFIERS[qualifier]: True})
    if qualifier == "area_resident":
        return Q(home_zip__in=sorted(commitment.area.zips))
    if qualifier == "woman":
        return Q(gender="F")
    if qualifier == "person_of_color":
        # The door's own flag where it gives one (open data, whose race text may say
        # "Caucasian"); else ethnicity reported and not "White" (in any letter case).
        by_text = ~Q(ethnicity="") & ~Q(ethnicity__iexact="white")
        return Q(person_of_color=True) | Q(person_of_color__isnull=True) & by_text
    raise ValueError(f"Unknown qualifier {qualifier!r}.")


def excluded_crafts(commitment: Commitment, ctx: Context) -> set[int]:
    return ctx.craft_ids_named(KIND.terms(commitment).excluded_crafts)


def line_aggregates(commitment: Commitment, ctx: Context) -> dict:
    """Hours-measured commitments add up sums each report version keeps per craft (see
    engine.sums), so the excluded crafts are left out when they are added up
    (`_hours_by_group`), not in the sums."""
    if KIND.terms(commitment).measure != "hours":
        return {}
    population = population_lines(commitment)
    return {
        f"c{commitment.pk}_num": Sum(
            "hours", filter=population & qualifier_filter(commitment), output_field=TOTAL
        ),
        f"c{commitment.pk}_den": Sum("hours", filter=population or None, output_field=TOTAL),
    }


def evaluate(commitments: list[Commitment], ctx: Context) -> list[Evaluation]:
    evaluations = []
    for commitment in commitments:
        if not ctx.measures_scope(KIND.terms(commitment).scope):
            continue
        unidentified: set[Group] = set()
        if KIND.terms(commitment).measure == "hours":
            monthly = _hours_by_group(commitment, ctx)
        else:
            monthly, unidentified = _workers_by_group(commitment, ctx)
        for group in _default_groups(commitment, ctx):
            monthly.setdefault(group, Monthly())
        for group, figures in sorted(monthly.items(), key=lambda item: item[0].key):
            if ctx.measures(group.assignment_id):
                evaluations.append(
                    _evaluation(commitment, group, figures, ctx, unidentified=group in unidentified)
                )
    return evaluations


def _default_groups(commitment: Commitment, ctx: Context) -> list[Group]:
    """Groups that get a result even without a single line: the project, each contractor,
    each craft of the project (excluded crafts aside)."""
    scope = KIND.terms(commitment).scope
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
    scope = KIND.terms(commitment).scope
    excluded = excluded_crafts(commitment, ctx)
    num_key, den_key = f"c{commitment.pk}_num", f"c{commitment.pk}_den"
    by_group: dict[Group, Monthly] = defaultdict(Monthly)
    for cell in ctx.cells:
        if cell["craft_id"] in excluded:
            continue
        group = group_of(scope, cell["assignment_id"], cell["craft_id"])
        by_group[group].add(cell["month"], dec(cell[num_key]), dec(cell[den_key]))
    return by_group


def worker_filters(commitment: Commitment) -> tuple[Q, Q] | None:
    """A workers- or new-hires-measured commitment's population lines and its qualifying
    lines among them, whatever their craft (`engine.firsts` keeps each worker's first weeks
    under them; the excluded crafts are left out when those are counted)."""
    if KIND.terms(commitment).measure == "hours":
        return None
    population = population_lines(commitment)
    return population, population & qualifier_filter(commitment)


def _workers_by_group(
    commitment: Commitment, ctx: Context
) -> tuple[dict[Group, Monthly], set[Group]]:
    """Distinct workers (or new hires) per group: each month's own count, and the cumulative
    count, which adds each worker once, in the first month they appear; and the groups with
    lines of no worker (open data), whose workers cannot be counted.

    A worker ID belongs to one contractor, so to one assignment: counts per report (one
    contractor's month) add up to the month's count for the project, or for a craft. Counted
    from each worker's first weeks kept per report version (`engine.firsts`), not the lines.
    """
    scope = KIND.terms(commitment).scope
    fields = SCOPE_FIELDS[scope]
    count = firsts.from_lines if ctx.from_lines else firsts.from_kept
    per_report, first_weeks = count(
        ctx, *worker_filters(commitment), excluded=excluded_crafts(commitment, ctx), fields=fields
    )
    ctx.load_reports(row["report_id"] for row in per_report)
    by_group: dict[Group, Monthly] = defaultdict(Monthly)
    unidentified = set()
    for row in per_report:
        assignment_id, month = ctx.reports[row["report_id"]]
        group = group_of(scope, assignment_id, row.get("craft_id"))
        by_group[group].add(month, Decimal(row["num"]), Decimal(row["den"]))
        if row["unidentified"]:
            unidentified.add(group)
    for *group_values, first_week, first_qualifying, workers in first_weeks:
        values = dict(zip(fields, group_values, strict=True))
        monthly = by_group[group_of(scope, values.get("assignment_id"), values.get("craft_id"))]
        month = as_month(first_week)
        monthly.cumulative_denominator[month] = (
            monthly.cumulative_denominator.get(month, ZERO) + workers
        )
        if first_qualifying is not None:
            month = as_month(first_qualifying)
            monthly.cumulative_numerator[month] = (
                monthly.cumulative_numerator.get(month, ZERO) + workers
            )
    return by_group, unidentified


NO_IDENTITY = "Open data carries no worker identity: its workers cannot be counted."


def _evaluation(
    commitment: Commitment, group: Group, monthly: Monthly, ctx: Context, *, unidentified=False
):
    terms = KIND.terms(commitment)
    months = ctx.months
    share = share_figures(
        monthly,
        months,
        ctx,
        target=terms.target_percent,
        margin=terms.warning_margin,
        min_base=terms.min_base,
        penalty=terms.penalty_per_unit,
        no_data=unidentified,
    )
    series, numerator, denominator, actual, projected, status, shortfall, damages = share
    target, penalty = terms.target_percent, terms.penalty_per_unit
    measure = terms.measure
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
            "qualifier": terms.qualifier,
            "population": terms.population,
            "penalty_per_unit": text(penalty),
            "liquidated_damages": text(damages),
            **damages_rule.standing_details(
                project=ctx.project, as_of=ctx.as_of, commitment=commitment
            ),
            "unit": UNITS[measure],
            **({"no_data_reason": NO_IDENTITY} if unidentified else {}),
        },
        computed_at=ctx.computed_at,
    )
