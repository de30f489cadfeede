"""Raise, update and resolve flags to match an evaluation (SPEC §4).

Every evaluation turns its results into findings (a shortfall, a group at risk, underpaid
lines, a missing or late report, a data anomaly, a passed cure deadline) and reconciles them
with the project's flags:
- a finding with an unresolved flag of the same key updates that flag's figures (and
  severity) instead of raising a duplicate;
- a finding without one raises a new flag, linked to the previous flag of the same key if
  the condition had cleared before; a flag a person resolved or waived is not raised again
  while its condition persists unbroken, only once it has cleared and come back;
- an unresolved flag with no finding any more is auto-resolved.
At most one unresolved flag per key: the database's partial unique constraint enforces it.
When two evaluations race (PostgreSQL), the loser's insert fails inside a savepoint and it
updates the winner's flag instead.
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from compliance import formatting
from compliance.enqueue import enqueue
from compliance.evaluation.kinds import kind_of
from compliance.models import Flag, FlagEvent
from compliance.numbers import round2

Kind = Flag.Kind
Severity = Flag.Severity
Status = Flag.Status

ALL_KINDS = [k.value for k in Kind]
REPORT_KINDS = [Kind.MISSING_REPORT.value, Kind.LATE_REPORT.value]
ALERT_SEVERITIES = {Severity.WARNING, Severity.CRITICAL}
MISSING_CRITICAL_AFTER_DAYS = 30
PERSON_CLOSED = [Status.RESOLVED, Status.WAIVED]


@dataclass
class Finding:
    """A condition a flag stands for."""

    kind: str
    severity: str
    commitment_key: str
    group_key: str
    title: str
    figures: dict
    commitment_id: int | None = None
    assignment_id: int | None = None
    craft_id: int | None = None
    month: datetime.date | None = None
    # Tells apart findings that share kind, commitment, group and month (one per notice).
    discriminator: str = ""

    def __post_init__(self) -> None:
        self.title = self.title[: Flag._meta.get_field("title").max_length]

    @property
    def dedupe_key(self) -> str:
        parts = [self.kind, self.commitment_key, self.group_key]
        if self.month is not None:
            parts.append(f"{self.month:%Y-%m}")
        if self.discriminator:
            parts.append(self.discriminator)
        return ":".join(parts)


def _day(day: datetime.date) -> str:
    return formatting.short_date(day)


def _figure(value) -> str | None:
    return None if value is None else str(round2(value))


def _group_label(ctx, assignment_id, craft_id) -> str:
    parts = []
    if assignment_id is not None:
        parts.append(ctx.assignments[assignment_id].contractor.name)
    if craft_id is not None:
        parts.append(ctx.crafts[craft_id].name)
    return f" ({', '.join(parts)})" if parts else ""


def _evaluation_figures(evaluation) -> dict:
    figures = {
        "status": evaluation.status,
        "numerator": _figure(evaluation.numerator),
        "denominator": _figure(evaluation.denominator),
        "actual_percent": _figure(evaluation.actual_percent),
        "target_percent": _figure(evaluation.target_percent),
        "shortfall": _figure(evaluation.shortfall),
        "projected_percent": _figure(evaluation.projected_percent),
    }
    figures.update(kind_of(evaluation.kind).flag_figures(evaluation))
    return figures


def _commitment_findings(ctx, evaluation) -> list[Finding]:
    """The flags a commitment's result calls for, titled by its kind."""
    where = _group_label(ctx, evaluation.assignment_id, evaluation.craft_id)
    return [
        _finding(evaluation, kind, severity, title)
        for kind, severity, title in kind_of(evaluation.kind).findings(evaluation, where)
    ]


def _finding(evaluation, kind, severity, title) -> Finding:
    return Finding(
        kind=kind,
        severity=severity,
        commitment_key=evaluation.commitment_key,
        commitment_id=evaluation.commitment_id,
        group_key=evaluation.group_key,
        assignment_id=evaluation.assignment_id,
        craft_id=evaluation.craft_id,
        title=title,
        figures=_evaluation_figures(evaluation),
    )


