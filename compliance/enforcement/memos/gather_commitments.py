"""A memo's commitment sections and its wage restitution, gathered from the evaluations
(SPEC §6.2, §6.3): each commitment's figures, in the words of its kind
(compliance.evaluation.kinds), and every underpaid line its wage floor lists.
"""

from decimal import Decimal

from compliance.enforcement.memos.snapshot_values import dec, fig, iso
from compliance.evaluation import damages
from compliance.evaluation.kinds import kind_of
from compliance.models import Evaluation, PayrollLine
from compliance.status import Status
from projects.models import Assignment, Commitment

# Caps that keep the PDF readable and its rendering time flat on a large project.
# Groups per commitment shown with a monthly table and a chart: every group of a clause
# measured once; otherwise those in shortfall or at risk, furthest from the target first.
DETAIL_GROUPS = 3
DETAIL_GROUPS_CONTRACTOR = 6
GROUP_ROWS = 80  # group rows per commitment in the results table
WAGE_WORKER_ROWS = 100
WAGE_LINE_ROWS = 150


def _group_label(evaluation: Evaluation) -> str:
    parts = []
    if evaluation.assignment_id:
        parts.append(evaluation.assignment.contractor.name)
    if evaluation.craft_id:
        parts.append(evaluation.craft.name)
    return " · ".join(parts) or "Whole project"


def _status_key(entry: dict) -> tuple:
    return (Status.rank(entry["status"]), -dec(entry["shortfall"]), entry["label"])


def _group_entry(commitment: Commitment, evaluation: Evaluation) -> dict:
    details = evaluation.details or {}
    kind = kind_of(commitment)
    entry = {
        "group_key": evaluation.group_key,
        "label": _group_label(evaluation),
        "project_wide": evaluation.assignment_id is None,
        "as_of": iso(evaluation.as_of),
        "status": evaluation.status,
        "status_label": Status.label(evaluation.status),
        "numerator": fig(evaluation.numerator),
        "denominator": fig(evaluation.denominator),
        "actual_percent": fig(evaluation.actual_percent),
        "target_percent": fig(evaluation.target_percent),
        "projected_percent": fig(evaluation.projected_percent),
        "shortfall": fig(evaluation.shortfall),
        "unit": details.get("unit") or kind.unit(commitment),
        "penalty_per_unit": fig(details.get("penalty_per_unit")),
        "liquidated_damages": fig(details.get("liquidated_damages")),
        # Owed, or only an exposure until completion (compliance.evaluation.damages).
        "damages_standing": details.get("damages_standing") or damages.EXPOSURE,
        "damages_stands_at": details.get("damages_stands_at") or damages.stands_at(None),
    }
    entry.update(kind.memo_group_extra(evaluation))
    return entry


def terms_cited(commitment: Commitment) -> dict:
    """Where a commitment comes from and which terms the memo applied (SPEC §3.6): its
    agreement, the version in force on the as-of date (`terms_version`, set by the engine's
    `terms_in_force`) and one line citing both: "Embarcadero Yards CBA §4.2(a), terms of
    2026-01-01". Kept in the snapshot, so a memo keeps the terms it was built on."""
    agreement = commitment.agreement if commitment.agreement_id else None
    version = getattr(commitment, "terms_version", None)
    cited = " ".join(p for p in [agreement.title if agreement else "", commitment.clause] if p)
    if version is not None:
        cited = (
            f"{cited}, terms of {iso(version.effective_from)}"
            if cited
            else (f"Terms of {iso(version.effective_from)}")
        )
    return {
        "agreement": None
        if agreement is None
        else {"key": agreement.key, "title": agreement.title},
        "terms": None
        if version is None
        else {"effective_from": iso(version.effective_from), "note": version.note},
        "cited": cited,
    }


def _series(evaluation: Evaluation) -> list[dict]:
    keep = ("month", "numerator", "denominator", "percent", "cumulative_percent")
    return [{k: row.get(k) for k in keep} for row in evaluation.series or []]


