"""Making a month's version current on purpose: restore an earlier one, or report no work.

No version ever vanishes (SPEC §5). Restoring version N stores a new version with N's lines,
source and file, so the history still reads in order and the restore itself is on record.
Reporting no work over a current version that has lines would stop those lines counting, so
it asks for confirmation first, naming the lines and hours (SPEC §5.3).
"""

import datetime

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cba.errors import Conflict, DomainError, InvalidInput
from compliance.audit import audit_record
from compliance.formatting import long_month
from compliance.locks import lock_rows, with_retry
from compliance.models import PayrollLine, Report
from compliance.months import month_start
from compliance.reporting.intake.outcome import SubmitResult, lines_text, possessive
from compliance.reporting.intake.payments import copy_payments, retire_payments
from compliance.reporting.intake.store import (
    check_period,
    copy_lines,
    current_report,
    report_submit,
)
from compliance.signals import report_stored, report_submitted
from projects.models import Assignment

MAX_VERSION = 2**31 - 1


def lines_that_stop_counting(report: Report) -> str:
    """ "64 lines, 2,560.00 hours" """
    return _("{lines}, {hours} hours").format(
        lines=lines_text(report.line_count), hours=f"{report.total_hours:,}"
    )


def report_no_work(
    *,
    assignment: Assignment,
    period: datetime.date,
    user,
    confirm_replace: bool = False,
) -> SubmitResult:
    """Report that nobody worked on the project in a month.

    When the month's current version has lines, they would stop counting: unless
    `confirm_replace`, raises Conflict naming the lines and hours, and stores nothing.
    """
    period = month_start(period)
    current = current_report(assignment, period)
    if current is not None and current.line_count and not confirm_replace:
        figures = lines_that_stop_counting(current)
        raise Conflict(
            _(
                "Version {version} of {month} has {figures}. Reporting no work would replace "
                "it: those lines would stop counting (the version stays in the history and can "
                "be restored). Confirm to replace it."
            ).format(version=current.version, month=long_month(period), figures=figures),
            errors=[
                {
                    "row": None,
                    "column": "lines",
                    "value": str(current.line_count),
                    "message": _("{lines} would stop counting.").format(
                        lines=lines_text(current.line_count)
                    ),
                },
                {
                    "row": None,
                    "column": "hours",
                    "value": str(current.total_hours),
                    "message": f"{current.total_hours:,} hours would stop counting.",
                },
                {
                    "row": None,
                    "column": "confirm_replace",
                    "value": "",
                    "message": 'Send "confirm_replace": true to replace the version.',
                },
            ],
        )
    return report_submit(
        assignment=assignment,
        period=period,
        no_work=True,
        source=Report.Source.NO_WORK,
        user=user,
    )


class VersionNotFound(DomainError, Http404):
    """A version the month does not have: a 404 that says which versions it has (the API
    answers it with the error body; a page, with its not-found page)."""

    status_code = 404


def month_version(*, assignment: Assignment, period: datetime.date, version: int) -> Report:
    """One version of a month, or 404 (also for numbers no version could have)."""
    report = None
    if 1 <= version <= MAX_VERSION:
        report = Report.objects.filter(
            assignment=assignment, period=month_start(period), version=version
        ).first()
    if report is None:
        versions = Report.objects.filter(assignment=assignment, period=month_start(period))
        last = versions.order_by("-version").values_list("version", flat=True).first()
        has = f"its versions are 1 to {last}" if last else "nothing has been filed for it"
        raise VersionNotFound(f"{long_month(period)} has no version {version}: {has}.")
    return report


@with_retry
@transaction.atomic
def report_restore(
    *, assignment: Assignment, period: datetime.date, version: int, user
) -> SubmitResult:
    """Make an earlier version of a month current again, as a new version.

    The new version has the earlier one's lines (copied in the database, in one statement),
    source, file and totals; it is audited as `report.restored` and evaluated like an
    upload. Raises Http404 for a version that does not exist, InvalidInput when it is
    already current or has the current version's very content.
    """
    period = month_start(period)
    check_period(assignment, period)
    lock_rows(assignment_id=assignment.pk)
    restored = month_version(assignment=assignment, period=period, version=version)
    current = current_report(assignment, period)
    if restored.is_current:
        raise InvalidInput(
            _("Version {version} is already the current version of {month}.").format(
                version=version, month=long_month(period)
            ),
            errors=[],
        )
    if current is not None and current.sha256 and current.sha256 == restored.sha256:
        raise InvalidInput(
            _(
                "Version {version} has the same content as the current version {current}: "
                "nothing to restore."
            ).format(version=version, current=current.version),
            errors=[],
        )
    versions = Report.objects.filter(assignment=assignment, period=period)
    last = versions.order_by("-version").values_list("version", flat=True).first() or 0
    first_is_late = versions.filter(version=1).values_list("is_late", flat=True).first()
    if current is not None:
        Report.objects.filter(pk=current.pk).update(is_current=False)
        PayrollLine.objects.filter(report=current).update(is_current=False)
        retire_payments(current)
    report = Report.objects.create(
        assignment=assignment,
        period=period,
        version=last + 1,
        is_current=True,
        source=restored.source,
        no_work=restored.no_work,
        submitted_by=user if getattr(user, "is_authenticated", False) else None,
        submitted_at=timezone.now(),
        is_late=bool(first_is_late),
        source_file=restored.source_file.name,
        original_filename=restored.original_filename,
        sha256=restored.sha256,
        line_count=restored.line_count,
        total_hours=restored.total_hours,
        worker_count=restored.worker_count,
        warnings=restored.warnings,
        note=f"Restored from version {restored.version}.",
    )
    copy_lines(source=restored, target=report)
    report_stored.send(sender=Report, report=report)
    copy_payments(source=restored, target=report)
    audit_record(
        verb="report.restored",
        actor=user,
        obj=report,
        project=assignment.project,
        data={
            "contractor": assignment.contractor.slug,
            "period": f"{period:%Y-%m}",
            "version": report.version,
            "restored_version": restored.version,
            "replaced_version": current.version if current else None,
            "lines": report.line_count,
            "hours": str(report.total_hours),
        },
    )
    transaction.on_commit(lambda: report_submitted.send(sender=Report, report=report, user=user))
    return SubmitResult(report=report, previous=current)


def restore_summary(result: SubmitResult, restored_version: int) -> str:
    report = result.report
    what = (
        _("no work this month")
        if report.no_work and not report.line_count
        else lines_that_stop_counting(report)
    )
    text = _(
        "Restored version {restored} of {owner} {month} report as version {version}, now "
        "current: {what}."
    ).format(
        restored=restored_version,
        owner=possessive(report.assignment.contractor.name),
        month=long_month(report.period),
        version=report.version,
        what=what,
    )
    if result.previous is not None:
        text += " " + _("Version {version} stays in the history.").format(
            version=result.previous.version
        )
    return text
