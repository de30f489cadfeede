"""Reads New York's certified payroll bulk-upload XML (`ProjectRollup`, SPEC §5.4).

The New York State Department of Labor takes certified payroll as XML: a `ProjectRollup`
holding the project's information and a payroll week, whose employees carry their name,
the last four digits of their SSN, `nysRegisteredApprentice`, trade and classification,
each day's straight and overtime hours, `stHourlyRate` and `otHourlyRate`, supplemental
benefits per hour, gross pay (this project and all work) and deductions. One file is one
week, which replaces that week's lines of the month's report, like eCPR.

Mapping: worker ID = a keyed hash (settings.WORKER_ID_KEY, the key of eCPR's) of the
normalized name and the last four digits, neither of which is stored; apprentice from
`nysRegisteredApprentice`; craft from the trade (the classification when there is none);
straight and overtime hours summed from the days; hourly rate from `stHourlyRate`; fringe
rate from the supplemental benefits per hour; gross pay from the gross for this project.
The kept copy is written from the parsed tree without the last four digits. Tags are
matched without regard to case or namespace. DTDs and entities are refused.

Runs in the parse child: nothing of Django.
"""

import datetime
import hashlib
import hmac
import re
from decimal import Decimal

from compliance.reporting.intake import integrity
from compliance.reporting.intake.ecpr import EcprWeek, is_number, kept_copy, local
from compliance.reporting.intake.table import Table, refuse

ROOT = "projectrollup"
WITHHELD = frozenset({"lastFourSSN", "lastfourssn", "ssn", "ssnLastFour", "street"})
WHAT = "New York payroll XML file"

COLUMNS = (
    ("worker_id", "name and lastFourSSN"),
    ("worker_name", "name"),
    ("home_zip", "zip"),
    ("craft", "trade"),
    ("apprentice", "nysRegisteredApprentice"),
    ("week_ending", "weekEndingDate"),
    ("straight_hours", "days/stHours"),
    ("overtime_hours", "days/otHours"),
    ("hourly_rate", "stHourlyRate"),
    ("fringe_rate", "supplementalBenefitsPerHour"),
    ("gross_pay", "grossPay"),
)
DEDUCTION_TOTAL = "totaldeductions"


def key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def find(element, *names: str):
    """The first child named one of `names` (case, dashes and namespaces ignored)."""
    if element is None:
        return None
    wanted = {key(n) for n in names}
    for sub in element:
        if key(local(sub.tag)) in wanted:
            return sub
    return None


def find_all(element, *names: str) -> list:
    if element is None:
        return []
    wanted = {key(n) for n in names}
    return [sub for sub in element if key(local(sub.tag)) in wanted]


def text(element, *names: str) -> str:
    if element is None:
        return ""
    node = find(element, *names) if names else element
    return "" if node is None else " ".join((node.text or "").split())


def worker_key_for(name: str, last_four: str, *, key_text: str) -> str:
    """The stored worker ID of a New York worker: a keyed hash of the normalized name and the
    last four SSN digits (neither is stored)."""
    normalized = " ".join(re.sub(r"[^a-z ]", " ", name.casefold()).split())
    message = f"ny:{normalized}:{last_four}"
    return hmac.new(key_text.encode(), message.encode(), hashlib.sha256).hexdigest()


def is_rollup(root) -> bool:
    return key(local(root.tag)) == ROOT


