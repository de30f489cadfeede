"""Reads an .xlsx payroll workbook with python-calamine into a Table (SPEC §5.1).

The sheet named "Payroll" is read (the first sheet when there is none). The header row is
the first of the top rows that names known columns, so a title line above it is fine. Row
numbers are Excel's own, so an error points at the row the user sees.
"""

import io

from django.conf import settings
from python_calamine import CalamineError, CalamineWorkbook

from cba.errors import InvalidInput
from compliance.intake.fields import COLUMN_BY_FIELD, REQUIRED_FIELDS, field_for_header
from compliance.intake.files import refuse
from compliance.intake.table import Table, problem

HEADER_SEARCH_ROWS = 20


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def open_payroll_sheet(content: bytes):
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        names = workbook.sheet_names
        payroll = next((n for n in names if n.strip().casefold() == "payroll"), None)
        if payroll is not None:
            return workbook.get_sheet_by_name(payroll)
        if not names:
            raise refuse(
                "The workbook has no sheets. Fill in the project's template and upload it."
            )
        return workbook.get_sheet_by_index(0)
    except (CalamineError, ValueError, OSError, UnicodeDecodeError):
        raise refuse(
            "The workbook could not be read: it may be damaged or saved by a program Excel "
            "does not understand. Open it in Excel, save it again as .xlsx and upload it."
        ) from None


def read_workbook(content: bytes) -> Table:
    sheet = open_payroll_sheet(content)
    end = sheet.end
    if end is None:
        raise refuse(
            f"The “{sheet.name}” sheet is empty. Fill in the project's template (one row per "
            "worker, week and craft), or report “no work this month” instead."
        )
    max_rows = settings.UPLOAD_MAX_ROWS
    # Refuse before the rows become Python objects: memory stays bounded.
    if end[0] + 1 > max_rows + HEADER_SEARCH_ROWS:
        raise too_many_rows(end[0] + 1, max_rows)
    try:
        rows = sheet.to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError):
        raise refuse(
            "The Payroll sheet could not be read. Open it in Excel, save it again as .xlsx "
            "and upload it."
        ) from None
    header_index = find_header_row(rows)
    if header_index is None:
        raise refuse(
            f"The “{sheet.name}” sheet is empty. Fill in the project's template (one row per "
            "worker, week and craft), or report “no work this month” instead."
        )
    columns, headers, errors, warnings = map_headers(rows[header_index], header_index + 1)
    if errors:
        raise InvalidInput(
            "The header row of the Payroll sheet needs fixing; nothing was stored.",
            errors=errors,
        )
    first = header_index + 1
    if [""] * len(rows[header_index]) in rows[first:]:
        data, numbers = [], []
        for index in range(first, len(rows)):
            row = rows[index]
            if row.count("") != len(row):
                data.append(row)
                numbers.append(index + 1)
    else:  # the usual case, without a blank row to skip: no loop in Python
        data, numbers = rows[first:], list(range(first + 1, len(rows) + 1))
    del rows
    if not data:
        raise refuse(
            "The Payroll sheet has headers but no payroll lines under them. Add one row per "
            "worker, week and craft, or report “no work this month” instead."
        )
    if len(data) > max_rows:
        raise too_many_rows(len(data), max_rows)
    return Table(
        columns=columns, headers=headers, rows=data, row_numbers=numbers, warnings=warnings
    )


def too_many_rows(count: int, limit: int) -> InvalidInput:
    return refuse(
        f"The sheet has {count:,} rows; a month's report may have at most {limit:,}. "
        "Check that only this month's lines are in it, one row per worker, week and craft."
    )


def find_header_row(rows: list[list]) -> int | None:
    """The first of the top rows naming at least two known columns, else the first non-blank."""
    first_filled = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if row.count("") == len(row):
            continue
        if first_filled is None:
            first_filled = index
        known = sum(1 for cell in row if cell != "" and field_for_header(cell) is not None)
        if known >= 2:
            return index
    return first_filled


def map_headers(header_row: list, row_number: int):
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    errors: list[dict] = []
    warnings: list[dict] = []
    for index, cell in enumerate(header_row):
        text = str(cell).strip() if cell != "" else ""
        if not text:
            continue
        letter = column_letter(index)
        field = field_for_header(text)
        if field is None:
            warnings.append(
                problem(
                    row=row_number,
                    column=text,
                    value=text,
                    message=f"Column {letter} “{text}” is not one of the template's columns; "
                    "it was ignored.",
                )
            )
        elif field in columns:
            first = column_letter(columns[field])
            errors.append(
                problem(
                    row=row_number,
                    column=text,
                    value=text,
                    message=f"Columns {first} and {letter} are both "
                    f"“{COLUMN_BY_FIELD[field].header}”. Delete one of them.",
                )
            )
        else:
            columns[field] = index
            headers[field] = text
    for field in REQUIRED_FIELDS:
        if field not in columns:
            column = COLUMN_BY_FIELD[field]
            also = f" (or {', '.join(column.aliases)})" if column.aliases else ""
            errors.append(
                problem(
                    row=row_number,
                    column=column.header,
                    value="",
                    message=f"The required column “{column.header}”{also} is missing. Add it "
                    "to the header row, or copy your rows into the project's template.",
                )
            )
    return columns, headers, errors, warnings
