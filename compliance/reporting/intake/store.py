"""Stores one report version and its lines, all or nothing (SPEC §5, §8).

A valid submission for a month becomes its next version and the current one; the previous
version and its lines stay, no longer current. A submission whose SHA-256 equals the current
version's changes nothing. Concurrent submissions for one assignment wait for each other on
a lock of the assignment's row (`compliance.locks.lock_rows`, which says in what order locks
are taken), so they become consecutive versions and none is lost; a transaction the database
gives up to break a deadlock is tried again.
"""

import dataclasses
import datetime
import hashlib
import json
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cba.errors import InvalidInput
from compliance.audit import audit_record
from compliance.bulk import collecting_later, insert_rows
from compliance.formatting import long_month
from compliance.locks import lock_rows, with_retry
from compliance.models import PayrollLine, Report, Worker
from compliance.months import month_end, month_start
from compliance.numbers import round2
from compliance.reporting import obligation
from compliance.reporting.intake.integrity import check_gross_pay
from compliance.reporting.intake.jsonlines import read_lines
from compliance.reporting.intake.outcome import Effects, ShareChange, SubmitResult
from compliance.reporting.intake.overlap import shared_worker_warnings
from compliance.reporting.intake.payments import (
    ValidatedPayment,
    copy_payments,
    insert_payments,
    retire_payments,
    validate_payments,
)
from compliance.reporting.intake.payments_sheet import read_payments_json
from compliance.reporting.intake.table import Table
from compliance.reporting.intake.validate import ValidatedLine, validate_table
from compliance.signals import report_measuring, report_stored, report_submitted
from projects.models import Assignment

NO_WORK_SHA256 = hashlib.sha256(b"no work this month").hexdigest()

# The columns of a validated line as stored: its worker's key becomes the worker's id.
STORED_COLUMNS = tuple(
    "worker_id" if name == "worker_key" else name for name in ValidatedLine._fields
)
# A copied line keeps every column but its id, its report and whether it is current.
NOT_COPIED = {"id", "report_id", "is_current"}


def check_period(assignment: Assignment, period: datetime.date) -> None:
    """A report is for a month of the assignment's obligation that has begun."""
    start = month_start(assignment.start_date)
    end = month_start(assignment.obligation_end)
    today = timezone.localdate()
    name = assignment.contractor.name
    if period < start or period > end:
        raise InvalidInput(
            _(
                "{contractor} reports on this project from {start} to {end}; {month} is outside "
                "that. Choose a month in that range."
            ).format(
                contractor=name,
                start=long_month(start),
                end=long_month(end),
                month=long_month(period),
            ),
            errors=[],
        )
    if period > month_start(today):
        raise InvalidInput(
            _("{month} has not started yet. Report a month once it has begun.").format(
                month=long_month(period)
            ),
            errors=[],
        )


def due_date(assignment: Assignment, period: datetime.date) -> datetime.date:
    """When the month's report is due under the project's agreement (or the defaults')."""
    return obligation.project_due_date(assignment.project, period)


