"""The open data door's reading (SPEC §5.4): a city's file into converted lines.

`read_rows` keeps the rows of one project; `convert_rows` applies each column's rule to
every distinct value once and returns the lines, or raises every error found. The layouts
of the cities' files are here (`FORMATS`); docs/coalition.md lists their columns.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone

from cba.errors import InvalidInput
from compliance.formatting import plural
from compliance.months import month_end, month_start
from compliance.reporting.intake.table import problem, refuse
from compliance.reporting.intake.validate import (
    MAX_LISTED_ERRORS,
    Problem,
    convert_ethnicity,
    parse_date_text,
    to_decimal,
)
from compliance.ssn import SSN_MESSAGE, contains_ssn
from projects.models import Project, normalize_craft_name

MAX_PERIOD_HOURS = Decimal(168)


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


class OpenDataLine(NamedTuple):
    """A line from open data, as the store writes it: no worker, ZIP or wage."""

    row_number: int
    worker_key: None
    week_ending: datetime.date
    craft_id: int
    home_zip: str
    is_apprentice: bool
    apprentice_level: None
    straight_hours: Decimal
    overtime_hours: Decimal
    doubletime_hours: Decimal
    hours: Decimal
    hourly_rate: None
    fringe_rate: Decimal
    gross_pay: None
    gender: str
    ethnicity: str
    veteran: None
    disadvantaged: None
    new_hire: None
    reported_resident: bool | None
    person_of_color: bool | None


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


# -- converting each value ---------------------------------------------------------------

GENDERS = {"man": "M", "male": "M", "m": "M", "woman": "F", "female": "F", "f": "F"}
FLAGS = {"y": True, "yes": True, "true": True, "1": True, "n": False, "no": False}
FLAGS.update({"false": False, "0": False})


def convert_gender(raw: str):
    """ "Man" → M, "Woman" → F, any other answer → X, blank → blank."""
    text = raw.strip()
    if not text:
        return ""
    return GENDERS.get(text.casefold(), "X")


def convert_flag(raw: str):
    text = raw.strip()
    if not text:
        return None
    found = FLAGS.get(text.casefold())
    if found is None:
        return Problem("Enter Yes or No (or leave it blank when unknown).")
    return found


def convert_company(raw: str, *, required: bool):
    text = " ".join(raw.split())
    if not text:
        return Problem("Required: the company's name.") if required else ""
    if contains_ssn(text):
        return Problem(f"{SSN_MESSAGE} Enter only the company's name here.")
    if len(text) > 200:
        return Problem("At most 200 characters.")
    return text


def convert_hours(raw: str):
    value = to_decimal(raw) if raw.strip() else Problem("Required: the hours worked.")
    if value.__class__ is Problem:
        return value
    if value < 0:
        return Problem("Hours cannot be negative.")
    if value > MAX_PERIOD_HOURS:
        return Problem(f"More than {MAX_PERIOD_HOURS} hours (a whole week) in one row.")
    return value


def period_converter(project: Project, today: datetime.date):
    start, end = month_start(project.start_date), month_end(project.end_date)

    def convert(raw: str):
        text = raw.strip()
        day = parse_date_text(text.split(" ")[0].split("T")[0]) if text else None
        if day is None:
            return Problem("Not a date: the period's last day, e.g. 2024-03-08 or 3/8/2024.")
        if day > today:
            return Problem("This date has not come yet. Check the row.")
        if not start <= day <= end:
            return Problem(
                f"Outside the project's dates ({project.start_date:%m/%d/%Y} to "
                f"{project.end_date:%m/%d/%Y}). If the city's are right, a program admin corrects "
                f"the project's dates (Set up a project › {project.name} › Project), then "
                "import again."
            )
        return day

    return convert


def craft_converter(project: Project):
    crafts = list(project.crafts.all())
    by_key = {key: craft.pk for craft in crafts for key in craft.match_keys()}
    listing = ", ".join(sorted(c.name for c in crafts)) or "none yet"

    def convert(raw: str):
        if not raw.strip():
            return Problem("Required: the trade.")
        found = by_key.get(normalize_craft_name(raw))
        if found is None:
            return Problem(
                f"Not a craft of this project by name or alias (its crafts: {listing}). "
                "A program admin adds this trade as an alias of the craft it is, or adds the "
                f"craft (Set up a project › {project.name} › Trades); then import again."
            )
        return found

    return convert


def convert_rows(found: Rows, *, project: Project) -> tuple[list[OpenDataLine], list["Firm"]]:
    """Every row converted, or InvalidInput with every error: nothing is stored then."""
    today = timezone.localdate()
    rules = {
        "general_contractor": lambda raw: convert_company(raw, required=True),
        "subcontractor": lambda raw: convert_company(raw, required=False),
        "trade": craft_converter(project),
        "period_ending": period_converter(project, today),
        "gender": convert_gender,
        "person_of_color": convert_flag,
        "race": lambda raw: convert_ethnicity(raw.strip() or None),
        "boston_resident": convert_flag,
        "hours": convert_hours,
    }
    converted: dict[str, list] = {}
    errors: list[dict] = []
    count = 0
    for name, rule in rules.items():
        raws = [row.get(name, "") for row in found.rows]
        lookup = {raw: rule(raw) for raw in set(raws)}
        values = [lookup[raw] for raw in raws]
        converted[name] = values
        for index, value in enumerate(values):
            if value.__class__ is Problem:
                count += 1
                if len(errors) < MAX_LISTED_ERRORS:
                    errors.append(
                        (
                            found.numbers[index],
                            problem(
                                row=found.numbers[index],
                                column=found.headers[name],
                                value=raws[index],
                                message=value.message,
                            ),
                        )
                    )
    if count:
        listed = [error for _, error in sorted(errors, key=lambda item: item[0])]
        raise InvalidInput(
            f"{plural(count, 'problem')} found; nothing was stored. Fix the file (or the "
            "project's setup, as each problem says) and import it again.",
            errors=listed,
        )
    lines = []
    firms = []
    for index, number in enumerate(found.numbers):
        hours = converted["hours"][index]
        lines.append(
            OpenDataLine(
                row_number=number,
                worker_key=None,
                week_ending=converted["period_ending"][index],
                craft_id=converted["trade"][index],
                home_zip="",
                is_apprentice=False,
                apprentice_level=None,
                straight_hours=hours,
                overtime_hours=Decimal(0),
                doubletime_hours=Decimal(0),
                hours=hours,
                hourly_rate=None,
                fringe_rate=Decimal(0),
                gross_pay=None,
                gender=converted["gender"][index],
                ethnicity=converted["race"][index],
                veteran=None,
                disadvantaged=None,
                new_hire=None,
                reported_resident=converted["boston_resident"][index],
                # The flag decides, never the race text: a blank flag is not a yes.
                person_of_color=converted["person_of_color"][index] or False,
            )
        )
        prime = converted["general_contractor"][index]
        sub = converted["subcontractor"][index]
        firms.append(
            Firm(prime=prime, sub=sub if normalize_name(sub) != normalize_name(prime) else "")
        )
    return lines, firms


@dataclass(frozen=True)
class Firm:
    """Who a row's hours belong to: its subcontractor, or its general contractor."""

    prime: str
    sub: str

    @property
    def name(self) -> str:
        return self.sub or self.prime

    @property
    def key(self) -> str:
        return normalize_name(self.name)
