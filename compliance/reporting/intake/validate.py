"""The one validator every door goes through: each rule of SPEC §5.1, all errors at once.

Values are converted column by column: each distinct value of a column is converted once
(a month repeats the same crafts, dates, rates and ZIPs thousands of times), which keeps a
100,000-line upload fast and its memory small. No database query is made per row.
"""

import datetime
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import starmap
from operator import add, itemgetter
from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance.formatting import long_month
from compliance.numbers import exact_number, round2
from compliance.reporting.intake.cross_rows import CrossRows
from compliance.reporting.intake.fields import (
    APPRENTICE_VALUES,
    COLUMNS,
    GENDERS,
    YES_NO,
    without_accents,
)
from compliance.reporting.intake.table import Table, problem
from compliance.ssn import contains_ssn
from projects.models import Craft, normalize_craft_name

# Beyond this, errors are counted but not listed: the list stays readable and memory bounded.
MAX_LISTED_ERRORS = 1000
MAX_STRAIGHT_HOURS = Decimal(80)


class ValidatedLine(NamedTuple):
    """One payroll line that passed every rule: what the store writes (a tuple, so that
    100,000 of them cost no more than plain tuples). After the row and the worker's key,
    the fields are PayrollLine.REPORTED_COLUMNS, in that order."""

    row_number: int
    worker_key: str
    week_ending: datetime.date
    craft_id: int
    home_zip: str
    is_apprentice: bool
    apprentice_level: int | None
    straight_hours: Decimal
    overtime_hours: Decimal
    doubletime_hours: Decimal
    hours: Decimal
    hourly_rate: Decimal
    fringe_rate: Decimal | None
    gross_pay: Decimal | None
    gender: str
    ethnicity: str
    veteran: bool | None
    disadvantaged: bool | None
    new_hire: bool | None


class Problem:
    """A value that failed its rule; the message says what to do."""

    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message


@dataclass
class Validated:
    lines: list[ValidatedLine] = field(default_factory=list)
    worker_names: dict[str, str] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    warnings: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0


def is_blank(raw) -> bool:
    return raw is None or (raw.__class__ is str and not raw.strip())


# -- converters: raw cell value -> value, or Problem ---------------------------------------

NUMBER_TEXT = re.compile(r"^(?:\d+|\d{1,3}(?:,\d{3})+)?(?:\.\d+)?$")
ZIP_TEXT = re.compile(r"^(\d{5})(?:-?\d{4})?$")
US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")
EXCEL_EPOCH = datetime.date(1899, 12, 30)
# compliance.ssn.SSN_MESSAGE, for the catalog (the ssn leaf is read by the parse child too).
SSN_WORDS = gettext_lazy("This looks like a Social Security number, which must never be uploaded.")
TOO_LARGE = gettext_lazy("This number is too large to be hours or dollars. Check the number.")


def to_decimal(raw) -> Decimal | Problem:
    """A number from a number cell or from text when unambiguous ("$1,234.50" yes, "1.234,5" no).

    Numbers beyond numbers.LARGEST (1e308, 10**40) are refused as too large, not stored."""
    kind = raw.__class__
    if kind in (float, int, Decimal):
        number = exact_number(raw)
        if number is not None:
            return round2(number)
        if kind is float and not math.isfinite(raw) or kind is Decimal and not raw.is_finite():
            return Problem(_("This is not a number. Enter a number such as 40 or 37.5."))
        return Problem(str(TOO_LARGE))
    if kind is str:
        text = raw.strip().replace(" ", "")
        negative = text.startswith("-")
        text = text.lstrip("-").lstrip("$")
        if text and NUMBER_TEXT.match(text) and any(c.isdigit() for c in text):
            number = exact_number(text.replace(",", ""))
            if number is None:
                return Problem(str(TOO_LARGE))
            value = round2(number)
            return -value if negative else value
    return Problem(_("This is not a number. Enter a number such as 40 or 37.5 (no text or units)."))


