"""A contractor's own payroll export, mapped once (SPEC §5.4).

A workbook or CSV file that is not the project's template is read as a grid: its header row
and the rows under it, each column under the header the contractor wrote (`read_grid`). A
mapping says which of its columns is which field (`columns`: our field → their header) and
how its codes read in ours (`codes`: for the craft, their classification → our craft's
name; for the apprentice column, their code → J or RA). `apply_mapping` turns the grid into
the Table every door hands the validator, so a mapped file meets the same rules and the same
error list as the template. The first time, `guess_columns` proposes a field for each column
from its header and its values; SHIPPED holds mappings of common layouts to start from.

Everything here runs in either process and imports nothing of Django.
"""

import datetime
import re
from collections import Counter
from dataclasses import dataclass

from cba.errors import InvalidInput
from compliance.reporting.intake.csvfile import read_csv_rows
from compliance.reporting.intake.fields import (
    COLUMN_BY_FIELD,
    FIELDS,
    REQUIRED_FIELDS,
    field_for_header,
    normalize_header,
)
from compliance.reporting.intake.table import Table, refuse
from compliance.reporting.intake.xlsx import open_payroll_sheet

HEADER_SEARCH_ROWS = 20
# A payroll export has a few dozen columns; a file far wider is refused before the mapping
# page would have to offer a choice for each of them.
MAX_COLUMNS = 200
SAMPLES = 3
# The codes a mapping translates, and the columns whose values are codes.
CODED_FIELDS = ("craft", "apprentice")
MAX_CODES = 200
APPRENTICE_CODES = {"J": "Journeyworker (J)", "RA": "Registered apprentice (RA)"}

# Header words of common exports, beyond the template's own names and aliases.
HEADER_HINTS = {
    "worker_id": ("emp", "empno", "employeeno", "employeenumber", "badge", "id"),
    "worker_name": ("name", "employeename", "fullname", "nombre", "worker"),
    "home_zip": ("zip", "zipcode", "postal", "postalcode", "homezip", "codigopostal"),
    "craft": ("class", "classification", "workclassification", "trade", "craftcode", "oficio"),
    "apprentice": ("journeyapp", "status", "level", "jra", "appstatus", "aprendiz"),
    "week_ending": ("weekending", "periodending", "weekend", "we", "payperiodend", "semana"),
    "straight_hours": ("st", "sthours", "reghours", "regular", "regularhours", "hours"),
    "overtime_hours": ("ot", "othours", "overtime"),
    "doubletime_hours": ("dt", "dthours", "doubletime"),
    "hourly_rate": ("rate", "payrate", "rateofpay", "baserate", "strate", "tarifa"),
    "fringe_rate": ("fringe", "fringes", "benefits", "fringerate"),
    "gross_pay": ("gross", "grosspay", "grossamountearned", "grosswages", "bruto"),
}

# Mappings of common layouts, offered on the mapping page as starting points. Each field
# lists the headers that layout uses for it.
SHIPPED = {
    "WH-347 columns": {
        "worker_name": ("Name of Worker", "Name and Individual Identifying Number of Worker"),
        "worker_id": ("Individual Identifying Number", "Identifying Number"),
        "home_zip": ("Zip", "Zip Code", "Address Zip"),
        "craft": ("Work Classification",),
        "apprentice": ("Journey/Apprentice", "Apprentice"),
        "week_ending": ("Week Ending", "Payroll Week Ending"),
        "straight_hours": ("Total Hours ST", "Total Hours (ST)", "Straight Time Hours"),
        "overtime_hours": ("Total Hours OT", "Total Hours (OT)", "Overtime Hours"),
        "hourly_rate": ("Rate of Pay ST", "Rate of Pay (ST)", "Rate of Pay"),
        "fringe_rate": ("Fringe Benefits", "Fringe Benefits Per Hour"),
        "gross_pay": ("Gross Amount Earned This Project", "Gross Amount Earned"),
    },
    "Plantilla del proyecto (español)": {
        "worker_id": ("ID del trabajador", "Número de empleado"),
        "worker_name": ("Nombre del trabajador", "Nombre"),
        "home_zip": ("Código postal", "Código postal del domicilio"),
        "craft": ("Oficio", "Clasificación"),
        "apprentice": ("Aprendiz", "J/RA"),
        "apprentice_level": ("Nivel de aprendiz",),
        "week_ending": ("Fin de semana", "Semana que termina"),
        "straight_hours": ("Horas normales", "Horas regulares"),
        "overtime_hours": ("Horas extra",),
        "doubletime_hours": ("Horas dobles",),
        "hourly_rate": ("Tarifa por hora", "Salario por hora"),
        "fringe_rate": ("Beneficios por hora", "Tarifa de beneficios"),
        "gross_pay": ("Pago bruto",),
        "gender": ("Género", "Sexo"),
        "ethnicity": ("Etnicidad", "Origen étnico"),
        "veteran": ("Veterano",),
        "disadvantaged": ("Desfavorecido",),
        "new_hire": ("Nueva contratación",),
    },
}


