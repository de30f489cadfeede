"""How figures, dates and words read, everywhere: pages, e-mails, the export, documents.

A leaf: it imports nothing of ours. Every surface calls these instead of formatting on its
own, so "$180,000.00 of $2,500,000.00", "22 units", "300.00 hours", "November 27, 2026"
and "Oct 2026" read the same on the project page, in a flag's title and in a memo.
Missing values read "—". Words (month names, units, "of") follow the active language;
figures keep the same separators in English and Spanish.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext, pgettext, pgettext_lazy

DASH = "—"

# How each unit of a commitment is counted: money reads with a dollar sign; hours and
# shares keep two places; things counted whole (units, slots, hires, workers) drop ".00".
MONEY_UNITS = frozenset({"dollars", "$"})
WHOLE_UNITS = frozenset(
    {"units", "unit", "slots", "slot", "hires", "hire", "workers", "worker", "new hires"}
)


MONTH_NAMES = [
    pgettext_lazy("month", "January"),
    pgettext_lazy("month", "February"),
    pgettext_lazy("month", "March"),
    pgettext_lazy("month", "April"),
    pgettext_lazy("month", "May"),
    pgettext_lazy("month", "June"),
    pgettext_lazy("month", "July"),
    pgettext_lazy("month", "August"),
    pgettext_lazy("month", "September"),
    pgettext_lazy("month", "October"),
    pgettext_lazy("month", "November"),
    pgettext_lazy("month", "December"),
]
MONTH_ABBREVIATIONS = [
    pgettext_lazy("short month", "Jan"),
    pgettext_lazy("short month", "Feb"),
    pgettext_lazy("short month", "Mar"),
    pgettext_lazy("short month", "Apr"),
    pgettext_lazy("short month", "May"),
    pgettext_lazy("short month", "Jun"),
    pgettext_lazy("short month", "Jul"),
    pgettext_lazy("short month", "Aug"),
    pgettext_lazy("short month", "Sep"),
    pgettext_lazy("short month", "Oct"),
    pgettext_lazy("short month", "Nov"),
    pgettext_lazy("short month", "Dec"),
]
# The units commitments are counted in, as words a reader sees; other units read as stored.
UNIT_WORDS = {
    "hours": pgettext_lazy("unit", "hours"),
    "hour": pgettext_lazy("unit", "hour"),
    "units": pgettext_lazy("unit", "units"),
    "unit": pgettext_lazy("unit", "unit"),
    "slots": pgettext_lazy("unit", "slots"),
    "slot": pgettext_lazy("unit", "slot"),
    "hires": pgettext_lazy("unit", "hires"),
    "hire": pgettext_lazy("unit", "hire"),
    "workers": pgettext_lazy("unit", "workers"),
    "worker": pgettext_lazy("unit", "worker"),
    "new hires": pgettext_lazy("unit", "new hires"),
}


def _month_name(day: datetime.date) -> str:
    return str(MONTH_NAMES[day.month - 1])


def _month_abbreviation(day: datetime.date) -> str:
    return str(MONTH_ABBREVIATIONS[day.month - 1])


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def number(value, places: int = 2) -> str:
    """ "10000" → "10,000.00"; None → "—"."""
    amount = _decimal(value)
    if amount is None:
        return DASH if value in (None, "") else str(value)
    return f"{amount:,.{places}f}"


def whole_or_two(value) -> str:
    """A count: "22" when whole, "12.50" otherwise."""
    amount = _decimal(value)
    if amount is None:
        return DASH
    if amount == amount.to_integral_value():
        return f"{amount:,.0f}"
    return f"{amount:,.2f}"


def money(value) -> str:
    """ "1398" → "$1,398.00"; negative amounts "-$5.00"."""
    amount = _decimal(value)
    if amount is None:
        return DASH
    return f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"


def percent(value) -> str:
    """ "37" → "37.00%"."""
    amount = _decimal(value)
    return DASH if amount is None else f"{amount:,.2f}%"


def hours(value) -> str:
    """ "300" → "300.00 hours"."""
    return quantity(value, "hours")


def quantity(value, unit: str) -> str:
    """A figure in its unit: "$180,000.00", "22 units", "300.00 hours", "3 slots"."""
    unit = (unit or "").strip()
    if unit in MONEY_UNITS:
        return money(value)
    if _decimal(value) is None:
        return DASH
    figure = whole_or_two(value) if unit in WHOLE_UNITS else number(value)
    return f"{figure} {UNIT_WORDS.get(unit, unit)}".strip()


def quantity_of(value, total, unit: str) -> str:
    """ "$180,000.00 of $2,500,000.00", "22 of 100 units"."""
    if (unit or "").strip() in MONEY_UNITS:
        return gettext("{value} of {total}").format(value=money(value), total=money(total))
    figure = whole_or_two if unit in WHOLE_UNITS else number
    return gettext("{value} of {total}").format(value=figure(value), total=quantity(total, unit))


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 line", "3 lines", "2 people" (with `many`)."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def _day(value) -> datetime.date | None:
    if not value:
        return None
    if isinstance(value, datetime.datetime):
        return local(value).date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def long_date(value) -> str:
    """ "2026-11-27" → "November 27, 2026"."""
    day = _day(value)
    if day is None:
        return DASH
    return gettext("{month} {day}, {year}").format(
        month=_month_name(day), day=day.day, year=day.year
    )


def short_date(value) -> str:
    """ "2026-11-27" → "Nov 27, 2026"."""
    day = _day(value)
    if day is None:
        return DASH
    return pgettext("short date", "{month} {day}, {year}").format(
        month=_month_abbreviation(day), day=day.day, year=day.year
    )


def month(value) -> str:
    """ "2026-10", "2026-10-01" or a date → "Oct 2026"."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        day = value
    else:
        day = _day(f"{str(value)[:7]}-01") if value else None
    if day is None:
        return DASH
    return pgettext("short month", "{month} {year}").format(
        month=_month_abbreviation(day), year=day.year
    )