def hours_converter(*, required: bool, maximum: Decimal | None = None) -> Callable:
    def convert(raw):
        if is_blank(raw):
            return Problem(_("Required: enter the hours (0 if none).")) if required else Decimal(0)
        value = to_decimal(raw)
        if value.__class__ is Problem:
            return value
        if value < 0:
            return Problem(_("Hours cannot be negative. Enter 0 or more."))
        if maximum is not None and value > maximum:
            return Problem(
                _(
                    "At most {maximum} straight-time hours a week. Put the rest under "
                    "Overtime Hours or Double-time Hours."
                ).format(maximum=maximum)
            )
        if value > 9999:
            return Problem(_("This is more hours than a week has. Check the number."))
        return value

    return convert


def money_converter(
    *, required: bool, positive: bool, limit: Decimal, blank: Decimal | None = None
) -> Callable:
    def convert(raw):
        if is_blank(raw):
            if required:
                return Problem(_("Required: enter the rate in dollars, e.g. 45.50."))
            return blank
        value = to_decimal(raw)
        if value.__class__ is Problem and value.message == str(TOO_LARGE):
            return Problem(_("This amount is too large. Check the number (dollars, not cents)."))
        if value.__class__ is Problem:
            return Problem(_("This is not an amount. Enter dollars and cents, e.g. 45.50."))
        if positive and value <= 0:
            return Problem(_("Must be more than 0. Enter the hourly rate paid, in dollars."))
        if value < 0:
            return Problem(_("Cannot be negative. Enter 0 or more, in dollars."))
        if value >= limit:
            return Problem(_("This amount is too large. Check the number (dollars, not cents)."))
        return value

    return convert


def convert_worker_id(raw):
    if is_blank(raw):
        return Problem(_("Required: enter the worker's employee number."))
    if raw.__class__ is float and raw.is_integer():
        raw = int(raw)
    # NUL characters are dropped, as at every door (cba.middleware.DropNulCharacters).
    text = str(raw).replace("\x00", "").strip()
    if contains_ssn(text):
        return Problem(_("{ssn} Use your company's employee number instead.").format(ssn=SSN_WORDS))
    if len(text) > 40:
        return Problem(_("At most 40 characters. Use your company's employee number."))
    return text


def convert_name(raw):
    if is_blank(raw):
        return ""
    text = " ".join(str(raw).replace("\x00", "").split())
    if contains_ssn(text):
        return Problem(_("{ssn} Enter only the worker's name here.").format(ssn=SSN_WORDS))
    if len(text) > 200:
        return Problem(_("At most 200 characters."))
    return text


def convert_zip(raw):
    if is_blank(raw):
        return Problem(_("Required: enter the worker's 5-digit home ZIP code."))
    if raw.__class__ in (float, int) and float(raw).is_integer() and raw >= 501:
        # Excel drops leading zeros from ZIPs typed as numbers (02134 -> 2134).
        digits = str(int(raw))
        digits = digits.zfill(5) if len(digits) <= 5 else digits.zfill(9)
    else:
        digits = str(raw).strip()
    found = ZIP_TEXT.match(digits)
    if not found:
        return Problem(_("Enter a 5-digit ZIP code such as 90001 (ZIP+4 is fine)."))
    return found.group(1)


def craft_converter(crafts: Iterable[Craft]) -> Callable:
    by_key: dict[str, int] = {}
    names = []
    for craft in crafts:
        names.append(craft.name)
        for key in craft.match_keys():
            by_key[key] = craft.pk
    listing = ", ".join(sorted(names)) or _("none yet: ask the program administrator")

    def convert(raw):
        if is_blank(raw):
            return Problem(_("Required: enter the craft, one of: {crafts}.").format(crafts=listing))
        craft_id = by_key.get(normalize_craft_name(raw))
        if craft_id is None:
            return Problem(
                _("Not a craft of this project. Use one of: {crafts}.").format(crafts=listing)
            )
        return craft_id

    return convert


def convert_apprentice(raw):
    if is_blank(raw):
        return Problem(
            _("Required: enter J for a journeyworker or RA for a registered apprentice.")
        )
    if raw.__class__ in (int, float) and raw in (0, 1):
        return raw == 1
    found = APPRENTICE_VALUES.get(re.sub(r"[^a-z]", "", without_accents(str(raw).casefold())))
    if found is None:
        return Problem(_("Enter J for a journeyworker or RA for a registered apprentice."))
    return found