class MappingNeeded(InvalidInput):
    """A file whose columns are not the template's and that no saved mapping fits: the
    contractor maps it once (the web's mapping page; the API names a saved `mapping`)."""


@dataclass(frozen=True)
class ColumnPreview:
    index: int
    header: str
    samples: list[str]
    guess: str


def read_grid(content: bytes, *, kind: str, max_rows: int) -> Table:
    """The first sheet (or "Payroll") of a workbook, or a CSV file, as a grid: each column
    under its position ("0", "1", ...) with the header the contractor wrote."""
    if kind == "csv":
        rows = read_csv_rows(content, max_rows=max_rows)
        header_index = 0
    else:
        sheet = open_payroll_sheet(content)
        if sheet.end is None or sheet.end[0] + 1 > max_rows + HEADER_SEARCH_ROWS:
            raise refuse(
                f"The “{sheet.name}” sheet is empty or holds more than {max_rows:,} rows. "
                "Keep only this month's payroll lines in it."
            )
        rows = [[cell_text(cell) for cell in row] for row in sheet.to_python(skip_empty_area=False)]
        header_index = next(
            (i for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]) if sum(map(bool, row)) >= 2),
            None,
        )
        if header_index is None:
            raise refuse("The sheet has no header row. Export this month's payroll again.")
    header = rows[header_index]
    width = max(len(row) for row in rows[header_index:])
    if width > MAX_COLUMNS:
        raise refuse(
            f"The file has {width:,} columns; a payroll export has at most {MAX_COLUMNS}. "
            "Export only the payroll columns (one row per worker, week and trade) and upload "
            "it again."
        )
    header = header + [""] * (width - len(header))
    data, numbers = [], []
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        if any(cell != "" for cell in row):
            data.append(list(row) + [""] * (width - len(row)))
            numbers.append(index + 1)
    if not data:
        raise refuse("The file has a header row but no payroll lines under it.")
    if len(data) > max_rows:
        raise refuse(f"The file has {len(data):,} rows; at most {max_rows:,} are accepted.")
    return Table(
        columns={str(i): i for i in range(width)},
        headers={str(i): header[i] or f"Column {i + 1}" for i in range(width)},
        rows=data,
        row_numbers=numbers,
    )


def cell_text(cell):
    """A workbook cell as the grid keeps it: dates stay dates, whole floats become ints."""
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    if isinstance(cell, datetime.datetime) and cell.time() == datetime.time():
        return cell.date()
    return cell


def grid_headers(grid: Table) -> list[str]:
    return [grid.headers[str(i)] for i in range(len(grid.headers))]


def template_columns(grid: Table) -> dict[str, str] | None:
    """The grid's own columns when its headers are the template's (a template saved as CSV)."""
    columns = {}
    for header in grid_headers(grid):
        field = field_for_header(header)
        if field and field not in columns:
            columns[field] = header
    return columns if all(f in columns for f in REQUIRED_FIELDS) else None


def fits(columns: dict[str, str], grid: Table) -> bool:
    """A saved mapping fits a file whose header row has every header the mapping names."""
    present = {normalize_header(h) for h in grid_headers(grid)}
    return bool(columns) and all(normalize_header(h) in present for h in columns.values())


def code_key(value) -> str:
    return " ".join(str(value).split()).casefold()


