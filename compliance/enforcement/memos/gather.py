"""Gather the evidence for a memo into one JSON snapshot (SPEC §6).

Every figure comes from the stored evaluations (`compliance.models.Evaluation`), their flags,
the enforcement actions and the current report versions; nothing is recomputed in another
way. Where the memo adds evaluation figures up (the damages of several groups, the owed
amounts of one worker's weeks) it only sums what the evaluation lists.

The snapshot is deterministic: lists are sorted, decimals are strings, dates ISO, and it
carries no timestamp of its own (the memo's date is a date), so two memos built on the same
data on the same day have the same snapshot and the same SHA-256. Long lists are capped for
the PDF (the largest items first) with the count and total of what was left out, so
rendering does not grow with the number of payroll lines.

What the snapshot may carry depends on the memo's audience, decided in `projects.access`:
a `recipient` memo (addressed to a contractor and/or the owner) carries only the notes they
may read (shared flag notes; no enforcement action notes) and worker IDs; a `counsel` memo
carries internal notes and worker names as well.
"""

import datetime
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from compliance.enforcement.actions import cure_deadline_for, cure_period_days, enforcement_history
from compliance.models import EnforcementAction, Evaluation, Flag, PayrollLine, Report
from compliance.numbers import round2
from compliance.status import Severity, Status
from projects import access
from projects.models import Agreement, Assignment, Commitment, Project

SNAPSHOT_FORMAT = 1

# Caps that keep the PDF readable and its rendering time flat on a large project.
# Groups per commitment shown with a monthly table and a chart: every group of a clause
# measured once; otherwise those in shortfall or at risk, furthest from the target first.
DETAIL_GROUPS = 3
DETAIL_GROUPS_CONTRACTOR = 6
GROUP_ROWS = 80  # group rows per commitment in the results table
WAGE_WORKER_ROWS = 100
WAGE_LINE_ROWS = 150
REPORTING_ROWS = 250
FLAG_ROWS = 40
EVENTS_PER_FLAG = 25

MEASURE_LABELS = {"hours": "work hours", "workers": "workers", "new_hires": "new hires"}
QUALIFIER_LABELS = {
    "area_resident": "residents of {area}",
    "disadvantaged": "disadvantaged workers",
    "apprentice": "registered apprentices",
    "woman": "women",
    "person_of_color": "people of color",
    "veteran": "veterans",
    "new_hire": "new hires",
}
POPULATION_LABELS = {
    "all": "",
    "journey": " among journeyworker hours",
    "apprentice": " among apprentice hours",
}
SCOPE_LABELS = {
    "project": "across the whole project",
    "contractor": "for each contractor",
    "craft": "in each craft",
    "contractor_craft": "for each contractor in each craft",
}
SERIES_COLUMNS = {
    ("workforce_share", "hours"): ("Hours", "Qualifying hours"),
    ("workforce_share", "workers"): ("Workers", "Qualifying workers"),
    ("workforce_share", "new_hires"): ("New hires", "Qualifying new hires"),
    ("wage_floor", None): ("Hours", "Underpaid hours"),
    ("count_target", None): ("Target", "Delivered"),
}


def snapshot_sha256(snapshot: dict) -> str:
    """SHA-256 of the snapshot's canonical JSON (sorted keys, no spaces, UTF-8)."""
    return hashlib.sha256(canonical_json(snapshot)).hexdigest()


def canonical_json(snapshot: dict) -> bytes:
    return json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def _s(value) -> str | None:
    """A decimal as the string the evaluation stored ("300.00"), None kept."""
    if value is None:
        return None
    return str(round2(Decimal(str(value))))


def _d(value) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _person(user) -> str:
    if user is None:
        return "CBA Monitor"
    return user.get_full_name() or user.username


def clause_sort_key(clause: str) -> list:
    """ "§3.10" after "§3.9": clause numbers compare as numbers."""
    return [
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"(\d+)", clause or "")
        if part
    ]