def _report_findings(ctx, evaluation) -> list[Finding]:
    contractor = ctx.assignments[evaluation.assignment_id].contractor.name
    findings = []
    for month in evaluation.details["months"]:
        if month["status"] not in {"missing", "late"}:
            continue
        period = datetime.date.fromisoformat(month["month"] + "-01")
        due = datetime.date.fromisoformat(month["due_date"])
        label = f"{period:%B %Y}"
        figures = {"month": month["month"], "due_date": month["due_date"]}
        if month["status"] == "missing":
            overdue = (ctx.as_of - due).days > MISSING_CRITICAL_AFTER_DAYS
            kind = Kind.MISSING_REPORT
            severity = Severity.CRITICAL if overdue else Severity.WARNING
            title = f"{contractor}: {label} report missing, due {_day(due)}"
        else:
            kind, severity = Kind.LATE_REPORT, Severity.INFO
            submitted = datetime.datetime.fromisoformat(month["submitted_at"])
            figures.update(
                submitted_at=month["submitted_at"],
                report_id=month["report_id"],
                days_late=(timezone.localdate(submitted) - due).days,
            )
            title = f"{contractor}: {label} report filed late, due {_day(due)}"
        findings.append(
            Finding(
                kind=kind,
                severity=severity,
                commitment_key="reporting",
                group_key=evaluation.group_key,
                assignment_id=evaluation.assignment_id,
                month=period,
                title=title,
                figures=figures,
            )
        )
    return findings


def anomaly_key(assignment_id: int, month: datetime.date) -> str:
    """The key of the data-anomaly flag of one contractor's month."""
    return Finding(
        kind=Kind.DATA_ANOMALY,
        severity=Severity.WARNING,
        commitment_key="data",
        group_key=f"a{assignment_id}",
        month=month,
        title="",
        figures={},
    ).dedupe_key


def _anomaly_finding(ctx, anomaly) -> Finding:
    contractor = ctx.assignments[anomaly.assignment_id].contractor.name
    what = []
    if anomaly.two_home_zips:
        what.append(f"{formatting.plural(len(anomaly.two_home_zips), 'worker')} with two home ZIPs")
    if anomaly.over_60_hours:
        what.append(f"{formatting.plural(len(anomaly.over_60_hours), 'worker-week')} over 60 hours")
    if anomaly.shared_over_60:
        what.append(
            f"{formatting.plural(len(anomaly.shared_over_60), 'worker-week')} over 60 hours "
            "across two contractors"
        )
    if anomaly.integrity:
        what.append(
            f"{formatting.plural(len(anomaly.integrity), 'payroll figure')} that "
            f"{'does' if len(anomaly.integrity) == 1 else 'do'} not add up"
        )
    return Finding(
        kind=Kind.DATA_ANOMALY,
        severity=Severity.WARNING,
        commitment_key="data",
        group_key=f"a{anomaly.assignment_id}",
        assignment_id=anomaly.assignment_id,
        month=anomaly.month,
        title=f"{contractor}, {anomaly.month:%B %Y}: {' and '.join(what)}",
        figures=anomaly.figures(),
    )


def _cure_finding(notice) -> Finding:
    who = notice.assignment.contractor.name if notice.assignment_id else "the project"
    return Finding(
        kind=Kind.CURE_DEADLINE,
        severity=Severity.CRITICAL,
        commitment_key="enforcement",
        group_key=f"a{notice.assignment_id}" if notice.assignment_id else "project",
        assignment_id=notice.assignment_id,
        discriminator=f"notice{notice.pk}",
        title=f"Cure deadline of {_day(notice.cure_deadline)} passed unmet for {who} "
        f"(notice of {_day(notice.date)})",
        figures={
            "action_id": notice.pk,
            "notice_date": notice.date.isoformat(),
            "cure_deadline": notice.cure_deadline.isoformat(),
        },
    )


