"""`contracting_share`: "X% of contract dollars to certified businesses" (SPEC §3.7).

Over the payments the current report versions carry (a prime's payments to its
subcontractors), dated on or before the as-of date, for the whole project or for each prime
(the payer):
- the denominator is all dollars paid;
- the numerator is the dollars paid to a firm that held a qualifying certification (local,
  small, disadvantaged, minority, women, disabled veteran, Section 3) on the payment's date:
  a payment made after a certification expired does not count;
- actual = 100 × numerator / denominator; shortfall = max(0, target% × denominator −
  numerator), in dollars; liquidated damages = shortfall × penalty per shortfall dollar;
- status and projection at completion as a workforce share (SPEC §3.1).
"""

from collections import defaultdict
from decimal import Decimal
from typing import Literal

from django.db.models import DateField, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext, gettext_noop
from pydantic import Field

from compliance import formatting
from compliance.evaluation import damages as damages_rule
from compliance.evaluation.engine.common import (
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
from compliance.evaluation.kinds.base import Figure, Kind, Terms, damages_arithmetic, plain
from compliance.models import Evaluation, Flag, Payment
from compliance.months import month_start, months_between
from compliance.numbers import round2
from compliance.status import Status
from projects.models import Assignment, Certification, Commitment

CertificationType = Literal[
    "local", "small", "disadvantaged", "minority", "women", "disabled_veteran", "section3"
]
CERTIFICATION_WORDS = {
    "local": gettext_noop("local"),
    "small": gettext_noop("small"),
    "disadvantaged": gettext_noop("disadvantaged"),
    "minority": gettext_noop("minority-owned"),
    "women": gettext_noop("women-owned"),
    "disabled_veteran": gettext_noop("disabled-veteran-owned"),
    "section3": gettext_noop("Section 3"),
}
SCOPE_WORDS = {
    "project": gettext_noop("across the whole project"),
    "prime": gettext_noop("for each prime contractor"),
}


class ContractingShareTerms(Terms):
    certifications: list[CertificationType] = Field(min_length=1)
    scope: Literal["project", "prime"] = "project"
    target_percent: Decimal = Field(ge=0, le=100)
    warning_margin: Decimal = Field(default=Decimal(5), ge=0)
    penalty_per_unit: Decimal | None = Field(default=None, ge=0)


def certified_words(certifications: list[str]) -> str:
    """ "certified small or women-owned businesses" """
    names = [gettext(CERTIFICATION_WORDS[c]) for c in certifications]
    listed = names[0]
    if len(names) > 1:
        listed = gettext("%(first)s or %(last)s") % {
            "first": ", ".join(names[:-1]),
            "last": names[-1],
        }
    return gettext("certified %(kinds)s businesses") % {"kinds": listed}


class ContractingShare(Kind):
    name = "contracting_share"
    label = "Contracting share"
    Terms = ContractingShareTerms
    charted = True

    def evaluate(self, commitments: list[Commitment], ctx: Context) -> list[Evaluation]:
        return [e for c in commitments for e in evaluate(c, ctx)]

    def unit(self, commitment: Commitment) -> str:
        return "dollars"

    def groups_word(self, commitment: Commitment) -> str:
        return "prime contractor" if self.scope(commitment) == "prime" else ""

    def scope_words(self, commitment: Commitment) -> str:
        return gettext(SCOPE_WORDS[self.scope(commitment)])

    def describe(self, commitment: Commitment) -> str:
        t = self.terms(commitment)
        words = gettext(
            "At least %(percent)s%% of the contract dollars paid must go to %(who)s, %(scope)s "
            "(a payment counts when the firm was certified on the day it was paid)"
        ) % {
            "percent": plain(t.target_percent),
            "who": certified_words(t.certifications),
            "scope": gettext(SCOPE_WORDS[t.scope]),
        }
        if t.penalty_per_unit:
            words = gettext("%(rule)s; liquidated damages of %(amount)s per shortfall dollar") % {
                "rule": words,
                "amount": formatting.money(t.penalty_per_unit),
            }
        return words + "."

    def headline(self, summary) -> str:
        figure = (
            f"{formatting.percent(summary.actual_percent)} of "
            f"{formatting.percent(summary.target_percent)}"
        )
        return figure if summary.whole_row else f"All primes together: {figure}"

    def figures(self, card) -> list[Figure]:
        c = card.summary
        together = "" if c.whole_row else " (all primes together)"
        rows = [
            Figure(
                f"Actual to date{together}",
                formatting.percent(c.actual_percent),
                strong=True,
                note=f"{formatting.money(c.numerator)} to certified firms of "
                f"{formatting.money(c.denominator)} paid",
            ),
            Figure("Target", formatting.percent(c.target_percent)),
            Figure(
                f"Shortfall{together}",
                formatting.money(c.shortfall) if c.shortfall else "None",
                strong=bool(c.shortfall),
            ),
            Figure("Projected at completion", formatting.percent(c.projected_percent)),
        ]
        if card.liquidated_damages:
            rows.append(
                Figure(
                    damages_rule.damages_label(card.details),
                    formatting.money(card.liquidated_damages),
                    note=f"{formatting.money(c.shortfall)} × "
                    f"{formatting.money(card.penalty_per_unit)}",
                )
            )
        return rows

    def group_columns(self, commitment: Commitment) -> list[str]:
        return ["To certified firms", "All paid", "Actual", "Projected", "Shortfall"]

    def group_cells(self, commitment: Commitment, group) -> list[str]:
        return [
            formatting.money(group.numerator),
            formatting.money(group.denominator),
            formatting.percent(group.actual_percent),
            formatting.percent(group.projected_percent),
            formatting.money(group.shortfall),
        ]

    def series_columns(self, commitment: Commitment) -> tuple[str, str]:
        return ("Dollars paid", "To certified firms")

    # Primes file their payments in their monthly reports.
    filed_by_contractors = True

    def cure_words(self, group: dict) -> str | None:
        if group["target_percent"] is None:
            return None
        required = _required(group)
        return (
            f"Bring the share of contract dollars paid to certified firms to the "
            f"<b>{formatting.number(group['target_percent'])}%</b> the clause requires: "
            f"<b>{formatting.money(group['shortfall'])}</b> more to certified firms "
            f"({formatting.percent(group['target_percent'])} × "
            f"{formatting.money(group['denominator'])} = {formatting.money(required)} required; "
            f"{formatting.money(group['numerator'])} paid to certified firms), and submit a "
            "written plan showing how the remaining subcontracts will meet the target."
        )

    def standing_advice(self, evaluation, *, project) -> str:
        target = formatting.percent(evaluation.target_percent)
        if evaluation.status == Status.NO_DATA:
            return "No payments to subcontractors reported yet."
        if not evaluation.shortfall:
            return f"At or above {target} today."
        return (
            f"{formatting.money(evaluation.shortfall)} more paid to certified firms would bring "
            f"the share to {target} today."
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
        rows = [
            ("Status", Status.label(evaluation.status)),
            ("Actual percent", formatting.percent(evaluation.actual_percent)),
            ("Target", formatting.percent(evaluation.target_percent)),
            ("Paid to certified firms", formatting.money(evaluation.numerator)),
            ("All paid to subcontractors", formatting.money(evaluation.denominator)),
            ("Shortfall", formatting.money(evaluation.shortfall)),
            ("Projected at completion", formatting.percent(evaluation.projected_percent)),
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
            f"{formatting.money(group['numerator'])} to certified firms of "
            f"{formatting.money(group['denominator'])} paid{as_of}. Status: {status}."
        )

    def memo_facts(self, entry: dict, group: dict, *, measured: str) -> list[tuple[str, str]]:
        rows = [("Measured to date", measured)]
        if group["projected_percent"] is not None:
            rows.append(("Projected at completion", formatting.percent(group["projected_percent"])))
        shortfall = f"<b>{formatting.money(group['shortfall'])}</b>"
        if Decimal(group["shortfall"] or 0) and group["target_percent"] is not None:
            required = _required(group)
            shortfall += (
                f" ({formatting.percent(group['target_percent'])} × "
                f"{formatting.money(group['denominator'])} = {formatting.money(required)} "
                f"required; {formatting.money(group['numerator'])} paid to certified firms)"
            )
        rows.append(("Shortfall", shortfall))
        damages = damages_arithmetic(group)
        if damages:
            rows.append((damages_rule.damages_label(group), f"<b>{damages}</b>"))
        elif entry["penalty_per_unit"] is None:
            rows.append(("Liquidated damages", "The clause sets no rate."))
        return rows


def _required(group: dict) -> Decimal:
    """target% × all dollars paid: what certified firms should have been paid."""
    return round2(Decimal(group["target_percent"]) * Decimal(group["denominator"]) / 100)


KIND = ContractingShare()


def qualifying(commitment: Commitment) -> Exists:
    """A payment to a firm holding one of the commitment's certifications on its date."""
    return Exists(
        Certification.objects.filter(
            assignment_id=OuterRef("subcontractor_id"),
            type__in=KIND.terms(commitment).certifications,
        )
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=OuterRef("date")))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=OuterRef("date")))
    )