def _long_date(value) -> str:
    if not value:
        return "—"
    day = datetime.date.fromisoformat(str(value)[:10])
    return f"{day:%B} {day.day}, {day.year}"


def _quantity(value, unit: str) -> str:
    """ "$250,000.00" for dollars, "100 units" for whole counts, "2.50 slots" otherwise."""
    amount = _d(value)
    if unit == "dollars":
        return f"${amount:,.2f}"
    shown = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{shown} {unit}"


def _group_label(evaluation: Evaluation) -> str:
    parts = []
    if evaluation.assignment_id:
        parts.append(evaluation.assignment.contractor.name)
    if evaluation.craft_id:
        parts.append(evaluation.craft.name)
    return " · ".join(parts) or "Whole project"


def _status_key(entry: dict) -> tuple:
    return (Status.rank(entry["status"]), -_d(entry["shortfall"]), entry["label"])


# ---------------------------------------------------------------------------------------
# The commitments


def _target_text(commitment: Commitment) -> str:
    """The promise in words, from the commitment's parameters."""
    p = commitment.params
    if commitment.kind == Commitment.Kind.WORKFORCE_SHARE:
        area = commitment.area.name if commitment.area_id else "the area"
        qualifier = QUALIFIER_LABELS.get(p.get("qualifier"), str(p.get("qualifier")))
        text = (
            f"{_s(p.get('target_percent'))}% of {MEASURE_LABELS.get(p.get('measure'), 'hours')}"
            f" by {qualifier.format(area=area)}{POPULATION_LABELS.get(p.get('population'), '')}"
            f", {SCOPE_LABELS.get(p.get('scope'), '')}"
        )
        if p.get("excluded_crafts"):
            text += f" (not counting {', '.join(p['excluded_crafts'])})"
        if p.get("penalty_per_unit"):
            unit = "hour" if p.get("measure", "hours") == "hours" else "worker"
            text += f"; liquidated damages of ${_s(p['penalty_per_unit'])} per shortfall {unit}"
        return text + "."
    if commitment.kind == Commitment.Kind.WAGE_FLOOR:
        total = p.get("basis", "base") == "total"
        rates = "; ".join(
            f"{'any craft' if r.get('craft') == 'any' else r.get('craft')} from "
            f"{_long_date(r.get('effective_from'))}: ${_s(r.get('base'))}"
            + (f" base + ${_s(r.get('fringe'))} fringe" if total else "")
            for r in p.get("rates", [])
        )
        basis = "base plus fringe rate" if total else "base hourly rate"
        return f"Every worker paid at least the {basis} in effect for the craft ({rates})."
    if commitment.kind == Commitment.Kind.COUNT_TARGET:
        unit = p.get("unit", "")
        text = (
            f"{_quantity(p.get('target_quantity'), unit)} between "
            f"{_long_date(p.get('start_date'))} and {_long_date(p.get('due_date'))}"
        )
        if p.get("max_ami_percent"):
            ami = _s(p["max_ami_percent"])
            text += f", counting only units at or below {ami}% of area median income"
        if p.get("milestones"):
            text += "; schedule: " + "; ".join(
                f"{_quantity(m.get('quantity'), unit)} by {_long_date(m.get('date'))}"
                for m in p["milestones"]
                if isinstance(m, dict)
            )
        return text + "."
    return commitment.title


def _unit(commitment: Commitment, details: dict) -> str:
    if commitment.kind == Commitment.Kind.WAGE_FLOOR:
        return "dollars"
    if commitment.kind == Commitment.Kind.COUNT_TARGET:
        return details.get("unit") or commitment.params.get("unit") or "units"
    return details.get("unit") or (
        "hours" if commitment.params.get("measure", "hours") == "hours" else "workers"
    )