def findings_for(*, ctx, evaluations, anomalies, notices) -> list[Finding]:
    findings = []
    for evaluation in evaluations:
        if evaluation.commitment_key == "reporting":
            findings += _report_findings(ctx, evaluation)
        else:
            findings += _commitment_findings(ctx, evaluation)
    findings += [_anomaly_finding(ctx, anomaly) for anomaly in anomalies]
    findings += [_cure_finding(notice) for notice in notices]
    return findings


def _new_flag(project, finding: Finding, previous: Flag | None, now) -> Flag:
    return Flag(
        project=project,
        commitment_id=finding.commitment_id,
        commitment_key=finding.commitment_key,
        kind=finding.kind,
        severity=finding.severity,
        status=Status.OPEN,
        group_key=finding.group_key,
        assignment_id=finding.assignment_id,
        craft_id=finding.craft_id,
        month=finding.month,
        dedupe_key=finding.dedupe_key,
        title=finding.title,
        figures=finding.figures,
        previous=previous,
        raised_at=now,
        updated_at=now,
    )


def _refresh(flag: Flag, finding: Finding, now) -> FlagEvent | None:
    """Bring an unresolved flag's figures up to date; the event says what changed."""
    if (
        flag.figures == finding.figures
        and flag.severity == finding.severity
        and flag.title == finding.title
    ):
        return None
    notes = []
    if flag.severity != finding.severity:
        before, after = Flag.Severity(flag.severity).label, Flag.Severity(finding.severity).label
        notes.append(f"Severity {before} → {after}.")
    for name in ("actual_percent", "shortfall", "projected_percent"):
        before, after = flag.figures.get(name), finding.figures.get(name)
        if before != after:
            label = name.replace("_", " ").capitalize()
            notes.append(f"{label} {formatting.number(before)} → {formatting.number(after)}.")
    flag.figures = finding.figures
    flag.severity = finding.severity
    flag.title = finding.title
    flag.updated_at = now
    return FlagEvent(flag=flag, kind="updated", note=" ".join(notes) or "Figures updated.")


@dataclass
class SyncResult:
    raised: list[Flag]
    updated: list[Flag]
    resolved: list[Flag]


