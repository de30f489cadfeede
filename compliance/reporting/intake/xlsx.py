"""Reads an .xlsx payroll workbook with python-calamine into a Table (SPEC §5.1).

The sheet named "Payroll" is read (the first sheet when there is none). The header row is
the first of the top rows that names known columns, so a title line above it is fine. Row
numbers are Excel's own, so an error points at the row the user sees.

This runs in the parse child (compliance.reporting.intake.sandbox), so it imports nothing of Django
and takes its limits as arguments. While python-calamine reads the file there, under the
child's limits, the web process reads every worksheet and the shared strings through in
bounded chunks (check_workbook_parts): a workbook that claims a cell past the row limit or
past column ZZ, or holds more shared strings than a month's report could use, is refused
with words that say so, and the child stopped wherever it got to.
"""

import io
import re
import zipfile
import zlib

from python_calamine import CalamineError, CalamineWorkbook

from cba.errors import InvalidInput
from compliance.reporting.intake.fields import COLUMN_BY_FIELD, REQUIRED_FIELDS, field_for_header
from compliance.reporting.intake.payments_sheet import read_payments_sheet
from compliance.reporting.intake.table import Table, problem, refuse

HEADER_SEARCH_ROWS = 20
# The template's payroll sheet, in English and in Spanish.
PAYROLL_SHEETS = {"payroll", "nómina", "nomina"}
# Columns A to ZZ; a template has 18. Past that a sheet is refused, not allocated.
MAX_COLUMNS = 26 * 27
# Distinct texts a month's report could need: this many per row allowed.
SHARED_STRINGS_PER_ROW = 64
CHUNK = 1 << 20
# Enough of the previous chunk to finish a tag cut in two.
OVERLAP = 64
DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([^\"]{0,40})\"")
ATTRIBUTE_SPACE = (b" ", b"\t", b"\r", b"\n")
CELL_REFERENCE = re.compile(r"^\$?([A-Za-z]{0,3})\$?(\d{0,10})$")
# The refusal of a workbook whose header row is not the template's: a mapping may read it.
HEADER_PROBLEM = "The header row of the Payroll sheet needs fixing; nothing was stored."
UNREADABLE_WORKBOOK = (
    "The workbook could not be read: it may be damaged or saved by a program Excel "
    "does not understand. Open it in Excel, save it again as .xlsx and upload it."
)


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
        payroll = next((n for n in names if n.strip().casefold() in PAYROLL_SHEETS), None)
        if payroll is not None:
            return workbook.get_sheet_by_name(payroll)
        if not names:
            raise refuse(
                "The workbook has no sheets. Fill in the project's template and upload it."
            )
        return workbook.get_sheet_by_index(0)
    except (CalamineError, ValueError, OSError, UnicodeDecodeError):
        raise refuse(UNREADABLE_WORKBOOK) from None


def read_workbook(content: bytes, *, max_rows: int) -> Table:
    """The Payroll sheet as a Table, with the Payments sheet's rows (`payments`) where it
    lists any: a prime may report payments and no payroll. Only for a workbook that passed
    check_workbook_parts."""
    payments = read_payments_sheet(content)
    try:
        table = read_payroll(content, max_rows=max_rows)
    except InvalidInput:
        if payments is None or not _payroll_is_empty(content):
            raise
        table = Table(columns={}, headers={}, rows=[], row_numbers=[])
    table.payments = payments
    return table


def _payroll_is_empty(content: bytes) -> bool:
    """No payroll line under the header (or no header at all)."""
    sheet = open_payroll_sheet(content)
    if sheet.name.strip().casefold() == "payments" or sheet.end is None:
        return True
    rows = sheet.to_python(skip_empty_area=False)
    header_index = find_header_row(rows)
    return header_index is None or all(
        row.count("") == len(row) for row in rows[header_index + 1 :]
    )


def read_payroll(content: bytes, *, max_rows: int) -> Table:
    sheet = open_payroll_sheet(content)
    end = sheet.end
    if end is None:
        raise refuse(
            f"The “{sheet.name}” sheet is empty. Fill in the project's template (one row per "
            "worker, week and craft), or report “no work this month” instead."
        )
    # Refuse before the rows become Python objects: memory stays bounded.
    if end[0] + 1 > max_rows + HEADER_SEARCH_ROWS:
        raise too_many_rows(end[0] + 1, max_rows)
    try:
        rows = sheet.to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError, UnicodeDecodeError):
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
        raise InvalidInput(HEADER_PROBLEM, errors=errors)
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


