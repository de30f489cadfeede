"""An uploaded file, whatever door it came through (web, API, command line), into a report.

The type is decided by the content: an .xlsx workbook goes through the Excel reader, an
XML file through the eCPR reader (one week, replacing that week of the month's report).
Both readers run in a child process with memory and time limits
(compliance.reporting.intake.sandbox).
"""

import datetime
import hashlib
from functools import partial

from django.conf import settings

from cba.errors import InvalidInput
from compliance.formatting import long_month
from compliance.models import Report
from compliance.reporting.intake.files import XLSX, sniff
from compliance.reporting.intake.sandbox import Limits, read_in_child
from compliance.reporting.intake.store import (
    SubmitResult,
    check_period,
    current_report,
    report_submit,
)
from compliance.reporting.intake.validate import Problem
from compliance.reporting.intake.xlsx import check_workbook_parts
from projects.models import Assignment


def report_upload(
    *,
    assignment: Assignment,
    period: datetime.date,
    content: bytes,
    filename: str = "",
    user=None,
    check_only: bool = False,
    measure: bool = False,
) -> SubmitResult:
    """Read an uploaded file and submit its lines (`report_submit`, with `check_only` and
    `measure` as it takes them)."""
    period = period.replace(day=1)
    kind = sniff(content, filename)
    check_period(assignment, period)
    current = current_report(assignment, period)
    if (
        current is not None
        and current.sha256
        and current.sha256 == hashlib.sha256(content).hexdigest()
    ):
        return SubmitResult(report=current, previous=None, unchanged=True)
    limits = Limits(
        memory_mb=settings.UPLOAD_PARSE_MEMORY_MB,
        seconds=settings.UPLOAD_PARSE_SECONDS,
        max_rows=settings.UPLOAD_MAX_ROWS,
        worker_id_key=settings.WORKER_ID_KEY if kind != XLSX else "",
    )
    precheck = None
    if kind == XLSX:
        precheck = partial(check_workbook_parts, content, max_rows=limits.max_rows)
    parsed = read_in_child(kind=kind, content=content, limits=limits, precheck=precheck)
    if kind == XLSX:
        return report_submit(
            assignment=assignment,
            period=period,
            rows=parsed.table,
            source=Report.Source.EXCEL,
            user=user,
            file=content,
            filename=filename,
            check_only=check_only,
            measure=measure,
        )
    parsed.table.rules = {"worker_id": hashed_worker_id}
    if (parsed.week_ending.year, parsed.week_ending.month) != (period.year, period.month):
        message = (
            f"This eCPR file is for the week ending {parsed.week_ending:%m/%d/%Y}, which is not "
            f"in {long_month(period)}. Upload it to the {long_month(parsed.week_ending)} report "
            "instead."
        )
        raise InvalidInput(
            message,
            errors=[
                {
                    "row": None,
                    "column": "forWeekEnding",
                    "value": parsed.week_ending.isoformat(),
                    "message": message,
                }
            ],
        )
    return report_submit(
        assignment=assignment,
        period=period,
        rows=parsed.table,
        no_work=parsed.no_work,
        source=Report.Source.ECPR,
        user=user,
        file=content,
        keep=parsed.kept,
        filename=filename,
        replace_week=parsed.week_ending,
        check_only=check_only,
        measure=measure,
    )


def hashed_worker_id(raw):
    """The eCPR worker ID rule: the reader's keyed hash of the SSN, or empty where none."""
    if not raw:
        return Problem(
            "The employee's <ssn> is missing or is not 9 digits. Correct it in your payroll "
            "program and export the file again."
        )
    return raw