def sync_flags(
    *,
    project,
    findings: list[Finding],
    kinds: list[str],
    now,
    only: dict | None = None,
    kept: frozenset = frozenset(),
) -> SyncResult:
    """Reconcile the project's flags of these kinds with the findings (see module doc).

    `only` narrows a kind to some keys, and `kept` names the (commitment key, group key) of
    results the evaluation kept as stored without measuring them again: the flags with
    other keys, or about those results, were not looked at by this evaluation and stay as
    they are. Whether a result is kept depends on its group alone (`engine.inputs`), so
    every pair of a commitment key and a group key of `kept` is kept.
    """
    only = only or {}

    def in_scope(kind: str, key: str, commitment_key: str, group_key: str) -> bool:
        return (kind not in only or key in only[kind]) and (commitment_key, group_key) not in kept

    wanted = {finding.dedupe_key: finding for finding in findings}
    looked_at = Q(status__in=Flag.UNRESOLVED)
    for kind, keys in only.items():  # the unresolved flags out of scope are not read
        looked_at &= ~(Q(kind=kind) & ~Q(dedupe_key__in=keys))
    if kept:
        looked_at &= ~Q(
            commitment_key__in={key for key, _ in kept}, group_key__in={group for _, group in kept}
        )
    # One read: the unresolved flags in scope, and those a person closed whose condition
    # has not been seen gone yet (`_mark_cleared`).
    unresolved, person_closed = {}, []
    for flag in Flag.objects.filter(
        looked_at | Q(status__in=PERSON_CLOSED, cleared_at__isnull=True),
        project=project,
        kind__in=kinds,
    ):
        if flag.status in Flag.UNRESOLVED:
            unresolved[flag.dedupe_key] = flag
        else:
            person_closed.append(flag)
    latest_closed = {}
    fresh_keys = [key for key in wanted if key not in unresolved]
    if fresh_keys:
        for flag in (
            Flag.objects.filter(project=project, dedupe_key__in=fresh_keys)
            .exclude(status__in=Flag.UNRESOLVED)
            .order_by("dedupe_key", "-raised_at", "-id")
        ):
            latest_closed.setdefault(flag.dedupe_key, flag)

    to_create, updated, events = [], [], []
    for key, finding in wanted.items():
        flag = unresolved.get(key)
        if flag is not None:
            event = _refresh(flag, finding, now)
            if event is not None:
                updated.append(flag)
                events.append(event)
            continue
        previous = latest_closed.get(key)
        if previous is not None and previous.status in PERSON_CLOSED and not previous.cleared_at:
            continue
        to_create.append(_new_flag(project, finding, previous, now))

    resolved = [flag for key, flag in unresolved.items() if key not in wanted]
    for flag in resolved:
        events.append(
            FlagEvent(
                flag=flag,
                kind="transition",
                from_status=flag.status,
                to_status=Status.AUTO_RESOLVED,
                note="The condition cleared on re-evaluation.",
                created_at=now,
            )
        )
    if resolved:
        Flag.objects.filter(pk__in=[f.pk for f in resolved]).update(
            status=Status.AUTO_RESOLVED, resolved_at=now, cleared_at=now, updated_at=now
        )
    _mark_cleared(person_closed, wanted, in_scope, now)
    if updated:
        Flag.objects.bulk_update(updated, ["figures", "severity", "title", "updated_at"])

    raised, more_updated, more_events = _create(to_create, now)
    updated += more_updated
    events += more_events
    events += [
        FlagEvent(flag=flag, kind="raised", to_status=Status.OPEN, note=flag.title, created_at=now)
        for flag in raised
    ]
    for event in events:
        event.created_at = now
    FlagEvent.objects.bulk_create(events)

    to_alert = [flag.pk for flag in raised if flag.severity in ALERT_SEVERITIES]
    if to_alert:
        enqueue("compliance.tasks.alert_flags_opened", to_alert)
    return SyncResult(raised=raised, updated=updated, resolved=resolved)


def _mark_cleared(person_closed: list[Flag], wanted, in_scope, now) -> None:
    """Note that the condition of a flag a person closed is gone, so its return is news."""
    gone = [
        flag.pk
        for flag in person_closed
        if flag.dedupe_key not in wanted
        and in_scope(flag.kind, flag.dedupe_key, flag.commitment_key, flag.group_key)
    ]
    if gone:
        Flag.objects.filter(pk__in=gone).update(cleared_at=now)


def _create(flags: list[Flag], now) -> tuple[list[Flag], list[Flag], list[FlagEvent]]:
    """Insert new flags; if another evaluation raised one of them meanwhile, update its."""
    if not flags:
        return [], [], []
    try:
        with transaction.atomic():
            return Flag.objects.bulk_create(flags), [], []
    except IntegrityError:
        pass
    raised, updated, events = [], [], []
    for flag in flags:
        flag.pk = None
        try:
            with transaction.atomic():
                flag.save()
            raised.append(flag)
        except IntegrityError:
            twin = Flag.objects.get(
                project_id=flag.project_id,
                dedupe_key=flag.dedupe_key,
                status__in=Flag.UNRESOLVED,
            )
            finding = Finding(
                kind=flag.kind,
                severity=flag.severity,
                commitment_key=flag.commitment_key,
                group_key=flag.group_key,
                title=flag.title,
                figures=flag.figures,
            )
            event = _refresh(twin, finding, now)
            if event is not None:
                twin.save(update_fields=["figures", "severity", "title", "updated_at"])
                updated.append(twin)
                events.append(event)
    return raised, updated, events
