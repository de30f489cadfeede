"""An uploaded file, whatever door it came through (web, API, command line), into a report.

The type is decided by the content: an .xlsx workbook goes through the Excel reader, an
XML file through the eCPR reader (one week, replacing that week of the month's report).
"""

import datetime
import hashlib

from cba.errors import InvalidInput
from compliance.intake.ecpr import read_ecpr
from compliance.intake.files import XLSX, sniff
from compliance.intake.store import SubmitResult, check_period, current_report, report_submit
from compliance.intake.xlsx import read_workbook
from compliance.models import Report
from projects.models import Assignment


def report_upload(
    *,
    assignment: Assignment,
    period: datetime.date,
    content: bytes,
    filename: str = "",
    user=None,
) -> SubmitResult:
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
    if kind == XLSX:
        return report_submit(
            assignment=assignment,
            period=period,
            rows=read_workbook(content),
            source=Report.Source.EXCEL,
            user=user,
            file=content,
            filename=filename,
        )
    week = read_ecpr(content)
    if (week.week_ending.year, week.week_ending.month) != (period.year, period.month):
        message = (
            f"This eCPR file is for the week ending {week.week_ending:%m/%d/%Y}, which is not in "
            f"{period:%B %Y}. Upload it to the {week.week_ending:%B %Y} report instead."
        )
        raise InvalidInput(
            message,
            errors=[
                {
                    "row": None,
                    "column": "forWeekEnding",
                    "value": week.week_ending.isoformat(),
                    "message": message,
                }
            ],
        )
    return report_submit(
        assignment=assignment,
        period=period,
        rows=week.table,
        no_work=week.no_work,
        source=Report.Source.ECPR,
        user=user,
        file=content,
        keep=week.redacted,
        filename=filename,
        replace_week=week.week_ending,
    )
