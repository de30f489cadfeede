"""The open data door's file reading (SPEC §5.4, §8): the layouts of the cities' files and
`read_rows`, which keeps one project's rows of a city's file. It runs in the parse child
(compliance.reporting.intake.sandbox), like every other door's reading: nothing of Django.
docs/coalition.md lists the layouts' columns.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from cba.errors import InvalidInput
from compliance.reporting.intake.table import Table, problem, refuse


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    required: bool
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layout:
    """A city's open data file: its name on the command line, and its columns."""

    name: str
    label: str
    columns: tuple[Column, ...]


BOSTON_RJP = Layout(
    name="boston-rjp",
    label="Boston Residents Jobs Policy (open data)",
    columns=(
        Column("agency", "Agency", False),
        Column("project", "Project Name", True, ("Project", "Project Title")),
        Column("address", "Project Address", False, ("Address",)),
        Column("neighborhood", "Neighborhood", False),
        Column("developer", "Developer", False),
        Column("general_contractor", "General Contractor", True, ("GC", "Prime Contractor")),
        Column("subcontractor", "Subcontractor", False, ("Sub Contractor", "Sub")),
        Column("trade", "Trade", True, ("Craft",)),
        Column(
            "period_ending",
            "Period Ending",
            True,
            ("Period End", "Week Ending", "Period Ending Date", "Payroll Period Ending"),
        ),
        Column("gender", "Gender", True, ("Sex",)),
        Column(
            "person_of_color",
            "Person of Color",
            True,
            ("POC", "Minority", "People of Color", "Person of Color Y/N", "Minority Y/N"),
        ),
        Column("race", "Race", False, ("Ethnicity",)),
        Column(
            "boston_resident",
            "Boston Resident",
            True,
            ("Resident", "Boston Resident Y/N", "Is Boston Resident", "Resident Y/N"),
        ),
        Column("hours", "Hours", True, ("Total Hours", "Work Hours", "Worker Hours")),
    ),
)
FORMATS = {BOSTON_RJP.name: BOSTON_RJP}


def normalize_header(text) -> str:
    return re.sub(r"[^0-9a-z]", "", str(text).casefold())


def normalize_name(text) -> str:
    """Project and company names match ignoring case and spaces ("Parcel  P-3" = "parcel p-3")."""
    return " ".join(str(text).split()).casefold()


# -- reading the file --------------------------------------------------------------------


@dataclass
class Rows:
    """The file's rows for one project: raw values by field, and each row's number in the
    file (the header is row 1)."""

    headers: dict[str, str]
    rows: list[dict[str, str]] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    names_seen: dict[str, str] = field(default_factory=dict)
    read: int = 0


def decode(content: bytes) -> str:
    """UTF-8 (with or without its byte-order mark), else Windows-1252, as cities export."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def read_rows(content: bytes, *, layout: Layout, name: str, max_rows: int) -> Rows:
    """The rows of the file whose project name is `name`; refuse a file that is not this
    layout's (every missing column named)."""
    if not content.strip():
        raise refuse("The file is empty. Download the city's file again and import it.")
    text = decode(content)
    dialect = csv.excel_tab if text.split("\n", 1)[0].count("\t") > 1 else csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise refuse("The file could not be read as CSV. Download it again as CSV.") from None
    by_header = {}
    for column in layout.columns:
        for alias in (column.header, column.field, *column.aliases):
            by_header[normalize_header(alias)] = column.field
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    for position, title in enumerate(header):
        found = by_header.get(normalize_header(title))
        if found and found not in positions:
            positions[found] = position
            headers[found] = title.strip()
    missing = [c.header for c in layout.columns if c.required and c.field not in positions]
    if missing:
        message = (
            f"This is not a {layout.label} file: it has no column "
            f"{', '.join(f'“{m}”' for m in missing)}. Download the city's file as CSV with "
            "its own column headers and import it again."
        )
        raise InvalidInput(
            message,
            errors=[
                problem(row=1, column=m, value="", message="This column is missing.")
                for m in missing
            ],
        )
    result = Rows(headers={c.field: headers.get(c.field, c.header) for c in layout.columns})
    wanted = normalize_name(name)
    project_at = positions["project"]
    try:
        for number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            result.read += 1
            given = row[project_at].strip() if project_at < len(row) else ""
            if normalize_name(given) != wanted:
                if len(result.names_seen) < 1000:
                    result.names_seen.setdefault(normalize_name(given), given)
                continue
            if len(result.rows) >= max_rows:
                raise refuse(
                    f"The file has more than {max_rows:,} rows for this project; import it "
                    "in parts (a year at a time)."
                )
            values = {f: (row[p] if p < len(row) else "") for f, p in positions.items()}
            result.rows.append(values)
            result.numbers.append(number)
    except csv.Error as error:
        raise refuse(
            f"The file could not be read as CSV after row {result.read + 1} ({error}). "
            "Download it again as CSV."
        ) from None
    return result


def rows_table(found: Rows) -> Table:
    """The kept rows as the Table the child sends back; `found_rows` turns it back."""
    fields = list(found.headers)
    return Table(
        columns={name: index for index, name in enumerate(fields)},
        headers=dict(found.headers),
        rows=[tuple(row.get(name, "") for name in fields) for row in found.rows],
        row_numbers=list(found.numbers),
    )


def found_rows(table: Table, *, names_seen: dict[str, str], read: int) -> Rows:
    fields = list(table.columns)
    return Rows(
        headers=dict(table.headers),
        rows=[dict(zip(fields, row, strict=True)) for row in table.rows],
        numbers=list(table.row_numbers),
        names_seen=dict(names_seen),
        read=read,
    )
