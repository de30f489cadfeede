"""Integrity checks on every door (SPEC §5.5): what a certified payroll says about itself
that does not add up. Each finding is a warning: shown at upload and by "check only",
stored with the report version (`check` names the rule, `week` the payroll week where the
door has one), and raised as a `data_anomaly` flag once the engine checks the month
(compliance/evaluation/engine/anomalies.py). The report is still accepted.

A check needs the fields it compares: the template has no daily hours, deductions or
all-work gross, so only the gross-pay check applies to it; eCPR and New York's XML carry
them all. The same hashed worker in two contractors' reports is checked against the
database (compliance/reporting/intake/overlap.py). A statement of no work that lists
employees is an error, not a warning (the XML readers refuse it).

Pure functions of plain values: this runs in the parse child too.
"""

import datetime
from decimal import Decimal, InvalidOperation

from compliance.reporting.intake.table import problem

DAILY_HOURS = "daily_hours"
GROSS_BELOW_PAY = "gross_below_pay"
GROSS_ABOVE_ALL_WORK = "gross_above_all_work"
DEDUCTIONS = "deductions"
DAYS_NOT_CONSECUTIVE = "days_not_consecutive"
SHARED_WORKER = "shared_worker_over_60"

# What each check is called where a person reads it (the flag's title, the docs).
CHECK_LABELS = {
    DAILY_HOURS: "daily hours that do not add up to the week's totals",
    GROSS_BELOW_PAY: "gross pay below hours × rate",
    GROSS_ABOVE_ALL_WORK: "this project's gross above the gross for all work",
    DEDUCTIONS: "deductions that do not add up to their total",
    DAYS_NOT_CONSECUTIVE: "days not consecutive within the week",
    SHARED_WORKER: "a worker over 60 hours in one week across two contractors",
}
OVERTIME_PREMIUM = Decimal("1.5")
DOUBLETIME_PREMIUM = Decimal(2)
# The gross-pay warning's words (the parent process passes them translated).
GROSS_BELOW_PAY_WORDS = (
    "Gross pay %(gross)s is below the hours times the rate (%(owed)s, with overtime at 1.5× "
    "and double time at 2×). Check the hours, the rate and the gross pay."
)
# Cents of rounding tolerated in every comparison.
TOLERANCE = Decimal("0.01")


def warning(check: str, *, row, column: str, value, message: str, week=None) -> dict:
    found = problem(row=row, column=column, value=value, message=message)
    found["check"] = check
    if week is not None:
        found["week"] = week.isoformat() if hasattr(week, "isoformat") else str(week)
    return found


def number(text) -> Decimal | None:
    """A figure of the file, or None where it is blank or not a number (the validator, not
    this, says what is wrong with a value)."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        value = Decimal(str(text).strip().replace(",", "").lstrip("$"))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def check_daily_hours(*, row: int, days: list[tuple], totals: tuple, week) -> list[dict]:
    """Daily hours (straight, overtime, double time of each day) that do not add up to the
    week's totals as the file states them. A total the file leaves blank is not compared."""
    found = []
    names = ("straight time", "overtime", "double time")
    for index, name in enumerate(names):
        total = number(totals[index]) if index < len(totals) else None
        if total is None:
            continue
        parts = [number(day[index]) for day in days if index < len(day)]
        summed = sum((p for p in parts if p is not None), Decimal(0))
        if abs(summed - total) > TOLERANCE:
            found.append(
                warning(
                    DAILY_HOURS,
                    row=row,
                    column=name,
                    value=total,
                    week=week,
                    message=f"The days add up to {summed:f} {name} hours, but the week's "
                    f"total says {total:f}. Check the daily hours and the total.",
                )
            )
    return found


def check_consecutive_days(*, row: int, dates: list, week_ending: datetime.date) -> list[dict]:
    """The days of a week are consecutive dates within the seven days ending on the week
    ending: no day repeated, skipped over, out of order or outside the week."""
    parsed = []
    for text in dates:
        try:
            parsed.append(datetime.date.fromisoformat(str(text).strip()[:10]))
        except ValueError:
            continue
    if not parsed:
        return []
    first = week_ending - datetime.timedelta(days=6)
    outside = [d for d in parsed if not first <= d <= week_ending]
    gaps = any((b - a).days != 1 for a, b in zip(parsed, parsed[1:], strict=False))
    if not outside and not gaps:
        return []
    listed = ", ".join(f"{d:%m/%d}" for d in parsed)
    reason = (
        f"{outside[0]:%m/%d/%Y} is outside the week ending {week_ending:%m/%d/%Y}"
        if outside
        else "they are not one day after another"
    )
    return [
        warning(
            DAYS_NOT_CONSECUTIVE,
            row=row,
            column="days",
            value=listed,
            week=week_ending,
            message=f"The days listed ({listed}) are not consecutive: {reason}. Check the "
            "dates of the days worked.",
        )
    ]


def check_all_work_gross(*, row: int, this_project, all_work, week) -> list[dict]:
    """This project's gross pay cannot be more than the gross for all work that week."""
    here, everywhere = number(this_project), number(all_work)
    if here is None or everywhere is None or here <= everywhere + TOLERANCE:
        return []
    return [
        warning(
            GROSS_ABOVE_ALL_WORK,
            row=row,
            column="gross (this project)",
            value=here,
            week=week,
            message=f"Gross pay on this project (${here:,.2f}) is more than the gross for all "
            f"work that week (${everywhere:,.2f}). Check both amounts.",
        )
    ]


def check_deductions(*, row: int, parts: list, total, week) -> list[dict]:
    """The deductions listed add up to the total deductions the file states."""
    stated = number(total)
    if stated is None:
        return []
    summed = sum((p for p in map(number, parts) if p is not None), Decimal(0))
    if abs(summed - stated) <= TOLERANCE:
        return []
    return [
        warning(
            DEDUCTIONS,
            row=row,
            column="total deductions",
            value=stated,
            week=week,
            message=f"The deductions listed add up to ${summed:,.2f}, but the total says "
            f"${stated:,.2f}. Check each deduction and the total.",
        )
    ]


def owed_pay(straight: Decimal, overtime: Decimal, doubletime: Decimal, rate: Decimal) -> Decimal:
    """Hours × rate with the overtime premium: 1.5× for overtime, 2× for double time."""
    premium = overtime * OVERTIME_PREMIUM + doubletime * DOUBLETIME_PREMIUM
    return (straight + premium) * rate


def check_gross_pay(lines, *, column: str, words: str = GROSS_BELOW_PAY_WORDS) -> list[dict]:
    """Gross pay below the line's hours × rate with the overtime premium (lines that give a
    gross pay; `lines` are validated lines). `words`: GROSS_BELOW_PAY_WORDS in the reader's
    language."""
    found = []
    for line in lines:
        if line.gross_pay is None:
            continue
        owed = owed_pay(
            line.straight_hours, line.overtime_hours, line.doubletime_hours, line.hourly_rate
        )
        if line.gross_pay + TOLERANCE < owed:
            found.append(
                warning(
                    GROSS_BELOW_PAY,
                    row=line.row_number,
                    column=column,
                    value=line.gross_pay,
                    week=line.week_ending,
                    message=words % {"gross": f"${line.gross_pay:,.2f}", "owed": f"${owed:,.2f}"},
                )
            )
    return found
