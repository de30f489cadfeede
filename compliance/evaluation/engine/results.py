"""Evaluations as the command line and the API give them (SPEC §7.3): decimals as strings,
the group named by contractor slug and craft name."""

from decimal import Decimal

from django.db.models import F, QuerySet

from compliance.models import Evaluation


def decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def with_names(evaluations: QuerySet[Evaluation]) -> QuerySet[Evaluation]:
    return evaluations.select_related("project", "assignment__contractor", "craft")


def group_names(evaluation: Evaluation) -> dict:
    return {
        "contractor": evaluation.assignment.contractor.slug if evaluation.assignment_id else None,
        "craft": evaluation.craft.name if evaluation.craft_id else None,
    }


def evaluation_result(evaluation: Evaluation) -> dict:
    """One result of `evaluate --json`, exactly; a `no_data` result that has a reason (open
    data's lines carry no worker to count) says it in `reason`."""
    result = {
        "project": evaluation.project.slug,
        "commitment": evaluation.commitment_key,
        "kind": evaluation.kind,
        "group": group_names(evaluation),
        "numerator": decimal_text(evaluation.numerator),
        "denominator": decimal_text(evaluation.denominator),
        "actual_percent": decimal_text(evaluation.actual_percent),
        "target_percent": decimal_text(evaluation.target_percent),
        "status": evaluation.status,
        "shortfall": decimal_text(evaluation.shortfall),
        "projected_percent": decimal_text(evaluation.projected_percent),
    }
    reason = (evaluation.details or {}).get("no_data_reason")
    if reason:
        result["reason"] = reason
    return result


def ordered(evaluations: QuerySet[Evaluation]) -> QuerySet[Evaluation]:
    """Commitments in the agreement's order, the reporting obligation last; groups by name."""
    return evaluations.order_by(
        "project__slug",
        F("commitment__position").asc(nulls_last=True),
        "commitment_key",
        "assignment__contractor__name",
        "craft__name",
        "group_key",
    )
