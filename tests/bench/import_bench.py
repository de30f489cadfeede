"""Bench `import` (SPEC §9): one contractor's month of N lines as an .xlsx workbook.

The floor is python-calamine alone reading the workbook's Payroll sheet; the operation is
the whole import (type check, read, validate, store one report version), timed in the same
run on the same file. Target: at most 3× the floor and under 400 MB at 100,000 lines.

The evaluation a stored report triggers is queued for the background workers, as in
production, not run inside the timed import (the harness runs tasks synchronously).
"""

import tempfile
from decimal import Decimal
from pathlib import Path

from django_q.conf import Conf
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from compliance.reporting.intake.fields import COLUMNS
from compliance.reporting.intake.upload import report_upload
from demo.generator import build_project, payroll_rows
from tests.bench import timed

DEFAULT_LINES = 100_000


def write_workbook(path: Path, rows) -> None:
    """The workbook a payroll clerk would upload: the template's headers and one row a line."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Payroll")
    fields = [c.field for c in COLUMNS]
    sheet.append([c.header for c in COLUMNS])
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in (row[f] for f in fields)])
    book.save(path)


def read_floor(path: Path) -> list:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Payroll").to_python()


def run(*, lines: int) -> dict:
    project = build_project(slug="bench-import", contractors=1, months=12)
    assignment = project.assignments.select_related("contractor").get()
    period = project.start_date
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "payroll.xlsx"
        write_workbook(
            path,
            payroll_rows(project=project, assignment=assignment, period=period, lines=lines),
        )
        floor, rows = timed(lambda: read_floor(path))
        del rows
        synchronous, Conf.SYNC = Conf.SYNC, False
        try:
            seconds, result = timed(
                lambda: report_upload(
                    assignment=assignment,
                    period=period,
                    content=path.read_bytes(),
                    filename="payroll.xlsx",
                )
            )
        finally:
            Conf.SYNC = synchronous
    assert result.report.line_count == lines, result.summary()
    return {"seconds": seconds, "floor_seconds": floor}