def convert_level(raw):
    if is_blank(raw):
        return None
    value = to_decimal(raw)
    if value.__class__ is Problem or value != value.to_integral_value() or not 1 <= value <= 10:
        return Problem(
            _("Enter the apprentice's level as a whole number from 1 to 10, or leave it blank.")
        )
    return int(value)


def week_converter(period: datetime.date) -> Callable:
    month = f"{long_month(period)}"

    def convert(raw):
        if is_blank(raw):
            return Problem(
                _("Required: enter the week's last day, a date in {month}.").format(month=month)
            )
        kind = raw.__class__
        day = None
        if kind is datetime.datetime:
            day = raw.date()
        elif kind is datetime.date:
            day = raw
        elif kind in (int, float) and 1 <= raw < 2958466:
            day = EXCEL_EPOCH + datetime.timedelta(days=int(raw))
        elif kind is str:
            day = parse_date_text(raw.strip())
        if day is None:
            return Problem(
                _("Not a date. Enter a date such as {us} or {iso}.").format(
                    us=f"{period:%m}/28/{period:%Y}", iso=f"{period:%Y-%m}-28"
                )
            )
        if (day.year, day.month) != (period.year, period.month):
            return Problem(
                _(
                    "{day} is not in {month}, the month of this report. Report other "
                    "months' weeks in their own month's report."
                ).format(day=f"{day:%m/%d/%Y}", month=month)
            )
        return day

    return convert


def parse_date_text(text: str) -> datetime.date | None:
    found = ISO_DATE.match(text)
    try:
        if found:
            return datetime.date(int(found[1]), int(found[2]), int(found[3]))
        found = US_DATE.match(text)
        if found:
            return datetime.date(int(found[3]), int(found[1]), int(found[2]))
    except ValueError:
        return None
    return None


def convert_gender(raw):
    if is_blank(raw):
        return ""
    found = GENDERS.get(without_accents(str(raw).strip().casefold()))
    return found or Problem(_("Enter F, M or X, or leave it blank."))


def convert_ethnicity(raw):
    if is_blank(raw):
        return ""
    text = " ".join(str(raw).replace("\x00", "").split())
    if contains_ssn(text):
        return Problem(_("{ssn} Enter only the worker's ethnicity here.").format(ssn=SSN_WORDS))
    return text if len(text) <= 60 else Problem(_("At most 60 characters."))


def convert_yes_no(raw):
    if is_blank(raw):
        return None
    if raw.__class__ in (int, float) and raw in (0, 1):
        return raw == 1
    found = YES_NO.get(without_accents(str(raw).strip().casefold()))
    if found is None:
        return Problem(_("Enter Y or N, or leave it blank."))
    return found


READABLE = {type(None), str, int, float, Decimal, datetime.date, datetime.datetime}


def readable_only(convert: Callable) -> Callable:
    """Times of day, durations, JSON lists and objects are refused before any rule runs.

    Excel's TRUE and FALSE are read as 1 and 0 (see convert_column).
    """

    def guarded(raw):
        kind = raw.__class__
        if kind is bool:
            raw = int(raw)
        elif kind not in READABLE:
            return Problem(_("Enter a single plain value here (text, a number or a date)."))
        return convert(raw)

    return guarded


def converters(*, crafts: Iterable[Craft], period: datetime.date) -> dict[str, Callable]:
    plain = {
        "worker_id": convert_worker_id,
        "worker_name": convert_name,
        "home_zip": convert_zip,
        "craft": craft_converter(crafts),
        "apprentice": convert_apprentice,
        "apprentice_level": convert_level,
        "week_ending": week_converter(period),
        "straight_hours": hours_converter(required=True, maximum=MAX_STRAIGHT_HOURS),
        "overtime_hours": hours_converter(required=False),
        "doubletime_hours": hours_converter(required=False),
        "hourly_rate": money_converter(required=True, positive=True, limit=Decimal(10**6)),
        "fringe_rate": money_converter(
            required=False, positive=False, limit=Decimal(10**6), blank=Decimal(0)
        ),
        "gross_pay": money_converter(required=False, positive=False, limit=Decimal(10**9)),
        "gender": convert_gender,
        "ethnicity": convert_ethnicity,
        "veteran": convert_yes_no,
        "disadvantaged": convert_yes_no,
        "new_hire": convert_yes_no,
    }
    return {name: readable_only(convert) for name, convert in plain.items()}