def _group_entry(commitment: Commitment, evaluation: Evaluation) -> dict:
    details = evaluation.details or {}
    entry = {
        "group_key": evaluation.group_key,
        "label": _group_label(evaluation),
        "project_wide": evaluation.assignment_id is None,
        "as_of": _iso(evaluation.as_of),
        "status": evaluation.status,
        "status_label": Status.label(evaluation.status),
        "numerator": _s(evaluation.numerator),
        "denominator": _s(evaluation.denominator),
        "actual_percent": _s(evaluation.actual_percent),
        "target_percent": _s(evaluation.target_percent),
        "projected_percent": _s(evaluation.projected_percent),
        "shortfall": _s(evaluation.shortfall),
        "unit": _unit(commitment, details),
        "penalty_per_unit": _s(details.get("penalty_per_unit")),
        "liquidated_damages": _s(details.get("liquidated_damages")),
    }
    if commitment.kind == Commitment.Kind.COUNT_TARGET:
        entry["count"] = {
            "target_quantity": _s(details.get("target_quantity")),
            "due_to_date": _s(details.get("due_to_date")),
            "due_date": details.get("due_date"),
            "next_milestone": details.get("next_milestone"),
        }
    return entry


def _series(evaluation: Evaluation) -> list[dict]:
    keep = ("month", "numerator", "denominator", "percent", "cumulative_percent")
    return [{k: row.get(k) for k in keep} for row in evaluation.series or []]