def _paid_by_group(commitment: Commitment, ctx: Context) -> dict[Group, Monthly]:
    """Dollars paid and dollars paid to certified firms, per group and month: one query."""
    prime = KIND.scope(commitment) == "prime"
    month = TruncMonth("date", output_field=DateField())
    rows = (
        Payment.objects.filter(project=ctx.project, is_current=True, date__lte=ctx.as_of)
        .values(*(["payer_id"] if prime else []), month=month)
        .annotate(
            num=Sum("amount", filter=Q(qualifying(commitment)), output_field=TOTAL),
            den=Sum("amount", output_field=TOTAL),
        )
        .order_by()
    )
    by_group: dict[Group, Monthly] = defaultdict(Monthly)
    for row in rows:
        group = _group(row.get("payer_id") if prime else None, prime=prime)
        by_group[group].add(as_month(row["month"]), dec(row["num"]), dec(row["den"]))
    if prime:
        for assignment_id, assignment in ctx.assignments.items():
            if assignment.tier == Assignment.Tier.PRIME:
                by_group.setdefault(_group(assignment_id, prime=True), Monthly())
    else:
        by_group.setdefault(_group(None, prime=False), Monthly())
    return by_group


def _group(payer_id: int | None, *, prime: bool) -> Group:
    return group_of("contractor", payer_id, None) if prime else group_of("project", None, None)


