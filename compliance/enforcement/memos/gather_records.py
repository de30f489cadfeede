"""A memo's records beside the commitments: the reporting record, the flags, the
enforcement history and the reports its figures rest on (SPEC §6)."""

from django.db.models import Q

from compliance.enforcement.actions import cure_deadline_for, cure_period_days, enforcement_history
from compliance.enforcement.memos.snapshot_values import fig, iso, person
from compliance.models import EnforcementAction, Evaluation, Flag, Report
from compliance.status import Severity
from projects import access
from projects.models import Assignment, Project

REPORTING_ROWS = 250
FLAG_ROWS = 40
EVENTS_PER_FLAG = 25


def reporting_record(evaluations: list[Evaluation], assignment: Assignment | None) -> dict:
    """Reports due, on time, late and missing, from the reporting obligation's evaluations
    as of the memo's date (each carrying its assignment and contractor)."""
    if assignment is not None:
        evaluations = [e for e in evaluations if e.assignment_id == assignment.pk]
    contractors, months = [], []
    for e in sorted(evaluations, key=lambda e: e.group_key):
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


def flag_record(
    project: Project,
    assignment: Assignment | None,
    commitment_keys: list[str],
    flag_ids: list[int],
    narrowed: bool,
    visibilities: frozenset[str],
) -> dict:
    """The flags on the matters in question with their events, each note (and the file
    attached to it) only if a reader with these visibilities may read it
    (`access.visible_events`)."""
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
                "kind_label": str(flag.get_kind_display()),
                "severity": flag.severity,
                "status": flag.status,
                "status_label": str(flag.get_status_display()),
                "title": flag.title,
                "commitment_key": flag.commitment_key,
                "group": " · ".join(group) or "Whole project",
                "month": flag.month.strftime("%Y-%m") if flag.month else None,
                "raised_at": iso(flag.raised_at),
                "resolved_at": iso(flag.resolved_at),
                "events": [
                    {
                        "at": iso(e.created_at),
                        "actor": person(e.actor) if e.actor_id else "CBA Monitor",
                        "kind": e.kind,
                        "from_status": e.from_status,
                        "to_status": e.to_status,
                        "note": e.note,
                        # Marked only where the memo carries the internal note itself.
                        "internal": e.visibility == access.INTERNAL and bool(e.note),
                        "attachment": e.attachment_name if e.attachment else "",
                    }
                    for e in shown
                ],
                "events_not_listed": len(events) - len(shown),
                # Every file on a note this audience reads, even on an event not listed.
                "attachments": [
                    {
                        "name": e.attachment_name,
                        "size": e.attachment_size,
                        "sha256": e.attachment_sha256,
                        "actor": person(e.actor) if e.actor_id else "CBA Monitor",
                        "at": iso(e.created_at),
                        "internal": e.visibility == access.INTERNAL,
                    }
                    for e in events
                    if e.attachment
                ],
            }
        )
    return {
        "selected": bool(flag_ids),
        "total": len(ids),
        "unresolved": sum(1 for f in ids if f[1] in Flag.UNRESOLVED),
        "listed": listed,
        "not_listed": max(0, len(ids) - FLAG_ROWS),
    }


def enforcement_record(
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
                "date": iso(a.date),
                "contractor": a.assignment.contractor.name if a.assignment_id else None,
                "amount": fig(a.amount),
                "note": a.note if access.INTERNAL in visibilities else "",
                "cure_deadline": iso(a.cure_deadline),
                "cured_at": iso(a.cured_at),
                "flags": sorted(f.pk for f in a.flags.all()),
                "memo": a.memo_id,
                "by": person(a.created_by) if a.created_by_id else None,
            }
            for a in actions
        ],
        "cure_period_days": cure_period_days(project),
        "cure_deadline_if_sent_today": iso(
            cure_deadline_for(project=project, notice_date=memo_date)
        ),
    }


def report_sources(project: Project, assignments: list[int] | None) -> dict:
    reports = Report.objects.filter(assignment__project=project, is_current=True)
    if assignments is not None:
        reports = reports.filter(assignment_id__in=assignments)
    rows = [
        {
            "contractor": r["assignment__contractor__name"],
            "month": r["period"].strftime("%Y-%m"),
            "version": r["version"],
            "source": r["source"],
            "submitted_at": iso(r["submitted_at"]),
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