def convert_column(values, convert: Callable) -> tuple[list, bool]:
    """Each distinct value converted once; returns the values and whether any failed.

    Values that compare equal share one conversion (a cell holding TRUE and one holding 1
    alike), which is why the rules read TRUE/FALSE as 1/0 and 1/0 as yes/no.
    """
    lookup = {raw: convert(raw) for raw in set(values)}
    failed = any(v.__class__ is Problem for v in lookup.values())
    return list(map(lookup.__getitem__, values)), failed


class ErrorList:
    """Every error counted; the first MAX_LISTED_ERRORS by row kept for display."""

    def __init__(self):
        self.found: list[tuple] = []
        self.count = 0

    def add(self, row_index: int, order: int, error: dict) -> None:
        self.count += 1
        self.found.append((row_index, order, error))
        if len(self.found) > 4 * MAX_LISTED_ERRORS:
            self.trim()

    def trim(self) -> None:
        self.found.sort(key=lambda item: item[:2])
        del self.found[MAX_LISTED_ERRORS:]

    def listed(self) -> list[dict]:
        self.trim()
        return [error for _, _, error in self.found]


def validate_table(table: Table, *, crafts: Iterable[Craft], period: datetime.date) -> Validated:
    """Apply SPEC §5.1 to every row; return the valid lines, or every error found."""
    convert = converters(crafts=crafts, period=period)
    convert.update({name: readable_only(rule) for name, rule in table.rules.items()})
    numbers = table.row_numbers
    count = len(numbers)
    errors = ErrorList()
    converted: dict[str, list] = {}
    raw: dict[str, tuple] = {}
    failed_fields: set[str] = set()
    for order, column in enumerate(COLUMNS):
        position = table.columns.get(column.field)
        raw_values = (
            (None,) * count if position is None else list(map(itemgetter(position), table.rows))
        )
        values, failed = convert_column(raw_values, convert[column.field])
        if failed:
            failed_fields.add(column.field)
            header = table.headers.get(column.field, column.header)
            for index, value in enumerate(values):
                if value.__class__ is Problem:
                    errors.add(
                        index,
                        order,
                        problem(
                            row=numbers[index],
                            column=header,
                            value=raw_values[index],
                            message=value.message,
                        ),
                    )
        converted[column.field] = values
        raw[column.field] = raw_values
    hour_fields = ("straight_hours", "overtime_hours", "doubletime_hours")
    hours = line_hours(
        *(converted[name] for name in hour_fields),
        clean=not failed_fields.intersection(hour_fields),
    )
    CrossRows(table, converted, raw, hours, failed_fields, errors).check()
    result = Validated(warnings=list(table.warnings), error_count=errors.count)
    if errors.count:
        result.errors = errors.listed()
        return result
    result.worker_names = {
        w: n for w, n in zip(converted["worker_id"], converted["worker_name"], strict=True) if n
    }
    result.lines = list(
        starmap(
            ValidatedLine,
            zip(
                numbers,
                converted["worker_id"],
                converted["week_ending"],
                converted["craft"],
                converted["home_zip"],
                converted["apprentice"],
                converted["apprentice_level"],
                converted["straight_hours"],
                converted["overtime_hours"],
                converted["doubletime_hours"],
                hours,
                converted["hourly_rate"],
                converted["fringe_rate"],
                converted["gross_pay"],
                converted["gender"],
                converted["ethnicity"],
                converted["veteran"],
                converted["disadvantaged"],
                converted["new_hire"],
                strict=True,
            ),
        )
    )
    return result


def line_hours(straight: list, overtime: list, doubletime: list, *, clean: bool) -> list:
    """A line's hours = straight + overtime + double-time (SPEC §3); None where one failed."""
    if clean:
        return list(map(add, map(add, straight, overtime), doubletime))
    return [
        st + ot + dt
        if st.__class__ is Decimal and ot.__class__ is Decimal and dt.__class__ is Decimal
        else None
        for st, ot, dt in zip(straight, overtime, doubletime, strict=True)
    ]