def commitment_entry(
    commitment: Commitment, evaluations: list[Evaluation], assignment: Assignment | None
) -> tuple[dict, list[Evaluation]]:
    """One commitment's section, and the evaluations whose figures it shows."""
    own = [e for e in evaluations if assignment is not None and e.assignment_id == assignment.pk]
    # A contractor's memo on a project- or craft-wide clause shows the project-wide figures:
    # that is what the clause binds.
    shown = own if own else [e for e in evaluations if assignment is None or not e.assignment_id]
    groups = sorted((_group_entry(commitment, e) for e in shown), key=_status_key)
    by_key = {e.group_key: e for e in shown}
    kind = kind_of(commitment)
    terms = kind.terms(commitment)
    details = []
    limit = DETAIL_GROUPS if assignment is None else DETAIL_GROUPS_CONTRACTOR
    candidates = kind.memo_detail_candidates(groups)
    for group in candidates[:limit]:
        evaluation = by_key[group["group_key"]]
        if evaluation.series:
            details.append(
                {
                    "group_key": group["group_key"],
                    "label": group["label"],
                    "series": _series(evaluation),
                    "target_percent": group["target_percent"],
                    "numerator": group["numerator"],
                    "denominator": group["denominator"],
                    "actual_percent": group["actual_percent"],
                }
            )
    damages_listed = [
        g["liquidated_damages"] for g in groups if g["liquidated_damages"] is not None
    ]
    listed, rest = groups[:GROUP_ROWS], groups[GROUP_ROWS:]
    entry = {
        "key": commitment.key,
        "clause": commitment.clause,
        **terms_cited(commitment),
        "title": commitment.title,
        "text": commitment.text,
        "kind": commitment.kind,
        "kind_label": kind.label,
        "target_text": kind.describe(commitment),
        "target_percent": fig(getattr(terms, "target_percent", None)),
        "penalty_per_unit": fig(getattr(terms, "penalty_per_unit", None)),
        "scope": kind.scope(commitment),
        "scope_label": kind.scope_words(commitment),
        "restitution": kind.lists_violations,
        "whole_target": kind.whole_target,
        "chart": kind.memo_chart,
        "contractor_memo": assignment is not None,
        "narrowed_to_contractor": bool(own),
        "evaluated": bool(shown),
        "evaluated_for_others": bool(evaluations) and not shown,
        "as_of": max((g["as_of"] for g in groups), default=None),
        "series_columns": list(kind.series_columns(commitment)),
        "groups": listed,
        "groups_not_listed": {
            "count": len(rest),
            "shortfall_count": sum(1 for g in rest if g["status"] == "shortfall"),
            "shortfall": fig(sum((dec(g["shortfall"]) for g in rest), Decimal(0))),
        },
        "totals": {
            "groups": len(groups),
            "by_status": {
                status: sum(1 for g in groups if g["status"] == status)
                for status in sorted({g["status"] for g in groups})
            },
            "shortfall": fig(sum((dec(g["shortfall"]) for g in groups), Decimal(0))),
            "liquidated_damages": fig(sum((dec(x) for x in damages_listed), Decimal(0)))
            if damages_listed
            else None,
            # Every group of a commitment stands alike: the basis and dates are the project's.
            "damages_standing": damages.OWED
            if groups and all(g["damages_standing"] == damages.OWED for g in groups)
            else damages.EXPOSURE,
            "damages_stands_at": groups[0]["damages_stands_at"]
            if groups
            else damages.stands_at(None),
        },
        "details": details,
    }
    return entry, shown


# ---------------------------------------------------------------------------------------
# Wage violations


def _line_assignments(line_ids: list[int]) -> dict[int, int]:
    found = {}
    for start in range(0, len(line_ids), 900):
        chunk = line_ids[start : start + 900]
        found.update(PayrollLine.objects.filter(pk__in=chunk).values_list("pk", "assignment_id"))
    return found


def _worker_names(line_ids: list[int]) -> dict[int, str]:
    """The reported worker name behind each payroll line (counsel memos only)."""
    found = {}
    for start in range(0, len(line_ids), 900):
        chunk = line_ids[start : start + 900]
        found.update(
            PayrollLine.objects.filter(pk__in=chunk)
            .exclude(worker__name="")
            .values_list("pk", "worker__name")
        )
    return found


