"""Calendar months: reports are monthly, lines are weekly, schedules run to a completion date."""

import datetime
import re
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

# A report month, as the API, the pages and the command line take it: YYYY-MM (or YYYY-M),
# years 1900 to 2199, so that every month and the months around it are dates Python can hold.
PERIOD_REGEX = r"(19[0-9]{2}|2[01][0-9]{2})-(0?[1-9]|1[0-2])"
PERIOD_HELP = "Give the month as YYYY-MM, e.g. 2026-10."


class PeriodError(ValueError):
    """Text that is not a report month; the message says what to send."""


def parse_period(text: str) -> datetime.date:
    """ "2026-10" → October 1, 2026; anything else (other text, a year before 1900 or after
    2199) raises PeriodError."""
    found = re.fullmatch(PERIOD_REGEX, text) if isinstance(text, str) else None
    if found is None:
        raise PeriodError(f"“{text}” is not a month. {PERIOD_HELP}")
    return datetime.date(int(found[1]), int(found[2]), 1)


def _validate_period(value) -> datetime.date:
    if isinstance(value, datetime.date):
        return month_start(value)
    try:
        return parse_period(value)
    except PeriodError as error:
        raise PydanticCustomError("period", str(error)) from None


# The one period type of the API's parameters and bodies: a date (the month's first day)
# inside, "YYYY-MM" outside.
Period = Annotated[
    datetime.date,
    BeforeValidator(_validate_period),
    PlainSerializer(lambda month: f"{month:%Y-%m}", return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": f"^{PERIOD_REGEX}$", "examples": ["2026-10"]},
        mode="validation",
    ),
]


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return add_months(day, 1) - datetime.timedelta(days=1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    """The first day of the month `count` months after `month`'s month."""
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every month from `first`'s to `last`'s, both included (empty when last < first)."""
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


FIRST_DAY, LAST_DAY = datetime.date(1900, 1, 1), datetime.date(2199, 12, 31)


def _validate_day(value) -> datetime.date:
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            pass
    if type(value) is datetime.date and FIRST_DAY <= value <= LAST_DAY:
        return value
    raise PydanticCustomError(
        "day", "Give a date from 1900 to 2199 as YYYY-MM-DD, e.g. 2026-10-15."
    )


# The one date type of the API's parameters and bodies: YYYY-MM-DD within the years of
# Period, so that a deadline or a month computed from it is still a date.
Day = Annotated[
    datetime.date,
    BeforeValidator(_validate_day),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "description": "A date from 1900-01-01 to 2199-12-31.",
            "examples": ["2026-10-15"],
        },
        mode="validation",
    ),
]