def check_workbook_parts(content: bytes, *, max_rows: int) -> None:
    """Refuse a workbook whose parts promise more than a month's report can hold.

    Each worksheet and the shared strings are decompressed a chunk at a time (zipfile reads
    no more than a part's declared size, itself bounded before this runs), so this costs a
    few megabytes whatever the file holds. Refused: a sheet `<dimension>` or a cell or row
    reference past the row limit (plus the rows a title and header may take) or past column
    ZZ; more `<row>` elements than the row limit; more shared strings than
    SHARED_STRINGS_PER_ROW for each row allowed.
    """
    row_limit = max_rows + HEADER_SEARCH_ROWS
    past_limit = reference_pattern(row_limit)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        for info in archive.infolist():
            name = info.filename.casefold()
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                check_sheet_part(archive, info, row_limit, past_limit)
            elif name.endswith("sharedstrings.xml"):
                check_shared_strings(archive, info, row_limit * SHARED_STRINGS_PER_ROW)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        raise refuse(UNREADABLE_WORKBOOK) from None
    except (ValueError, RuntimeError, zlib.error):  # damaged deflate data, encrypted parts
        raise refuse(UNREADABLE_WORKBOOK) from None


def reference_pattern(limit: int) -> re.Pattern:
    """A `r="…"` reference past column ZZ (group 1), or whose row number (group 2) may
    exceed `limit`: more digits than it, or as many and a first digit at least its first.
    Rows are compared exactly; a workbook within the limit has next to no matches, and the
    pattern starts with a literal, so the scan runs at the speed of the regex engine."""
    digits = str(limit)
    return re.compile(
        rb'r="(?:([A-Za-z]{3})|[A-Za-z]{0,2}(\d{%d,}|[%s-9]\d{%d})")'
        % (len(digits) + 1, digits[0].encode(), len(digits) - 1)
    )


def chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    """The part's bytes a chunk at a time, each with the tail of the one before it in front;
    yields (window, where the new bytes start)."""
    tail = b""
    with archive.open(info) as part:
        while data := part.read(CHUNK):
            yield tail + data, len(tail)
            tail = data[-OVERLAP:]


def check_sheet_part(archive, info, row_limit: int, past_limit: re.Pattern) -> None:
    rows = 0
    for window, fresh in chunks(archive, info):
        rows += window.count(b"<row", max(0, fresh - 3))
        if rows > row_limit:
            raise sheet_too_large(rows, row_limit)
        found = DIMENSION.search(window) if b"dimension" in window else None
        if found:
            text = found.group(1).decode("ascii", "replace")
            column, row = reference(text.rpartition(":")[2])
            if row > row_limit:
                raise sheet_too_large(row, row_limit)
            if column > MAX_COLUMNS:
                raise too_many_columns()
        for match in past_limit.finditer(window):
            if window[match.start() - 1 : match.start()] not in ATTRIBUTE_SPACE:
                continue  # not the `r` attribute: `xmlns:r="http…"`
            if match.group(1):
                raise too_many_columns()
            if int(match.group(2)) > row_limit:
                raise sheet_too_large(int(match.group(2)), row_limit)


def check_shared_strings(archive, info, limit: int) -> None:
    count = 0
    for window, fresh in chunks(archive, info):
        count += window.count(b"<si", max(0, fresh - 2))
        if count > limit:
            raise refuse(
                f"The workbook holds more than {limit:,} different texts, more than a month's "
                "report can use. Copy only this month's rows into the project's template, "
                "save it as .xlsx and upload it."
            )


def reference(text: str) -> tuple[int, int]:
    """A cell reference such as XFD1048576 as (column number, row number); 0 where absent."""
    found = CELL_REFERENCE.match(text.strip())
    if not found:
        return 0, 0
    letters, digits = found.groups()
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - 64
    return column, int(digits or 0)


def sheet_too_large(row: int, row_limit: int) -> InvalidInput:
    return refuse(
        f"The workbook reaches row {row:,}; a month's report may have at most "
        f"{row_limit - HEADER_SEARCH_ROWS:,} rows. Delete the empty rows below your data "
        "(select them, right-click, Delete), or copy your rows into the project's template, "
        "then save and upload it again."
    )


def too_many_columns() -> InvalidInput:
    return refuse(
        "The workbook has cells past column ZZ; the template has 18 columns. Delete the "
        "columns right of your data (select them, right-click, Delete), or copy your rows into "
        "the project's template, then save and upload it again."
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
