"""An uploaded file, whatever door it came through (web, API, command line), into a report.

The type is decided by the content: an .xlsx workbook goes through the Excel reader, an
XML file through the eCPR or the New York reader (told apart by the root element; one
week, replacing that week of the month's report). A workbook that is not the template, or a
CSV file, is a contractor's own export: it is read as a grid and turned into rows by the
contractor's mapping (named, or the saved one its header row fits), or refused with
`MappingNeeded` so that the contractor maps it once. Every reader runs in a child process
with memory and time limits (compliance.reporting.intake.sandbox).
"""

import datetime
import hashlib
from functools import partial

from django.conf import settings

from cba.errors import InvalidInput
from compliance.bulk import collecting_later
from compliance.formatting import long_month
from compliance.models import ExportMapping, Report
from compliance.reporting.intake.files import CSV, XLSX, sniff
from compliance.reporting.intake.mapping import (
    MappingNeeded,
    apply_mapping,
    field_for_header,
    fits,
    grid_headers,
    template_columns,
)
from compliance.reporting.intake.outcome import SubmitResult
from compliance.reporting.intake.sandbox import NY_XML, ChildResult, Limits, read_in_child
from compliance.reporting.intake.store import (
    check_period,
    current_report,
    report_submit,
)
from compliance.reporting.intake.table import Table
from compliance.reporting.intake.validate import Problem
from compliance.reporting.intake.xlsx import HEADER_PROBLEM, check_workbook_parts
from projects.models import Assignment

XML_DOORS = {
    NY_XML: (Report.Source.NY_XML, "New York payroll XML file", "weekEndingDate"),
}
ECPR_DOOR = (Report.Source.ECPR, "eCPR file", "forWeekEnding")


def parse_limits(*, hashes_workers: bool = False) -> Limits:
    """The child's limits; the worker ID key only goes to the XML readers, which hash."""
    return Limits(
        memory_mb=settings.UPLOAD_PARSE_MEMORY_MB,
        seconds=settings.UPLOAD_PARSE_SECONDS,
        max_rows=settings.UPLOAD_MAX_ROWS,
        worker_id_key=settings.WORKER_ID_KEY if hashes_workers else "",
    )