def read_rollup(root, *, max_rows: int, worker_id_key: str) -> EcprWeek:
    project = find(root, "ProjectInfo", "Project")
    project = root if project is None else project
    weeks = find_all(project, "PayrollWeek", "Payroll") or find_all(root, "PayrollWeek")
    if len(weeks) != 1:
        raise refuse(
            f"The {WHAT} holds {len(weeks)} payroll weeks; upload one file per week (one "
            "<PayrollWeek>)."
        )
    week = weeks[0]
    week_text = text(week, "weekEndingDate", "weekEnding", "payrollWeekEnding")
    try:
        week_ending = datetime.date.fromisoformat(week_text)
    except ValueError:
        raise refuse(
            f"The {WHAT}'s <weekEndingDate> is “{week_text}”, not a date like 2026-10-10. "
            "Export the file again from your payroll program."
        ) from None
    no_work = text(week, "noWork", "noWorkPerformed").casefold() in {"true", "1", "y", "yes"}
    employees = find_all(find(week, "Employees"), "Employee")
    if no_work and employees:
        raise refuse(
            f"The {WHAT} states no work that week (<noWork>true</noWork>) but lists "
            "employees. Set it to false, or remove the employees."
        )
    if not no_work and not employees:
        raise refuse(
            f"The {WHAT} lists no employees. If nobody worked that week, set "
            "<noWork>true</noWork>; otherwise export the file again."
        )
    if len(employees) > max_rows:
        raise refuse(
            f"The {WHAT} lists {len(employees):,} employees; at most {max_rows:,} lines are "
            "accepted in one report."
        )
    rows, warnings = [], []
    for number, employee in enumerate(employees, start=1):
        row, found = employee_row(employee, number, week_text, week_ending, worker_id_key)
        rows.append(row)
        warnings += found
    table = Table(
        columns={name: i for i, (name, _) in enumerate(COLUMNS)},
        headers=dict(COLUMNS),
        rows=rows,
        row_numbers=list(range(1, len(rows) + 1)),
        warnings=warnings,
    )
    return EcprWeek(
        week_ending=week_ending, no_work=no_work, table=table, kept=kept_copy(root, WITHHELD)
    )


def worker_name(employee) -> str:
    full = text(employee, "name", "employeeName")
    if full:
        return full
    return " ".join(
        part for part in (text(employee, "firstName"), text(employee, "lastName")) if part
    )


def summed(days: list, *names: str) -> str:
    total = Decimal(0)
    for day in days:
        value = text(day, *names)
        if not value:
            continue
        if not is_number(value):
            return value
        total += Decimal(value)
    return str(total)


def employee_row(employee, row: int, week_text: str, week_ending, worker_id_key: str):
    name = worker_name(employee)
    last_four = re.sub(r"\D", "", text(employee, "lastFourSSN", "ssnLastFour"))
    worker = (
        worker_key_for(name, last_four, key_text=worker_id_key)
        if name and len(last_four) == 4
        else ""
    )
    flag = text(employee, "nysRegisteredApprentice").casefold()
    apprentice = {"true": "RA", "1": "RA", "y": "RA", "yes": "RA"}.get(flag, "J" if flag else "")
    days = find_all(find(employee, "Days", "DailyHours"), "Day")
    straight = summed(days, "stHours", "straightHours")
    overtime = summed(days, "otHours", "overtimeHours")
    gross = find(employee, "grossPay", "gross")
    this_project = text(gross, "thisProject") if gross is not None and len(gross) else text(gross)
    row_values = [
        worker,
        name,
        text(employee, "zip", "zipCode", "homeZip") or text(find(employee, "address"), "zip"),
        text(employee, "trade") or text(employee, "classification"),
        apprentice,
        week_text,
        straight,
        overtime,
        text(employee, "stHourlyRate"),
        text(employee, "supplementalBenefitsPerHour", "supplementalBenefits") or "0",
        this_project,
    ]
    found = integrity.check_daily_hours(
        row=row,
        days=[
            (text(d, "stHours", "straightHours"), text(d, "otHours", "overtimeHours")) for d in days
        ],
        totals=(text(employee, "totalStHours"), text(employee, "totalOtHours")),
        week=week_ending,
    )
    found += integrity.check_consecutive_days(
        row=row, dates=[text(d, "date") for d in days], week_ending=week_ending
    )
    found += integrity.check_all_work_gross(
        row=row,
        this_project=this_project,
        all_work=text(employee, "grossPayAllWork") or text(gross, "allWork"),
        week=week_ending,
    )
    deductions = find(employee, "Deductions")
    if deductions is not None:
        found += integrity.check_deductions(
            row=row,
            parts=[d.text or "" for d in deductions if key(local(d.tag)) != DEDUCTION_TOTAL],
            total=text(deductions, "totalDeductions"),
            week=week_ending,
        )
    return row_values, found
