"""Reads of reports shared by the contractor pages, the API and the command line."""

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cba.errors import InvalidInput
from compliance import months
from compliance.models import Report
from compliance.months import month_start
from compliance.reporting import obligation
from compliance.reporting.intake.store import due_date
from projects import access
from projects.models import Assignment


def visible_assignment(user, slug: str, contractor: str) -> Assignment:
    """A contractor's assignment on a project, if this user may see it; 404 otherwise."""
    project = access.project_for(user, slug)
    return get_object_or_404(
        access.assignments_for(user)
        .filter(project=project)
        .select_related("project", "contractor")
        .prefetch_related("project__agreements"),
        contractor__slug=contractor,
    )


def parse_period(text: str) -> datetime.date:
    """ "2026-10" → October 1, 2026 (compliance.months); anything else is refused with what
    to send, as an InvalidInput for the pages and the command line."""
    try:
        return months.parse_period(str(text or "").strip())
    except months.PeriodError as error:
        raise InvalidInput(
            str(error),
            errors=[
                {
                    "row": None,
                    "column": "period",
                    "value": str(text or ""),
                    "message": months.PERIOD_HELP,
                }
            ],
        ) from None


@dataclass(frozen=True)
class ReportingMonth:
    period: datetime.date
    due_date: datetime.date
    status: str
    report: Report | None

    @property
    def status_label(self) -> str:
        return str(obligation.STATUS_LABELS[self.status])

    @property
    def key(self) -> str:
        return f"{self.period:%Y-%m}"


def reporting_months(
    *, assignment: Assignment, today: datetime.date | None = None
) -> list[ReportingMonth]:
    """The assignment's months from its start to now (or its end), newest first, each with
    its status under the reporting obligation (`compliance.reporting.obligation`)."""
    today = today or timezone.localdate()
    first_filed = (
        Report.objects.filter(assignment=assignment, period=OuterRef("period"))
        .order_by("submitted_at")
        .values("submitted_at")[:1]
    )
    current = {
        report.period: report
        for report in Report.objects.filter(assignment=assignment, is_current=True)
        .only(
            "id",
            "period",
            "version",
            "is_late",
            "no_work",
            "line_count",
            "total_hours",
            "worker_count",
            "submitted_at",
            "source",
        )
        .annotate(first_submitted=Subquery(first_filed))
    }
    months = []
    for period in reversed(obligation.months_owed(assignment, through=today)):
        due = due_date(assignment, period)
        report = current.get(period)
        first = timezone.localdate(report.first_submitted) if report else None
        status = obligation.month_status(
            due_date=due,
            as_of=today,
            first_submitted=first,
            from_open_data=report is not None and report.source == Report.Source.OPEN_DATA,
        )
        months.append(ReportingMonth(period=period, due_date=due, status=status, report=report))
    return months


def month_to_file(months: list[ReportingMonth]) -> ReportingMonth | None:
    """The month a clerk most likely wants: the earliest ended month without a report (a
    missing month before one not yet due; never the unfinished current month), else the
    newest month. `months` come newest first, as `reporting_months` gives them."""
    this_month = month_start(timezone.localdate())
    for month in reversed(months):
        if month.report is None and month.period < this_month:
            return month
    return months[0] if months else None


def month_versions(*, assignment: Assignment, period: datetime.date) -> list[dict]:
    """Every version of one month, newest first, each with its change from the one before."""
    versions = list(
        Report.objects.filter(assignment=assignment, period=period)
        .select_related("submitted_by")
        .order_by("version")
    )
    rows = []
    previous = None
    for report in versions:
        rows.append(
            {
                "report": report,
                "line_delta": None if previous is None else report.line_count - previous.line_count,
                "hours_delta": None
                if previous is None
                else report.total_hours - previous.total_hours,
            }
        )
        previous = report
    return rows[::-1]


def reports_filtered(
    reports: QuerySet[Report],
    *,
    project: str = "",
    contractor: str = "",
    period: datetime.date | None = None,
    current: bool | None = None,
) -> QuerySet[Report]:
    """A visible reports queryset narrowed by the list filters of the pages and the API."""
    if project:
        reports = reports.filter(assignment__project__slug=project)
    if contractor:
        reports = reports.filter(assignment__contractor__slug=contractor)
    if period:
        reports = reports.filter(period=period)
    if current is not None:
        reports = reports.filter(is_current=current)
    return reports.select_related("assignment__project", "assignment__contractor", "submitted_by")