def lines_sha256(lines: list) -> str:
    canonical = json.dumps(lines, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@collecting_later()
def report_submit(
    *,
    assignment: Assignment,
    period: datetime.date,
    rows: Table | list | None = None,
    no_work: bool = False,
    source: str,
    user=None,
    file: bytes | None = None,
    filename: str = "",
    keep: bytes | None = None,
    replace_week: datetime.date | None = None,
    check_only: bool = False,
    measure: bool = False,
    payments: list | None = None,
) -> SubmitResult:
    """Validate rows (a reader's Table, or JSON lines) and store them as the month's next version.

    `payments` (JSON) or the Table's `payments` (a workbook's Payments sheet) are the
    prime's payments to subcontractors, checked with the lines and stored with the version;
    a report may carry payments and no lines.

    `no_work` stores a "no work this month" report. `file` is the uploaded file: its SHA-256
    decides "nothing changed", and `keep` (default: the file) is the copy kept for download.
    `replace_week` (eCPR) keeps the current version's lines of every other week.
    `measure` adds what the version does to the contractor's figures (`effects`);
    `check_only` does all of that and stores nothing (`store_checked`).
    Raises InvalidInput with every error found; nothing is stored then. Python's cycle
    collector waits until it is done (`bulk.collecting_later`).
    """
    period = month_start(period)
    check_period(assignment, period)
    if file is not None:
        sha256 = hashlib.sha256(file).hexdigest()
    elif no_work:
        sha256 = NO_WORK_SHA256
    else:
        sent = rows.rows if isinstance(rows, Table) else (rows or [])
        sha256 = lines_sha256({"lines": sent, "payments": payments} if payments else sent)
    current = current_report(assignment, period)
    if current is not None and current.sha256 == sha256:
        return SubmitResult(report=current, previous=None, unchanged=True)
    lines: list[ValidatedLine] = []
    names: dict[str, str] = {}
    warnings: list[dict] = []
    paid = payments_table(rows, payments)
    errors, count = [], 0
    if rows is not None and not (no_work and replace_week) and not (paid and not _listed(rows)):
        table = rows if isinstance(rows, Table) else read_lines(rows)
        validated = validate_table(table, crafts=assignment.project.crafts.all(), period=period)
        errors, count = validated.errors, validated.error_count
        lines, names, warnings = validated.lines, validated.worker_names, validated.warnings
        if validated.ok:
            warnings += check_gross_pay(
                lines,
                column=table.headers.get("gross_pay", "Gross Pay"),
                words=_(
                    "Gross pay %(gross)s is below the hours times the rate (%(owed)s, with "
                    "overtime at 1.5× and double time at 2×). Check the hours, the rate and the "
                    "gross pay."
                ),
            )
            warnings += shared_worker_warnings(assignment=assignment, lines=lines)
            warnings.sort(key=lambda w: w["row"] or 0)
    elif rows is None and not no_work and not paid:
        raise InvalidInput(_("Send payroll lines, or report no work this month."), errors=[])
    checked_payments = []
    if paid:
        checked_payments, payment_errors = validate_payments(
            paid, assignment=assignment, period=period
        )
        errors, count = errors + payment_errors, count + len(payment_errors)
    if count:
        listed = len(errors)
        more = (
            " " + _("The first {count} are listed.").format(count=f"{listed:,}")
            if listed < count
            else ""
        )
        found = ngettext(
            "{count} problem found; nothing was stored. Fix it and submit again.",
            "{count} problems found; nothing was stored. Fix them and submit again.",
            count,
        ).format(count=f"{count:,}")
        raise InvalidInput(found + more, errors=errors)
    version = {
        "assignment": assignment,
        "period": period,
        "lines": lines,
        "worker_names": names,
        "no_work": no_work,
        "source": source,
        "user": user,
        "sha256": sha256,
        "keep": None if check_only else (keep if keep is not None else file),
        "filename": filename,
        "replace_week": replace_week,
        "warnings": warnings,
        "payments": checked_payments,
    }
    if check_only:
        return store_checked(version)
    if measure:
        return store_measured(version)
    return store_version(**version)


def _listed(rows: Table | list) -> bool:
    return bool(rows if isinstance(rows, list) else rows.rows)


def payments_table(rows, payments: list | None) -> Table | None:
    """The payments to check: the JSON list, or the workbook's Payments sheet; None without."""
    if payments is not None:
        return read_payments_json(payments) if payments else None
    return rows.payments if isinstance(rows, Table) else None


def _measured_as_of(period: datetime.date) -> datetime.date:
    """Figures are measured as of today, or the month's last day when the month is current,
    so that every week of the report counts."""
    return max(timezone.localdate(), month_end(period))


def _snapshot(assignment: Assignment, as_of: datetime.date, report: Report | None = None):
    """The contractor's figures, from the evaluation stage (compliance/signals.py)."""
    for _receiver, answer in report_measuring.send(
        sender=Report, assignment=assignment, as_of=as_of, report=report
    ):
        if answer:
            return answer
    return {"shares": {}, "underpaid": []}


def _effects(before: dict, after: dict) -> Effects:
    keys = sorted(set(before["shares"]) | set(after["shares"]))
    shares = []
    for key in keys:
        old, new = before["shares"].get(key), after["shares"].get(key)
        known = new or old
        shares.append(
            ShareChange(
                title=known["title"],
                group=known["group"],
                target=known["target"],
                before=old["percent"] if old else None,
                after=new["percent"] if new else None,
            )
        )
    return Effects(underpaid=after["underpaid"], shares=shares)


def store_measured(version: dict) -> SubmitResult:
    """Store a version (`store_version`) with what it does to the contractor's figures,
    measured before and after, outside the store's transaction so no lock waits for them."""
    assignment, as_of = version["assignment"], _measured_as_of(version["period"])
    before = _snapshot(assignment, as_of)
    result = store_version(**version)
    if result.unchanged:
        return result
    after = _snapshot(assignment, as_of, result.report)
    return dataclasses.replace(result, effects=_effects(before, after))


@with_retry
def store_checked(version: dict) -> SubmitResult:
    """Everything a submission does (store the version, measure every rule before and after)
    inside one transaction that is then rolled back: no report, no lines, no workers, no
    audit record, no file and no evaluation queued (the signal that queues it waits for a
    commit that never comes). The result says what the version would have been."""
    assignment, as_of = version["assignment"], _measured_as_of(version["period"])
    with transaction.atomic():
        before = _snapshot(assignment, as_of)
        result = store_version(**version)
        effects = None
        if not result.unchanged:
            effects = _effects(before, _snapshot(assignment, as_of, result.report))
        transaction.set_rollback(True)
    return dataclasses.replace(result, effects=effects, checked=not result.unchanged)


def current_report(assignment: Assignment, period: datetime.date) -> Report | None:
    return Report.objects.filter(assignment=assignment, period=period, is_current=True).first()


@with_retry
@transaction.atomic
def store_version(
    *,
    assignment: Assignment,
    period: datetime.date,
    lines: list[ValidatedLine],
    worker_names: dict[str, str],
    no_work: bool,
    source: str,
    user,
    sha256: str,
    keep: bytes | None,
    filename: str,
    replace_week: datetime.date | None,
    warnings: list[dict],
    payments: list[ValidatedPayment] = (),
) -> SubmitResult:
    lock_rows(assignment_id=assignment.pk)
    current = current_report(assignment, period)
    if current is not None and current.sha256 == sha256:
        return SubmitResult(report=current, previous=None, unchanged=True)
    versions = Report.objects.filter(assignment=assignment, period=period)
    last = versions.aggregate(last=Max("version"))["last"] or 0
    first = versions.filter(version=1).only("is_late").first()
    # A month is late when its first report came after the due date; amendments, which
    # correct a report already received, do not change that.
    today = timezone.localdate()
    is_late = (
        first.is_late
        if first
        else (
            obligation.month_status(
                due_date=due_date(assignment, period),
                as_of=today,
                first_submitted=today,
                from_open_data=source == Report.Source.OPEN_DATA,
            )
            == obligation.LATE
        )
    )
    if replace_week is not None and current is not None:
        # The integrity warnings of the month's other weeks stay with the month.
        week = replace_week.isoformat()
        kept = [w for w in current.warnings if w.get("week") and w["week"] != week]
    else:
        kept = []
    if current is not None:
        Report.objects.filter(pk=current.pk).update(is_current=False)
        PayrollLine.objects.filter(report=current).update(is_current=False)
        retire_payments(current)
    report = Report(
        assignment=assignment,
        period=period,
        version=last + 1,
        is_current=True,
        source=source,
        no_work=no_work and not lines,
        submitted_by=user if getattr(user, "is_authenticated", False) else None,
        submitted_at=timezone.now(),
        is_late=is_late,
        original_filename=filename[-255:],
        sha256=sha256,
        warnings=(kept + warnings)[:200],
    )
    report.save()
    # Workers are created in the order they first appear, so line inserts append to the
    # worker indexes instead of scattering across them.
    worker_ids = upsert_workers(
        assignment,
        dict.fromkeys(line.worker_key for line in lines if line.worker_key is not None),
        worker_names,
    )
    if replace_week is not None and current is not None:
        copy_lines(source=current, target=report, except_week=replace_week)
    insert_lines(report, lines, worker_ids)
    if replace_week is not None and current is not None:
        copy_payments(source=current, target=report)
    insert_payments(report, payments)
    if replace_week is not None:
        totals = PayrollLine.objects.filter(report=report).aggregate(
            count=Count("id"), hours=Sum("hours"), workers=Count("worker", distinct=True)
        )
        report.line_count = totals["count"]
        report.total_hours = round2(totals["hours"] or 0)
        report.worker_count = totals["workers"]
        report.no_work = report.line_count == 0
    else:
        report.line_count = len(lines)
        report.total_hours = sum((line.hours for line in lines), Decimal(0))
        report.worker_count = len(worker_ids)
    # The evaluation stage keeps this version's sums now, while its lines are in hand.
    report_stored.send(sender=Report, report=report)
    if keep is not None:
        # Last, so that a failure before it leaves no orphan file behind.
        suffix = {b"<": ".xml", b"P": ".xlsx"}.get(keep.lstrip()[:1], ".csv")
        name = (
            f"{assignment.project.slug}-{assignment.contractor.slug}-{period:%Y-%m}"
            f"-v{report.version}{suffix}"
        )
        report.source_file.save(name, ContentFile(keep), save=False)
    report.save(
        update_fields=["line_count", "total_hours", "worker_count", "no_work", "source_file"]
    )
    audit_record(
        verb="report.amended" if current is not None else "report.submitted",
        actor=user,
        obj=report,
        project=assignment.project,
        data={
            "contractor": assignment.contractor.slug,
            "period": f"{period:%Y-%m}",
            "version": report.version,
            "source": source,
            "lines": report.line_count,
            "hours": str(report.total_hours),
            "sha256": sha256,
            "late": report.is_late,
            "payments": len(payments),
        },
    )
    transaction.on_commit(lambda: report_submitted.send(sender=Report, report=report, user=user))
    return SubmitResult(
        report=report,
        previous=current,
        warnings=warnings,
        payment_count=len(payments),
        payments_total=sum((p.amount for p in payments), Decimal(0)),
    )


def upsert_workers(assignment: Assignment, keys: dict[str, None], names: dict[str, str]) -> dict:
    """The contractor's Worker id for each key: missing workers created, new names saved.

    A few queries whatever the number of lines: the contractor's workers are read at once,
    the missing ones inserted in one statement per batch.
    """
    if not keys:
        return {}
    contractor_id = assignment.contractor_id
    known = contractor_workers(contractor_id)
    missing = [(contractor_id, key, names.get(key, "")) for key in keys if key not in known]
    if missing:
        insert_workers(missing)
        known = contractor_workers(contractor_id)
    renamed = [
        Worker(pk=known[key][0], name=name)
        for key, name in names.items()
        if key in known and known[key][1] != name
    ]
    if renamed:
        Worker.objects.bulk_update(renamed, ["name"], batch_size=2000)
    return {key: known[key][0] for key in keys}


def insert_workers(missing: list[tuple[int, str, str]]) -> None:
    """New workers in one go; one created meanwhile by another upload is left as it is."""
    insert_rows(Worker, ("contractor_id", "worker_key", "name"), missing, ignore_conflicts=True)


def contractor_workers(contractor_id: int) -> dict[str, tuple[int, str]]:
    return {
        key: (pk, name)
        for key, pk, name in Worker.objects.filter(contractor_id=contractor_id).values_list(
            "worker_key", "pk", "name"
        )
    }


def copy_lines(*, source: Report, target: Report, except_week: datetime.date | None = None) -> None:
    """`source`'s lines copied to `target`, current, in one INSERT … SELECT: all of them (a
    restore), or all but one week's (eCPR, whose file replaces that week)."""
    quote = connection.ops.quote_name
    columns = [f.column for f in PayrollLine._meta.concrete_fields if f.attname not in NOT_COPIED]
    listed = ", ".join(quote(c) for c in columns)
    table = quote(PayrollLine._meta.db_table)
    week = f" AND {quote('week_ending')} <> %s" if except_week is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({quote('report_id')}, {quote('is_current')}, {listed}) "  # noqa: S608
            f"SELECT %s, %s, {listed} FROM {table} WHERE {quote('report_id')} = %s{week} "
            f"ORDER BY {quote('id')}",
            [target.pk, True, source.pk, *([except_week] if except_week is not None else [])],
        )


def insert_lines(report: Report, lines: list[ValidatedLine], worker_ids: dict[str, int]) -> None:
    """Write the validated lines through the bulk writer, as plain tuples. A door whose
    lines carry more columns (open data) passes its own named tuples, worker key first
    after the row; lines without a worker (no key) are stored without one."""
    columns = STORED_COLUMNS
    if lines and type(lines[0]) is not ValidatedLine:
        columns = tuple(
            "worker_id" if name == "worker_key" else name for name in type(lines[0])._fields
        )
    insert_rows(
        PayrollLine,
        columns,
        lines,
        fixed={
            "report_id": report.pk,
            "project_id": report.assignment.project_id,
            "assignment_id": report.assignment_id,
            "is_current": True,
        },
        lookups={"worker_id": worker_ids} if worker_ids else None,
    )
