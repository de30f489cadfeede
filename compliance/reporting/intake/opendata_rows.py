"""The open data door's conversion (SPEC §5.4): one project's rows of a city's file, read
in the parse child by `opendata_file.read_rows`, into lines. `convert_rows` applies each
column's rule to every distinct value once and returns the lines, or raises every error
found.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone

from cba.errors import InvalidInput
from compliance.formatting import plural
from compliance.months import month_end, month_start
from compliance.reporting.intake.opendata_file import Rows, normalize_name
from compliance.reporting.intake.table import problem
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