def _months(ctx: Context, by_group: dict[Group, Monthly]) -> list:
    """The project's months to the as-of date, as the engine counts them for every kind,
    stretched over any month with a payment."""
    paid = sorted({m for monthly in by_group.values() for m in monthly.denominator})
    first = min([month_start(ctx.project.start_date), *ctx.months[:1], *paid[:1]])
    last = month_start(ctx.as_of)
    if ctx.as_of > ctx.project.end_date:
        last = max([month_start(ctx.project.end_date), *ctx.months[-1:], *paid[-1:]])
    return months_between(first, last)


def evaluate(commitment: Commitment, ctx: Context) -> list[Evaluation]:
    by_group = _paid_by_group(commitment, ctx)
    months = _months(ctx, by_group)
    return [
        _evaluation(commitment, group, monthly, months, ctx)
        for group, monthly in sorted(by_group.items(), key=lambda item: item[0].key)
    ]


def _evaluation(
    commitment: Commitment, group: Group, monthly: Monthly, months: list, ctx: Context
) -> Evaluation:
    terms = KIND.terms(commitment)
    share = share_figures(
        monthly,
        months,
        ctx,
        target=terms.target_percent,
        margin=terms.warning_margin,
        min_base=ZERO,
        penalty=terms.penalty_per_unit,
    )
    series, numerator, denominator, actual, projected, status, shortfall, damages = share
    target, penalty = terms.target_percent, terms.penalty_per_unit
    return Evaluation(
        project=ctx.project,
        commitment=commitment,
        commitment_key=commitment.key,
        kind=commitment.kind,
        group_key=group.key,
        assignment_id=group.assignment_id,
        craft_id=None,
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
            "certifications": list(terms.certifications),
            "penalty_per_unit": text(penalty),
            "liquidated_damages": text(damages),
            **damages_rule.standing_details(
                project=ctx.project, as_of=ctx.as_of, commitment=commitment
            ),
            "unit": "dollars",
        },
        computed_at=ctx.computed_at,
    )
