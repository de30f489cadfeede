"""Gather the evidence for a memo into one JSON snapshot (SPEC §6).

Every figure comes from the engine's evaluation of the project as of the memo's `as_of` (the
end of the last complete month unless the requester chose a date; `measure_as_of`, the same
measurement the stored evaluations come from, stored nowhere), the flags, the enforcement
actions and the current report versions; nothing is recomputed in another way. Where the
memo adds evaluation figures up (the damages of several groups, the owed amounts of one
worker's weeks) it only sums what the evaluation lists.

The snapshot is deterministic: lists are sorted, decimals are strings, dates ISO, and it
carries no timestamp of its own (the memo's date is a date), so two memos built on the same
data on the same day have the same snapshot and the same SHA-256. Long lists are capped for
the PDF (the largest items first) with the count and total of what was left out, so
rendering does not grow with the number of payroll lines.

What the snapshot may carry depends on the memo's audience, decided in `projects.access`: a
`recipient` memo (addressed to a contractor and/or the owner) carries only the notes they
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

from compliance.enforcement.memos.gather_commitments import commitment_entry, wage_restitution
from compliance.enforcement.memos.gather_records import (
    enforcement_record,
    flag_record,
    report_sources,
    reporting_record,
)
from compliance.enforcement.memos.ledger_section import ledger_record
from compliance.enforcement.memos.snapshot_values import (
    dec,
    fig,
    iso,
    last_complete_month_end,
    person,
)
from compliance.evaluation import damages
from compliance.evaluation.engine.measure import (
    commitments_with_terms,
    measure_as_of,
    terms_in_force,
)
from compliance.evaluation.kinds import kind_of
from compliance.models import Evaluation
from projects import access
from projects.models import Assignment, Project, governing_agreement

SNAPSHOT_FORMAT = 1


def snapshot_sha256(snapshot: dict) -> str:
    """SHA-256 of the snapshot's canonical JSON (sorted keys, no spaces, UTF-8)."""
    return hashlib.sha256(canonical_json(snapshot)).hexdigest()


def canonical_json(snapshot: dict) -> bytes:
    return json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def clause_sort_key(clause: str) -> list:
    """ "§3.10" after "§3.9": clause numbers compare as numbers."""
    return [
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"(\d+)", clause or "")
        if part
    ]


def _evaluations_as_of(project: Project, as_of: datetime.date) -> list[Evaluation]:
    """The project's evaluations as of the memo's date: the stored ones when the engine's
    last run measured to that very date (any report filed since would have run it again),
    else the same measurement made now for that date and stored nowhere."""
    stored = list(
        Evaluation.objects.filter(project=project).select_related("assignment__contractor", "craft")
    )
    if stored and all(e.as_of == as_of for e in stored):
        return stored
    return measure_as_of(project, as_of)


def gather_snapshot(
    *,
    project: Project,
    user=None,
    assignment: Assignment | None = None,
    commitment_keys: Iterable[str] = (),
    flag_ids: Iterable[int] = (),
    memo_date: datetime.date,
    as_of: datetime.date | None = None,
    audience: str = access.RECIPIENT,
) -> dict:
    """Everything the memo says, as JSON-able data, its figures measured as of `as_of` (by
    default the end of the month before the memo's date); see the module docstring."""
    as_of = as_of or last_complete_month_end(memo_date)
    visibilities = access.note_visibilities_for_audience(audience)
    with_names = access.audience_reads_worker_names(audience)
    commitment_keys = sorted(set(commitment_keys))
    flag_ids = sorted(set(int(i) for i in flag_ids))
    agreement = governing_agreement(project)
    # The terms in force on the memo's as-of date, which the figures were measured against
    # (SPEC §3.6); the snapshot keeps them, so the memo keeps citing them.
    commitments = commitments_with_terms(project)
    terms_in_force(commitments, as_of)
    commitments = sorted(commitments, key=lambda c: (c.position, clause_sort_key(c.clause), c.key))
    if commitment_keys:
        commitments = [c for c in commitments if c.key in commitment_keys]
    measured = sorted(_evaluations_as_of(project, as_of), key=lambda e: e.group_key)
    wanted = {c.key for c in commitments}
    evaluations: dict[str, list[Evaluation]] = defaultdict(list)
    for e in measured:
        if e.commitment_key in wanted:
            evaluations[e.commitment_key].append(e)
    contractor_names = dict(
        Assignment.objects.filter(project=project).values_list("pk", "contractor__name")
    )

    entries, wages, needs_all_reports = [], [], assignment is None
    for commitment in commitments:
        entry, shown = commitment_entry(commitment, evaluations[commitment.key], assignment)
        entries.append(entry)
        # Figures measured over every contractor's lines rest on every contractor's reports;
        # a count target rests on progress entries, not on reports.
        kind = kind_of(commitment)
        if kind.reads_lines and any(not e.assignment_id for e in shown):
            needs_all_reports = True
        if kind.lists_violations and shown:
            wages.append(wage_restitution(entry, shown, assignment, contractor_names, with_names))

    reporting = reporting_record(
        [e for e in measured if e.commitment_key == "reporting"], assignment
    )
    flags = flag_record(
        project, assignment, commitment_keys, flag_ids, bool(commitment_keys), visibilities
    )
    enforcement = enforcement_record(project, assignment, memo_date, visibilities)
    sources = report_sources(project, None if needs_all_reports else [assignment.pk])
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

    def damages_sum(*, wide: bool, standing: str) -> str | None:
        """Liquidated damages of the memo's own groups (or the project-wide clauses), owed
        or only an exposure (compliance.evaluation.damages), added up."""
        amounts = [
            e["totals"]["liquidated_damages"]
            for e in entries
            if e["totals"]["liquidated_damages"] is not None
            and project_wide(e) == wide
            and e["totals"]["damages_standing"] == standing
        ]
        return fig(sum((dec(d) for d in amounts), Decimal(0))) if amounts else None

    default_as_of = as_of == last_complete_month_end(memo_date)

    return {
        "format": SNAPSHOT_FORMAT,
        "audience": audience,
        "memo_date": memo_date.isoformat(),
        "as_of": as_of.isoformat(),
        # Page one says why the figures stop there.
        "as_of_reason": "the end of the last complete month"
        if default_as_of
        else "the date chosen for this memo",
        "project": {
            "slug": project.slug,
            "name": project.name,
            "location": project.location,
            "owner": owner,
            "start_date": iso(project.start_date),
            "end_date": iso(project.end_date),
            "status": project.get_status_display(),
        },
        "agreement": None
        if agreement is None
        else {
            "title": agreement.title,
            "effective_date": iso(agreement.effective_date),
            "signatories": agreement.signatories,
            "cure_period_days": agreement.cure_period_days,
            "report_due_day": agreement.report_due_day,
        },
        "to": to,
        "from": {
            "name": person(user),
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
            "liquidated_damages": damages_sum(wide=False, standing=damages.OWED),
            "damages_exposure": damages_sum(wide=False, standing=damages.EXPOSURE),
            "project_wide_damages": damages_sum(wide=True, standing=damages.OWED),
            "project_wide_exposure": damages_sum(wide=True, standing=damages.EXPOSURE),
            "restitution": fig(sum((dec(w["total_owed"]) for w in wages), Decimal(0)))
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
        "ledger": ledger_record(project, assignment, audience),
        "sources": sources,
    }