def _commitment_entry(
    commitment: Commitment, evaluations: list[Evaluation], assignment: Assignment | None
) -> tuple[dict, list[Evaluation]]:
    """One commitment's section, and the evaluations whose figures it shows."""
    own = [e for e in evaluations if assignment is not None and e.assignment_id == assignment.pk]
    # A contractor's memo on a project- or craft-wide clause shows the project-wide figures:
    # that is what the clause binds.
    shown = own if own else [e for e in evaluations if assignment is None or not e.assignment_id]
    groups = sorted((_group_entry(commitment, e) for e in shown), key=_status_key)
    by_key = {e.group_key: e for e in shown}
    p = commitment.params
    kind_key = (
        commitment.kind,
        p.get("measure", "hours") if commitment.kind == "workforce_share" else None,
    )
    numerator_label = SERIES_COLUMNS.get(kind_key, ("Total", "Counted"))
    details = []
    limit = DETAIL_GROUPS if assignment is None else DETAIL_GROUPS_CONTRACTOR
    if commitment.kind == Commitment.Kind.WAGE_FLOOR:
        # Month by month matters only where someone was underpaid.
        candidates = [g for g in groups if g["status"] == "shortfall"]
    elif len(groups) == 1:
        candidates = groups
    else:
        candidates = [g for g in groups if g["status"] in ("shortfall", "at_risk")]
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
    damages = [g["liquidated_damages"] for g in groups if g["liquidated_damages"] is not None]
    listed, rest = groups[:GROUP_ROWS], groups[GROUP_ROWS:]
    entry = {
        "key": commitment.key,
        "clause": commitment.clause,
        "title": commitment.title,
        "text": commitment.text,
        "kind": commitment.kind,
        "kind_label": commitment.get_kind_display(),
        "target_text": _target_text(commitment),
        "target_percent": _s(p.get("target_percent")),
        "penalty_per_unit": _s(p.get("penalty_per_unit")),
        "scope": p.get("scope", "project"),
        "scope_label": SCOPE_LABELS.get(p.get("scope", "project"), ""),
        "contractor_memo": assignment is not None,
        "narrowed_to_contractor": bool(own),
        "evaluated": bool(shown),
        "evaluated_for_others": bool(evaluations) and not shown,
        "as_of": max((g["as_of"] for g in groups), default=None),
        "series_columns": list(numerator_label),
        "groups": listed,
        "groups_not_listed": {
            "count": len(rest),
            "shortfall_count": sum(1 for g in rest if g["status"] == "shortfall"),
            "shortfall": _s(sum((_d(g["shortfall"]) for g in rest), Decimal(0))),
        },
        "totals": {
            "groups": len(groups),
            "by_status": {
                status: sum(1 for g in groups if g["status"] == status)
                for status in sorted({g["status"] for g in groups})
            },
            "shortfall": _s(sum((_d(g["shortfall"]) for g in groups), Decimal(0))),
            "liquidated_damages": _s(sum((_d(x) for x in damages), Decimal(0)))
            if damages
            else None,
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


def _wages(
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
                "hours": _s(v.get("hours")),
                "paid": _s(v.get("paid")),
                "required": _s(v.get("required")),
                "owed": _s(v.get("owed")),
            }
        )
    rows.sort(key=lambda r: (-_d(r["owed"]), r["contractor"], r["worker"], r["week_ending"]))
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
        w["hours"] += _d(r["hours"])
        w["owed"] += _d(r["owed"])
    workers = sorted(
        (
            {**w, "weeks": len(w["weeks"]), "hours": _s(w["hours"]), "owed": _s(w["owed"])}
            for w in per_worker.values()
        ),
        key=lambda w: (-_d(w["owed"]), w["contractor"], w["worker"]),
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
        c["hours"] += _d(w["hours"])
        c["owed"] += _d(w["owed"])
    contractors = sorted(
        ({**c, "hours": _s(c["hours"]), "owed": _s(c["owed"])} for c in per_contractor.values()),
        key=lambda c: (-_d(c["owed"]), c["contractor"]),
    )
    listed_total = sum((_d(r["owed"]) for r in rows), Decimal(0))
    # The evaluation's shortfall is the restitution figure when the groups are the memo's
    # own; a contractor's share of a project-wide group is the sum of its own lines.
    if assignment is None or commitment_entry["narrowed_to_contractor"]:
        total = sum((_d(e.shortfall) for e in evaluations), Decimal(0))
        total_source = "evaluation"
    else:
        total = listed_total
        total_source = "lines"
    return {
        "clause": commitment_entry["clause"],
        "title": commitment_entry["title"],
        "total_owed": _s(total),
        "total_source": total_source,
        "violation_count": len(rows),
        "worker_count": len(workers),
        "week_count": len({(r["contractor"], r["worker"], r["week_ending"]) for r in rows}),
        "underpaid_hours": _s(sum((_d(r["hours"]) for r in rows), Decimal(0))),
        "contractors": contractors,
        "by_worker": workers[:WAGE_WORKER_ROWS],
        "by_worker_not_listed": {
            "count": max(0, len(workers) - WAGE_WORKER_ROWS),
            "owed": _s(sum((_d(w["owed"]) for w in workers[WAGE_WORKER_ROWS:]), Decimal(0))),
        },
        "lines": rows[:WAGE_LINE_ROWS],
        "lines_not_listed": {
            "count": max(0, len(rows) - WAGE_LINE_ROWS),
            "owed": _s(sum((_d(r["owed"]) for r in rows[WAGE_LINE_ROWS:]), Decimal(0))),
        },
    }


# ---------------------------------------------------------------------------------------
# Reporting, flags, enforcement, sources


def _reporting(project: Project, assignment: Assignment | None) -> dict:
    evaluations = Evaluation.objects.filter(project=project, commitment_key="reporting")
    if assignment is not None:
        evaluations = evaluations.filter(assignment=assignment)
    contractors, months = [], []
    for e in evaluations.select_related("assignment__contractor"):
        d = e.details or {}
        name = e.assignment.contractor.name if e.assignment_id else "—"
        contractors.append(
            {
                "contractor": name,
                "due": int(d.get("due") or 0),
                "on_time": int(d.get("on_time") or 0),
                "late": int(d.get("late") or 0),
                "missing": int(d.get("missing") or 0),
                "not_yet_due": int(d.get("not_yet_due") or 0),
                "status": e.status,
            }
        )
        for m in d.get("months", []):
            if m.get("status") in ("late", "missing"):
                months.append(
                    {
                        "contractor": name,
                        "month": m.get("month"),
                        "due_date": m.get("due_date"),
                        "status": m.get("status"),
                        "submitted_at": m.get("submitted_at"),
                        "version": m.get("version"),
                    }
                )
    contractors.sort(key=lambda c: (-c["missing"], -c["late"], c["contractor"]))
    months.sort(key=lambda m: (m["status"] != "missing", m["contractor"], m["month"] or ""))
    totals = {k: sum(c[k] for c in contractors) for k in ("due", "on_time", "late", "missing")}
    return {
        "contractors": contractors,
        "totals": totals,
        "months": months[:REPORTING_ROWS],
        "months_not_listed": max(0, len(months) - REPORTING_ROWS),
    }


def _flags(
    project: Project,
    assignment: Assignment | None,
    commitment_keys: list[str],
    flag_ids: list[int],
    narrowed: bool,
    visibilities: frozenset[str],
) -> dict:
    """The flags on the matters in question with their events, each note only if a reader
    with these visibilities may read it (`access.visible_events`)."""
    flags = Flag.objects.filter(project=project)
    if flag_ids:
        flags = flags.filter(pk__in=flag_ids)
    else:
        if assignment is not None:
            flags = flags.filter(Q(assignment=assignment) | Q(assignment__isnull=True))
        if narrowed:
            flags = flags.filter(
                Q(commitment_key__in=[*commitment_keys, "reporting"])
                | Q(kind=Flag.Kind.CURE_DEADLINE)
            )
    ids = list(flags.values_list("pk", "status", "severity", "raised_at"))
    ids.sort(
        key=lambda f: (
            f[1] not in Flag.UNRESOLVED,
            Severity.RANK.get(f[2], len(Severity.WORST_FIRST)),
            -f[3].timestamp(),
            -f[0],
        )
    )
    keep = [f[0] for f in ids[:FLAG_ROWS]]
    loaded = {
        f.pk: f
        for f in Flag.objects.filter(pk__in=keep)
        .select_related("assignment__contractor", "craft")
        .prefetch_related("events__actor")
    }
    listed = []
    for pk in keep:
        flag = loaded[pk]
        events = access.visible_events(flag.events.all(), visibilities)
        shown = events[-EVENTS_PER_FLAG:]
        group = [flag.assignment.contractor.name] if flag.assignment_id else []
        if flag.craft_id:
            group.append(flag.craft.name)
        listed.append(
            {
                "id": flag.pk,
                "kind": flag.kind,
                "kind_label": flag.get_kind_display(),
                "severity": flag.severity,
                "status": flag.status,
                "status_label": flag.get_status_display(),
                "title": flag.title,
                "commitment_key": flag.commitment_key,
                "group": " · ".join(group) or "Whole project",
                "month": flag.month.strftime("%Y-%m") if flag.month else None,
                "raised_at": _iso(flag.raised_at),
                "resolved_at": _iso(flag.resolved_at),
                "events": [
                    {
                        "at": _iso(e.created_at),
                        "actor": _person(e.actor) if e.actor_id else "CBA Monitor",
                        "kind": e.kind,
                        "from_status": e.from_status,
                        "to_status": e.to_status,
                        "note": e.note,
                        # Marked only where the memo carries the internal note itself.
                        "internal": e.visibility == access.INTERNAL and bool(e.note),
                    }
                    for e in shown
                ],
                "events_not_listed": len(events) - len(shown),
            }
        )
    return {
        "selected": bool(flag_ids),
        "total": len(ids),
        "unresolved": sum(1 for f in ids if f[1] in Flag.UNRESOLVED),
        "listed": listed,
        "not_listed": max(0, len(ids) - FLAG_ROWS),
    }


def _enforcement(
    project: Project, assignment: Assignment | None, memo_date, visibilities: frozenset[str]
) -> dict:
    """The enforcement history. An action's note is the law center's own record, read by
    the coalition and the law center only: it is carried where internal notes are."""
    actions = enforcement_history(
        actions=EnforcementAction.objects.all(), project=project, assignment=assignment
    )
    return {
        "actions": [
            {
                "id": a.pk,
                "kind": a.kind,
                "kind_label": a.get_kind_display(),
                "date": _iso(a.date),
                "contractor": a.assignment.contractor.name if a.assignment_id else None,
                "amount": _s(a.amount),
                "note": a.note if access.INTERNAL in visibilities else "",
                "cure_deadline": _iso(a.cure_deadline),
                "cured_at": _iso(a.cured_at),
                "flags": sorted(f.pk for f in a.flags.all()),
                "memo": a.memo_id,
                "by": _person(a.created_by) if a.created_by_id else None,
            }
            for a in actions
        ],
        "cure_period_days": cure_period_days(project),
        "cure_deadline_if_sent_today": _iso(
            cure_deadline_for(project=project, notice_date=memo_date)
        ),
    }


def _sources(project: Project, assignments: list[int] | None) -> dict:
    reports = Report.objects.filter(assignment__project=project, is_current=True)
    if assignments is not None:
        reports = reports.filter(assignment_id__in=assignments)
    rows = [
        {
            "contractor": r["assignment__contractor__name"],
            "month": r["period"].strftime("%Y-%m"),
            "version": r["version"],
            "source": r["source"],
            "submitted_at": _iso(r["submitted_at"]),
            "sha256": r["sha256"],
            "lines": r["line_count"],
            "late": r["is_late"],
        }
        for r in reports.values(
            "assignment__contractor__name",
            "period",
            "version",
            "source",
            "submitted_at",
            "sha256",
            "line_count",
            "is_late",
        )
    ]
    rows.sort(key=lambda r: (r["contractor"], r["month"], r["version"]))
    return {"reports": rows, "lines": sum(r["lines"] for r in rows)}


# ---------------------------------------------------------------------------------------


def gather_snapshot(
    *,
    project: Project,
    user=None,
    assignment: Assignment | None = None,
    commitment_keys: Iterable[str] = (),
    flag_ids: Iterable[int] = (),
    memo_date: datetime.date,
    audience: str = access.RECIPIENT,
) -> dict:
    """Everything the memo says, as JSON-able data; see the module docstring."""
    visibilities = access.note_visibilities_for_audience(audience)
    with_names = access.audience_reads_worker_names(audience)
    commitment_keys = sorted(set(commitment_keys))
    flag_ids = sorted(set(int(i) for i in flag_ids))
    agreement = Agreement.objects.filter(project=project).first()
    commitments = sorted(
        project.commitments.select_related("area"),
        key=lambda c: (c.position, clause_sort_key(c.clause), c.key),
    )
    if commitment_keys:
        commitments = [c for c in commitments if c.key in commitment_keys]
    evaluations: dict[str, list[Evaluation]] = defaultdict(list)
    for e in (
        Evaluation.objects.filter(project=project, commitment__in=commitments)
        .select_related("assignment__contractor", "craft")
        .order_by("group_key")
    ):
        evaluations[e.commitment_key].append(e)
    contractor_names = dict(
        Assignment.objects.filter(project=project).values_list("pk", "contractor__name")
    )

    entries, wages, needs_all_reports = [], [], assignment is None
    for commitment in commitments:
        entry, shown = _commitment_entry(commitment, evaluations[commitment.key], assignment)
        entries.append(entry)
        # Figures measured over every contractor's lines rest on every contractor's reports;
        # a count target rests on progress entries, not on reports.
        if commitment.kind != Commitment.Kind.COUNT_TARGET and any(
            not e.assignment_id for e in shown
        ):
            needs_all_reports = True
        if commitment.kind == Commitment.Kind.WAGE_FLOOR and shown:
            wages.append(_wages(entry, shown, assignment, contractor_names, with_names))

    reporting = _reporting(project, assignment)
    flags = _flags(
        project, assignment, commitment_keys, flag_ids, bool(commitment_keys), visibilities
    )
    enforcement = _enforcement(project, assignment, memo_date, visibilities)
    sources = _sources(project, None if needs_all_reports else [assignment.pk])
    membership = getattr(user, "membership", None) if user is not None else None

    owner = project.owner.name if project.owner_id else None
    if assignment is not None:
        to = {
            "name": assignment.contractor.name,
            "detail": f"{assignment.get_tier_display()} on {project.name}",
            "cc": owner,
        }
    else:
        to = {"name": owner or f"Owner of {project.name}", "detail": project.name, "cc": None}
    if audience == access.COUNSEL:
        to = {
            "name": "Counsel's case file",
            "detail": "Not to be sent to the contractor or the owner",
            "cc": None,
        }

    def project_wide(entry: dict) -> bool:
        """In a contractor's memo, a clause measured only across the whole project."""
        return entry["contractor_memo"] and not entry["narrowed_to_contractor"]

    def named(entry: dict) -> str:
        name = f"{entry['clause']} {entry['title']}".strip()
        return f"{name}, project-wide" if project_wide(entry) else name

    shortfall_clauses = [named(e) for e in entries if e["totals"]["by_status"].get("shortfall")]
    at_risk_clauses = [
        named(e)
        for e in entries
        if not e["totals"]["by_status"].get("shortfall") and e["totals"]["by_status"].get("at_risk")
    ]
    damages = [
        e["totals"]["liquidated_damages"]
        for e in entries
        if e["totals"]["liquidated_damages"] is not None and not project_wide(e)
    ]
    wide_damages = [
        e["totals"]["liquidated_damages"]
        for e in entries
        if e["totals"]["liquidated_damages"] is not None and project_wide(e)
    ]
    as_of = max((e["as_of"] for e in entries if e["as_of"]), default=None)

    return {
        "format": SNAPSHOT_FORMAT,
        "audience": audience,
        "memo_date": memo_date.isoformat(),
        "as_of": as_of,
        "project": {
            "slug": project.slug,
            "name": project.name,
            "location": project.location,
            "owner": owner,
            "start_date": _iso(project.start_date),
            "end_date": _iso(project.end_date),
            "status": project.get_status_display(),
        },
        "agreement": None
        if agreement is None
        else {
            "title": agreement.title,
            "effective_date": _iso(agreement.effective_date),
            "signatories": agreement.signatories,
            "cure_period_days": agreement.cure_period_days,
            "report_due_day": agreement.report_due_day,
        },
        "to": to,
        "from": {
            "name": _person(user),
            "title": membership.title if membership else "",
            "organization": membership.organization.name
            if membership
            else ("Program administrator" if user is not None else ""),
        },
        "scope": {
            "contractor": assignment.contractor.name if assignment else None,
            "contractor_slug": assignment.contractor.slug if assignment else None,
            "commitment_keys": commitment_keys,
            "flag_ids": flag_ids,
        },
        "summary": {
            "commitments": len(entries),
            "evaluated": sum(1 for e in entries if e["evaluated"]),
            "shortfall": shortfall_clauses,
            "at_risk": at_risk_clauses,
            "liquidated_damages": _s(sum((_d(d) for d in damages), Decimal(0)))
            if damages
            else None,
            "project_wide_damages": _s(sum((_d(d) for d in wide_damages), Decimal(0)))
            if wide_damages
            else None,
            "restitution": _s(sum((_d(w["total_owed"]) for w in wages), Decimal(0)))
            if wages
            else None,
            "workers_owed": sum(w["worker_count"] for w in wages),
            "missing_reports": reporting["totals"]["missing"],
            "late_reports": reporting["totals"]["late"],
            "unresolved_flags": flags["unresolved"],
        },
        "commitments": entries,
        "wages": wages,
        "reporting": reporting,
        "flags": flags,
        "enforcement": enforcement,
        "sources": sources,
    }