def long_month(value) -> str:
    """ "2026-10" → "October 2026"."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        day = value
    else:
        day = _day(f"{str(value)[:7]}-01") if value else None
    if day is None:
        return DASH
    return gettext("{month} {year}").format(month=_month_name(day), year=day.year)


def timestamp(value) -> str:
    """A moment as local wall time: "Nov 14, 2026 09:30"."""
    if not value:
        return DASH
    moment = local(value) if isinstance(value, datetime.datetime) else value
    if not isinstance(moment, datetime.datetime):
        try:
            moment = datetime.datetime.fromisoformat(str(value))
        except ValueError:
            return DASH
    date = pgettext("short date", "{month} {day}, {year}").format(
        month=_month_abbreviation(moment), day=moment.day, year=moment.year
    )
    return f"{date} {moment:%H:%M}"


def local(moment: datetime.datetime) -> datetime.datetime:
    """A stored moment (aware, UTC) as the site's wall time; a naive one, or one read from
    a document's own text, is shown as it is written."""
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def compact_month(value) -> str:
    """ "2026-01" or a date → "Jan 26": short enough for 60 months on a chart's axis."""
    day = _day(value if isinstance(value, datetime.date) else f"{str(value or '')[:7]}-01")
    return DASH if day is None else f"{_month_abbreviation(day)} {day:%y}"


_ISO_MONTH = re.compile(r"^\d{4}-\d{2}$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T")


def figure(value) -> str:
    """A figure stored with a flag, as a person reads it: "2026-09" → "September 2026",
    "2026-10-15" → "October 15, 2026", an ISO moment → local wall time; anything else as
    it is (a dash for none)."""
    if value is None or value == "":
        return DASH
    text = str(value)
    if _ISO_MOMENT.match(text):
        return timestamp(text)
    if _ISO_DAY.match(text):
        return long_date(text)
    if _ISO_MONTH.match(text):
        return long_month(text)
    return text
