"""The reporting obligation of every assignment (SPEC §3.4), once.

Every assignment owes one report per calendar month from the month it starts to the month
its obligation ends (its own end date, or the project's expected completion), due on the
agreement's `report_due_day` of the next month. As of a date, each month is:

- `received` (on time): first submitted on or before its due date (a "no work" report
  counts);
- `late`: first submitted after its due date; an amendment does not change that;
  a month whose report came from the city's open data is never late (the city publishes
  what contractors filed with it; when they filed is not ours to judge);
- `missing`: nothing submitted and the due date has passed;
- `not_due`: nothing submitted yet and the due date has not passed.

Reports due = on time + late + missing. The engine's reporting evaluation (and so the
`missing_report` flags) and the contractor's month table both ask these functions, so they
cannot disagree. Imports only `compliance.months`: the agreement and the assignment are
taken as they come.
"""

import datetime

from django.utils.translation import pgettext_lazy

from compliance.months import add_months, month_start, months_between

RECEIVED = "received"
LATE = "late"
MISSING = "missing"
NOT_DUE = "not_due"
STATUS_LABELS = {
    RECEIVED: pgettext_lazy("report", "Received"),
    LATE: pgettext_lazy("report", "Late"),
    MISSING: pgettext_lazy("report", "Missing"),
    NOT_DUE: pgettext_lazy("report", "Not yet due"),
}


DEFAULT_DUE_DAY = 15


def report_due_day(project) -> int:
    """The day of the next month a project's monthly reports are due.

    A project bound by several agreements still owes one report a month per assignment: its
    due day is the primary agreement's `report_due_day` (the earliest effective; the rule
    of which agreement governs what is `projects.models.governing_agreement`), 15 when no
    agreement is recorded yet. Every caller (the engine, the upload's lateness, reminders,
    the portfolio, the contractor's month table) asks here."""
    agreement = project.agreement
    return agreement.report_due_day if agreement is not None else DEFAULT_DUE_DAY


def project_due_date(project, period: datetime.date) -> datetime.date:
    """When a project's report for a month is due (see `report_due_day`)."""
    return due_date(period, due_day=report_due_day(project))


def due_date(period: datetime.date, *, due_day: int) -> datetime.date:
    """A month's report is due on `due_day` (the agreement's `report_due_day`, at most 28)
    of the next month: October 2026 with 15 → November 15, 2026."""
    return add_months(period, 1).replace(day=due_day)


def month_status(
    *,
    due_date: datetime.date,
    as_of: datetime.date,
    first_submitted: datetime.date | None,
    from_open_data: bool = False,
) -> str:
    """A month's status as of a date, from the day its first report came in (None when
    none had by then): received, late, missing or not_due (see the module's docstring)."""
    if first_submitted is not None:
        return LATE if first_submitted > due_date and not from_open_data else RECEIVED
    return MISSING if as_of > due_date else NOT_DUE


def months_owed(assignment, *, through: datetime.date) -> list[datetime.date]:
    """The months an assignment owes a report for, oldest first, from its start to its
    obligation's end or `through`'s month, whichever comes first."""
    last = min(month_start(assignment.obligation_end), month_start(through))
    return months_between(assignment.start_date, last)
