"""Reports and payroll lines for a whole project, written in bulk."""

import datetime
import hashlib
import random
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from compliance.bulk import insert_rows
from compliance.models import PayrollLine, Report, Worker
from compliance.months import add_months
from demo.generator.payroll import (
    ZERO,
    PayrollContext,
    contractor_profile,
    month_index,
    month_lines,
)
from projects.models import Assignment, Organization, Project


def _periods(project: Project, months: int | Sequence[datetime.date] | None) -> list:
    start = project.start_date.replace(day=1)
    if months is None:
        months = month_index(start, project.end_date) + 1
    if isinstance(months, int):
        return [add_months(start, k) for k in range(months)]
    return sorted({m.replace(day=1) for m in months})


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights`, largest remainders first; sums to `total`."""
    whole = sum(weights)
    if not weights or whole <= 0:
        return [0] * len(weights)
    raw = [total * w / whole for w in weights]
    counts = [int(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda k: raw[k] - counts[k], reverse=True)
    for k in by_remainder[: total - sum(counts)]:
        counts[k] += 1
    return counts


def _ramp(k: int, total: int) -> float:
    """Crews build up over the first months of a project and wind down in the last ones."""
    return min(1.0, 0.5 + 0.5 * (k + 1) / 4, 0.6 + 0.4 * (total - k) / 3)


# The PayrollLine columns the generator fills, in the order write_lines builds its rows;
# fields added to PayrollLine later get their model default from the bulk writer.
LINE_FIELDS = (
    "row_number",
    "worker_id",
    *PayrollLine.REPORTED_COLUMNS,
    "report_id",
    "project_id",
    "assignment_id",
    "is_current",
)


def _submitted_at(
    ctx: PayrollContext,
    period: datetime.date,
    late: bool,
    rng: random.Random,
    now: datetime.datetime,
) -> tuple[datetime.datetime, bool]:
    """When a report came in: by its due date, or 2-25 days after it when late; never in
    the future. Late means submitted after the agreement's due date (SPEC §3.4)."""
    due = ctx.agreement.report_due_date(period)
    if late:
        day = due + datetime.timedelta(days=rng.randint(2, 25))
    else:
        day = max(due - datetime.timedelta(days=rng.randint(0, 12)), add_months(period, 1))
    at = timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(rng.randint(7, 17), rng.randint(0, 59)))
    )
    if at > now:
        at = now - datetime.timedelta(minutes=rng.randint(5, 600))
    return at, timezone.localdate(at) > due


@transaction.atomic
def write_lines(
    *,
    project: Project,
    lines: int,
    months: int | Sequence[datetime.date] | None = None,
    seed: int = 1,
    late_share: float = 0.0,
    missing: Iterable[tuple[str, datetime.date]] = (),
    profiles: dict[str, dict] | None = None,
) -> int:
    """Write current reports with `lines` payroll lines in all, spread over the project's
    assignments and months; returns the number of lines written.

    `months`: None for every month of the project, a number for the first N months, or a
    list of months. Each assignment reports for the months inside its own dates; a month
    that gets no lines is a "no work this month" report. `late_share` of the reports come in
    after the due date; `missing` names (contractor slug, month) pairs left without a report;
    `profiles` overrides crew traits by contractor slug (see `Profile`). A month that already
    has a current report gets a new version (an amendment) that replaces it.
    """
    ctx = PayrollContext(project)
    rng = random.Random(f"write:{seed}:{project.slug}")
    periods = _periods(project, months)
    span = month_index(project.start_date, project.end_date) + 1
    skip = {(slug, period.replace(day=1)) for slug, period in missing}
    assignments = list(
        project.assignments.select_related("contractor").prefetch_related("contacts").order_by("id")
    )
    profile_of = {
        a.id: contractor_profile(
            a.contractor.slug,
            tier=a.tier,
            overrides=(profiles or {}).get(a.contractor.slug),
            seed=seed,
        )
        for a in assignments
    }
    slots = [
        (a, period)
        for a in assignments
        for period in periods
        if a.start_date.replace(day=1) <= period <= (a.end_date or project.end_date)
        and (a.contractor.slug, period) not in skip
    ]
    weights = [
        profile_of[a.id].size
        * _ramp(month_index(project.start_date, period), span)
        * rng.uniform(0.85, 1.15)
        for a, period in slots
    ]
    counts = _allocate(lines, weights)
    now = timezone.now()
    craft_ids = {name: craft.id for name, craft in ctx.crafts.items()}
    written = 0
    for a in assignments:
        months_of = [(period, n) for (b, period), n in zip(slots, counts, strict=True) if b is a]
        if not months_of:
            continue
        crew = ctx.crew(a.contractor.slug, profile_of[a.id])
        batches = [(period, month_lines(ctx, crew, period, n, seed)) for period, n in months_of]
        worker_ids = _ensure_workers(a.contractor, batches)
        report_ids = _create_reports(ctx, a, batches, late_share, seed, now)
        written += insert_rows(
            PayrollLine,
            LINE_FIELDS,
            (
                (
                    number,
                    worker_ids[line.worker.key],
                    line.week,
                    craft_ids[line.craft],
                    line.worker.home_zip,
                    line.level is not None,
                    line.level,
                    line.straight,
                    line.overtime,
                    line.doubletime,
                    line.hours,
                    line.rate,
                    line.fringe,
                    line.gross,
                    line.worker.gender,
                    line.worker.ethnicity,
                    line.worker.veteran,
                    line.worker.disadvantaged,
                    line.worker.new_hire,
                    report_ids[period],
                    project.id,
                    a.id,
                    True,
                )
                for period, batch in batches
                for number, line in enumerate(batch, start=1)
            ),
        )
    return written


def _ensure_workers(contractor: Organization, batches: list) -> dict[str, int]:
    """The contractor's worker ids by worker key, creating the missing workers in bulk."""
    known = dict(Worker.objects.filter(contractor=contractor).values_list("worker_key", "id"))
    new = {}
    for _, batch in batches:
        for line in batch:
            if line.worker.key not in known:
                new[line.worker.key] = line.worker.name
    if new:
        Worker.objects.bulk_create(
            [Worker(contractor=contractor, worker_key=k, name=n) for k, n in new.items()],
            batch_size=2000,
        )
        known = dict(Worker.objects.filter(contractor=contractor).values_list("worker_key", "id"))
    return known


def _create_reports(
    ctx: PayrollContext, assignment: Assignment, batches: list, late_share: float, seed: int, now
) -> dict[datetime.date, int]:
    """One new current report per month, replacing (as a new version) any current one."""
    periods = [period for period, _ in batches]
    earlier = Report.objects.filter(assignment=assignment, period__in=periods)
    versions = dict(
        earlier.values("period").annotate(last=Max("version")).values_list("period", "last")
    )
    if versions:
        replaced = earlier.filter(is_current=True)
        PayrollLine.objects.filter(report__in=replaced).update(is_current=False)
        replaced.update(is_current=False)
    contact = next(iter(assignment.contacts.all()), None)
    reports = []
    for period, batch in batches:
        rng = random.Random(f"report:{seed}:{assignment.contractor.slug}:{period:%Y-%m}")
        submitted_at, is_late = _submitted_at(ctx, period, rng.random() < late_share, rng, now)
        digest = hashlib.sha256()
        for line in batch:
            digest.update(
                f"{line.worker.key}|{line.week}|{line.craft}|{line.hours}|{line.rate}\n".encode()
            )
        reports.append(
            Report(
                assignment=assignment,
                period=period,
                version=versions.get(period, 0) + 1,
                is_current=True,
                source=Report.Source.API if batch else Report.Source.NO_WORK,
                no_work=not batch,
                submitted_by=contact,
                submitted_at=submitted_at,
                is_late=is_late,
                sha256=digest.hexdigest(),
                line_count=len(batch),
                total_hours=sum((line.hours for line in batch), ZERO),
                worker_count=len({line.worker.key for line in batch}),
            )
        )
    Report.objects.bulk_create(reports, batch_size=500)
    return dict(
        Report.objects.filter(
            assignment=assignment, period__in=periods, is_current=True
        ).values_list("period", "id")
    )