@collecting_later()
def report_upload(
    *,
    assignment: Assignment,
    period: datetime.date,
    content: bytes,
    filename: str = "",
    user=None,
    check_only: bool = False,
    measure: bool = False,
    mapping: str = "",
) -> SubmitResult:
    """Read an uploaded file and submit its lines (`report_submit`, with `check_only` and
    `measure` as it takes them). `mapping` names the contractor's saved mapping to read an
    export with; without it, a saved mapping whose headers the file has is used. Python's
    cycle collector waits until it is done (`bulk.collecting_later`)."""
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
    limits = parse_limits(hashes_workers=kind not in (XLSX, CSV))
    if kind in (XLSX, CSV):
        table, source = read_spreadsheet(
            kind=kind, content=content, limits=limits, assignment=assignment, mapping=mapping
        )
        return report_submit(
            assignment=assignment,
            period=period,
            rows=table,
            source=source,
            user=user,
            file=content,
            filename=filename,
            check_only=check_only,
            measure=measure,
        )
    parsed = read_in_child(kind=kind, content=content, limits=limits)
    source, what, week_column = XML_DOORS.get(parsed.source, ECPR_DOOR)
    parsed.table.rules = {"worker_id": partial(hashed_worker_id, source=source)}
    if (parsed.week_ending.year, parsed.week_ending.month) != (period.year, period.month):
        message = (
            f"This {what} is for the week ending {parsed.week_ending:%m/%d/%Y}, which is not "
            f"in {long_month(period)}. Upload it to the {long_month(parsed.week_ending)} report "
            "instead."
        )
        raise InvalidInput(
            message,
            errors=[
                {
                    "row": None,
                    "column": week_column,
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
        source=source,
        user=user,
        file=content,
        keep=parsed.kept,
        filename=filename,
        replace_week=parsed.week_ending,
        check_only=check_only,
        measure=measure,
    )


def read_spreadsheet(
    *, kind: str, content: bytes, limits: Limits, assignment: Assignment, mapping: str
) -> tuple[Table, str]:
    """The rows of a workbook or CSV file, and the door they came through: the template
    read as it is, or an export through the contractor's mapping."""
    if mapping:
        saved = named_mapping(assignment, mapping)
        grid = read_grid_in_child(kind, content, limits)
        return apply_mapping(grid, columns=saved.columns, codes=saved.codes), Report.Source.EXPORT
    header_problem = None
    if kind == XLSX:
        precheck = partial(check_workbook_parts, content, max_rows=limits.max_rows)
        try:
            parsed = read_in_child(kind=kind, content=content, limits=limits, precheck=precheck)
        except InvalidInput as refusal:
            if refusal.message != HEADER_PROBLEM:
                raise
            header_problem = refusal
        else:
            return parsed.table, Report.Source.EXCEL
    grid = read_grid_in_child(kind, content, limits)
    saved = fitting_mapping(assignment, grid)
    if saved is None and header_problem is not None and looks_like_template(grid):
        raise header_problem
    own = template_columns(grid) if kind == CSV else None
    if saved is None and own is not None:
        return apply_mapping(grid, columns=own, codes={}), Report.Source.EXPORT
    if saved is None:
        raise mapping_needed(grid, kind)
    return apply_mapping(grid, columns=saved.columns, codes=saved.codes), Report.Source.EXPORT


def read_grid_in_child(kind: str, content: bytes, limits: Limits) -> Table:
    precheck = (
        partial(check_workbook_parts, content, max_rows=limits.max_rows) if kind == XLSX else None
    )
    parsed: ChildResult = read_in_child(
        kind=kind, content=content, limits=limits, precheck=precheck, grid=True
    )
    return parsed.table


def named_mapping(assignment: Assignment, name: str) -> ExportMapping:
    saved = ExportMapping.objects.filter(contractor_id=assignment.contractor_id, name=name).first()
    if saved is None:
        names = list(
            ExportMapping.objects.filter(contractor_id=assignment.contractor_id).values_list(
                "name", flat=True
            )
        )
        known = ", ".join(f"“{n}”" for n in names) if names else "none yet"
        message = (
            f"{assignment.contractor.name} has no mapping named “{name}” (saved mappings: "
            f"{known}). Map the file once on the upload page, or use a saved mapping's name."
        )
        raise InvalidInput(
            message, errors=[{"row": None, "column": "mapping", "value": name, "message": message}]
        )
    return saved


def fitting_mapping(assignment: Assignment, grid: Table) -> ExportMapping | None:
    """The contractor's most recently updated mapping whose headers the file has."""
    for saved in ExportMapping.objects.filter(contractor_id=assignment.contractor_id).order_by(
        "-updated_at", "-pk"
    ):
        if fits(saved.columns, grid):
            return saved
    return None


def looks_like_template(grid: Table) -> bool:
    """Most of the file's columns are the template's: a template with a column missing or
    doubled, whose errors say what to fix, rather than an export to map."""
    headers = [h for h in grid_headers(grid) if not h.startswith("Column ")]
    known = sum(1 for h in headers if field_for_header(h) is not None)
    return known * 2 > len(headers)


def mapping_needed(grid: Table, kind: str) -> MappingNeeded:
    headers = grid_headers(grid)
    shown = ", ".join(f"“{h}”" for h in headers[:8]) + (", …" if len(headers) > 8 else "")
    what = "CSV file" if kind == CSV else "workbook"
    message = (
        f"This {what} has its own columns ({shown}), not the project's template's. Map its "
        "columns to ours once on the upload page (saved for later uploads), send the name of "
        "a saved mapping, or copy the rows into the project's template."
    )
    needed = MappingNeeded(
        message, errors=[{"row": 1, "column": "", "value": "", "message": message}]
    )
    needed.grid = grid
    return needed


def hashed_worker_id(raw, *, source: str = Report.Source.ECPR):
    """The XML doors' worker ID rule: the reader's keyed hash, or empty where the file lacks
    what it is made of (eCPR: the SSN; New York: the name and the last four SSN digits)."""
    if not raw:
        if source == Report.Source.NY_XML:
            return Problem(
                "The employee's name or <lastFourSSN> (4 digits) is missing. Correct it in "
                "your payroll program and export the file again."
            )
        return Problem(
            "The employee's <ssn> is missing or is not 9 digits. Correct it in your payroll "
            "program and export the file again."
        )
    return raw