def apply_mapping(grid: Table, *, columns: dict[str, str], codes: dict[str, dict]) -> Table:
    """The grid as the validator's Table: each mapped column under our field (its header as
    the contractor wrote it, so errors name the column they see), codes translated."""
    positions = {normalize_header(h): i for i, h in enumerate(grid_headers(grid))}
    missing = [h for h in columns.values() if normalize_header(h) not in positions]
    if missing:
        names = ", ".join(f"“{h}”" for h in missing)
        raise refuse(
            f"The file has no column {names}, which the mapping uses. Export the same "
            "columns as before, or edit the mapping."
        )
    fields = [f for f in FIELDS if f in columns]
    picks = [positions[normalize_header(columns[f])] for f in fields]
    translate = {
        fields.index(f): {code_key(k): v for k, v in (codes.get(f) or {}).items()}
        for f in CODED_FIELDS
        if f in fields and codes.get(f)
    }
    rows = []
    for row in grid.rows:
        picked = [row[p] for p in picks]
        for index, table in translate.items():
            value = picked[index]
            if value not in ("", None):
                picked[index] = table.get(code_key(value), value)
        rows.append(picked)
    return Table(
        columns={f: i for i, f in enumerate(fields)},
        headers={f: grid.headers[str(p)] for f, p in zip(fields, picks, strict=True)},
        rows=rows,
        row_numbers=list(grid.row_numbers),
        warnings=list(grid.warnings),
    )


# -- guesses for the mapping page ---------------------------------------------------------

ZIP_VALUE = re.compile(r"^\d{5}(?:-\d{4})?$")
DATE_TEXT = re.compile(r"^(\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})$")
APPRENTICE_WORDS = {"j", "ra", "app", "apprentice", "journeyman", "journeyworker", "jw", "jm"}


def samples(grid: Table, index: int, limit: int = SAMPLES) -> list[str]:
    found = []
    for row in grid.rows:
        value = row[index]
        if value not in ("", None) and value not in found:
            found.append(value)
            if len(found) == limit:
                break
    return [value.isoformat() if hasattr(value, "isoformat") else str(value) for value in found]


def guess_field(header: str, values: list) -> str:
    """Our field for a column, from its header (the template's names, aliases and common
    words) or, failing that, its values: five digits are a ZIP, dates a week ending,
    J/RA/Journeyman/APP the apprentice column."""
    field = field_for_header(header)
    if field:
        return field
    key = normalize_header(header).replace("hrs", "hours").replace("amt", "amount")
    for field, hints in HEADER_HINTS.items():
        if key in hints:
            return field
    texts = [str(v).strip() for v in values if v not in ("", None)]
    if not texts:
        return ""
    if all(ZIP_VALUE.match(t) for t in texts):
        return "home_zip"
    if all(isinstance(v, datetime.date) for v in values if v not in ("", None)) or all(
        DATE_TEXT.match(t) for t in texts
    ):
        return "week_ending"
    if all(re.sub(r"[^a-z]", "", t.casefold()) in APPRENTICE_WORDS for t in texts):
        return "apprentice"
    return ""


def guess_columns(grid: Table, *, start: dict[str, tuple] | None = None) -> list[ColumnPreview]:
    """Each column with a few sample values and a guessed field (each field guessed once).

    `start` (a SHIPPED layout) is tried first: a column whose header it lists takes its field.
    """
    taken: set[str] = set()
    previews = []
    shipped = {normalize_header(h): f for f, headers in (start or {}).items() for h in headers}
    for index, header in enumerate(grid_headers(grid)):
        values = [row[index] for row in grid.rows[:50]]
        field = shipped.get(normalize_header(header)) or guess_field(header, values)
        if field in taken:
            field = ""
        taken.add(field)
        previews.append(ColumnPreview(index, header, samples(grid, index), field))
    return previews


def distinct_codes(grid: Table, header: str) -> list[str]:
    """The distinct values of one column, most frequent first (at most MAX_CODES)."""
    positions = {normalize_header(h): i for i, h in enumerate(grid_headers(grid))}
    index = positions.get(normalize_header(header))
    if index is None:
        return []
    counts = Counter(str(row[index]).strip() for row in grid.rows if row[index] not in ("", None))
    return [value for value, _ in counts.most_common(MAX_CODES)]


def guess_apprentice(code: str) -> str:
    word = re.sub(r"[^a-z]", "", code.casefold())
    if word.startswith(("app", "ra", "trainee", "aprend")) or word in {"y", "yes"}:
        return "RA"
    if word.startswith(("j", "mech", "fore", "n")) or word in {"no", "jw"}:
        return "J"
    return ""


def field_label(field: str) -> str:
    return COLUMN_BY_FIELD[field].header
