"""The payroll columns every door accepts (SPEC §5.1 and §5.3), in template order.

Uploads are matched by header text, not position: case, spaces and punctuation are ignored,
and the aliases in brackets in the SPEC are accepted, as is the JSON field name itself.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    required: bool
    rule: str
    aliases: tuple[str, ...] = ()
    width: int = 14


COLUMNS: tuple[Column, ...] = (
    Column(
        "worker_id",
        "Worker ID",
        True,
        "Your company's employee number, up to 40 characters. Never a Social Security number.",
        ("Employee ID",),
        14,
    ),
    Column("worker_name", "Worker Name", False, "Optional. Kept confidential.", (), 24),
    Column(
        "home_zip",
        "Home ZIP",
        True,
        "5-digit ZIP code of the worker's home; ZIP+4 is cut to 5 digits.",
        ("Zip", "Zip Code"),
        10,
    ),
    Column(
        "craft",
        "Craft",
        True,
        "One of the project's crafts (see the Lists sheet), by name or alias.",
        ("Classification", "Trade"),
        22,
    ),
    Column(
        "apprentice",
        "Apprentice",
        True,
        "J for a journeyworker, RA for a registered apprentice.",
        ("J/RA",),
        11,
    ),
    Column("apprentice_level", "Apprentice Level", False, "Optional: 1 to 10.", (), 11),
    Column(
        "week_ending",
        "Week Ending",
        True,
        "The last day of the pay week, a date in the report's month (e.g. 10/31/2026).",
        (),
        12,
    ),
    Column("straight_hours", "Straight Hours", True, "0 to 80 hours.", (), 10),
    Column("overtime_hours", "Overtime Hours", False, "0 or more hours.", (), 10),
    Column("doubletime_hours", "Double-time Hours", False, "0 or more hours.", (), 11),
    Column("hourly_rate", "Hourly Rate", True, "Base hourly rate in dollars, above 0.", (), 10),
    Column("fringe_rate", "Fringe Rate", False, "Hourly fringe benefits in dollars.", (), 10),
    Column("gross_pay", "Gross Pay", False, "Gross pay for the week on this project.", (), 11),
    Column("gender", "Gender", False, "F, M, X or blank.", (), 8),
    Column("ethnicity", "Ethnicity", False, "Optional, as the worker reports it.", (), 16),
    Column("veteran", "Veteran", False, "Y or N, or blank.", (), 9),
    Column("disadvantaged", "Disadvantaged", False, "Y or N, or blank.", (), 13),
    Column("new_hire", "New Hire", False, "Y or N, or blank.", (), 9),
)

COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}
FIELDS = tuple(c.field for c in COLUMNS)
REQUIRED_FIELDS = tuple(c.field for c in COLUMNS if c.required)


def normalize_header(text) -> str:
    """ "Double-time  Hours" == "doubletime_hours" == "DOUBLE TIME HOURS"."""
    return re.sub(r"[^0-9a-z]", "", str(text).casefold())


HEADER_TO_FIELD: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.header, _column.field, *_column.aliases):
        HEADER_TO_FIELD[normalize_header(_name)] = _column.field


def field_for_header(text) -> str | None:
    return HEADER_TO_FIELD.get(normalize_header(text))