def wage_restitution(
    commitment_entry: dict,
    evaluations: list[Evaluation],
    assignment: Assignment | None,
    contractor_names: dict[int, str],
    with_names: bool = False,
) -> dict:
    """Restitution per worker and per underpaid week, from the evaluation's violation lists;
    `with_names` adds each worker's name where the contractor reported one."""
    violations = []
    unknown_lines = []
    for evaluation in evaluations:
        for v in (evaluation.details or {}).get("violations", []):
            violations.append((evaluation.assignment_id, v))
            if evaluation.assignment_id is None:
                unknown_lines.append(v.get("line_id"))
    line_assignment = _line_assignments([i for i in unknown_lines if i is not None])
    names = (
        _worker_names([v.get("line_id") for _, v in violations if v.get("line_id")])
        if with_names
        else {}
    )
    rows = []
    for group_assignment, v in violations:
        assignment_id = group_assignment or line_assignment.get(v.get("line_id"))
        if assignment is not None and assignment_id != assignment.pk:
            continue
        rows.append(
            {
                "contractor": contractor_names.get(assignment_id, "—"),
                "worker": str(v.get("worker")),
                "name": names.get(v.get("line_id"), ""),
                "week_ending": str(v.get("week_ending")),
                "craft": str(v.get("craft") or ""),
                "hours": fig(v.get("hours")),
                "paid": fig(v.get("paid")),
                "required": fig(v.get("required")),
                "owed": fig(v.get("owed")),
            }
        )
    rows.sort(key=lambda r: (-dec(r["owed"]), r["contractor"], r["worker"], r["week_ending"]))
    per_worker: dict[tuple, dict] = {}
    for r in rows:
        w = per_worker.setdefault(
            (r["contractor"], r["worker"]),
            {
                "contractor": r["contractor"],
                "worker": r["worker"],
                "name": r["name"],
                "weeks": set(),
                "hours": Decimal(0),
                "owed": Decimal(0),
            },
        )
        w["weeks"].add(r["week_ending"])
        w["hours"] += dec(r["hours"])
        w["owed"] += dec(r["owed"])
    workers = sorted(
        (
            {**w, "weeks": len(w["weeks"]), "hours": fig(w["hours"]), "owed": fig(w["owed"])}
            for w in per_worker.values()
        ),
        key=lambda w: (-dec(w["owed"]), w["contractor"], w["worker"]),
    )
    per_contractor: dict[str, dict] = {}
    for w in workers:
        c = per_contractor.setdefault(
            w["contractor"],
            {
                "contractor": w["contractor"],
                "workers": 0,
                "weeks": 0,
                "hours": Decimal(0),
                "owed": Decimal(0),
            },
        )
        c["workers"] += 1
        c["weeks"] += w["weeks"]
        c["hours"] += dec(w["hours"])
        c["owed"] += dec(w["owed"])
    contractors = sorted(
        ({**c, "hours": fig(c["hours"]), "owed": fig(c["owed"])} for c in per_contractor.values()),
        key=lambda c: (-dec(c["owed"]), c["contractor"]),
    )
    listed_total = sum((dec(r["owed"]) for r in rows), Decimal(0))
    # The evaluation's shortfall is the restitution figure when the groups are the memo's
    # own; a contractor's share of a project-wide group is the sum of its own lines.
    if assignment is None or commitment_entry["narrowed_to_contractor"]:
        total = sum((dec(e.shortfall) for e in evaluations), Decimal(0))
        total_source = "evaluation"
    else:
        total = listed_total
        total_source = "lines"
    return {
        "clause": commitment_entry["clause"],
        "title": commitment_entry["title"],
        "total_owed": fig(total),
        "total_source": total_source,
        "violation_count": len(rows),
        "worker_count": len(workers),
        "week_count": len({(r["contractor"], r["worker"], r["week_ending"]) for r in rows}),
        "underpaid_hours": fig(sum((dec(r["hours"]) for r in rows), Decimal(0))),
        "contractors": contractors,
        "by_worker": workers[:WAGE_WORKER_ROWS],
        "by_worker_not_listed": {
            "count": max(0, len(workers) - WAGE_WORKER_ROWS),
            "owed": fig(sum((dec(w["owed"]) for w in workers[WAGE_WORKER_ROWS:]), Decimal(0))),
        },
        "lines": rows[:WAGE_LINE_ROWS],
        "lines_not_listed": {
            "count": max(0, len(rows) - WAGE_LINE_ROWS),
            "owed": fig(sum((dec(r["owed"]) for r in rows[WAGE_LINE_ROWS:]), Decimal(0))),
        },
    }
