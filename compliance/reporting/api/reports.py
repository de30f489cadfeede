"""Reports API: submit JSON, upload a file, list and read reports, download the template.

Bad input answers 422 with the same error list as the web page and the command line:
{"detail": "...", "errors": [{"row", "column", "value", "message"}]}.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from cba.answers import answers, file_answer
from cba.errors import InvalidInput, TooLarge
from cba.paging import MAX_OFFSET, Paging
from compliance.models import Report
from compliance.months import Period
from compliance.reporting.intake.files import check_size
from compliance.reporting.intake.outcome import SubmitResult
from compliance.reporting.intake.selectors import (
    month_to_file,
    reporting_months,
    reports_filtered,
    visible_assignment,
)
from compliance.reporting.intake.store import report_submit
from compliance.reporting.intake.template import build_template, template_filename
from compliance.reporting.intake.upload import report_upload
from compliance.reporting.intake.versions import report_no_work, report_restore, restore_summary
from projects import access

router = Router(tags=["reports"])

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_LINES_PER_PAGE = 5000


class ReportOut(Schema):
    id: int
    project: str
    contractor: str
    period: str
    version: int
    is_current: bool
    source: str
    no_work: bool
    submitted_at: datetime.datetime
    submitted_by: str | None
    is_late: bool
    line_count: int
    total_hours: Decimal
    worker_count: int
    sha256: str
    original_filename: str
    file_url: str | None

    @staticmethod
    def resolve_project(report: Report) -> str:
        return report.assignment.project.slug

    @staticmethod
    def resolve_contractor(report: Report) -> str:
        return report.assignment.contractor.slug

    @staticmethod
    def resolve_period(report: Report) -> str:
        return f"{report.period:%Y-%m}"

    @staticmethod
    def resolve_submitted_by(report: Report) -> str | None:
        return report.submitted_by.username if report.submitted_by else None

    @staticmethod
    def resolve_file_url(report: Report, context) -> str | None:
        """The download link, only for those who may download the original (else null)."""
        request = (context or {}).get("request")
        user = getattr(request, "auth", None) or getattr(request, "user", None)
        if not report.source_file or not access.can_download_report_file(user, report):
            return None
        return reverse("report_file", kwargs={"report_id": report.pk})


class Problem(Schema):
    row: int | None
    column: str
    value: str
    message: str


class LineOut(Schema):
    row_number: int
    worker_id: str | None = Field(description="Null on open data lines: no worker identity.")
    worker_name: str | None
    craft: str
    apprentice: str
    apprentice_level: int | None
    week_ending: datetime.date
    straight_hours: Decimal
    overtime_hours: Decimal
    doubletime_hours: Decimal
    hours: Decimal
    hourly_rate: Decimal | None
    fringe_rate: Decimal
    gross_pay: Decimal | None
    home_zip: str
    gender: str
    ethnicity: str
    veteran: bool | None
    disadvantaged: bool | None
    new_hire: bool | None
    reported_resident: bool | None = None
    person_of_color: bool | None = None


class PaymentOut(Schema):
    row_number: int
    date: datetime.date
    subcontractor: str = Field(description="The subcontractor's slug.")
    amount: Decimal


class ReportDetailOut(Schema):
    report: ReportOut
    warnings: list[Problem]
    versions: list[ReportOut]
    payments: list[PaymentOut] = Field(
        [], description="The version's payments to subcontractors (SPEC §3.7)."
    )
    lines_offset: int
    lines_limit: int
    lines: list[LineOut]


class SubmitIn(Schema):
    period: Period
    lines: list[dict[str, Any]] | None = Field(
        None,
        description="One object per worker, week and craft, with the template's columns in "
        "snake_case (worker_id, craft, week_ending, straight_hours, hourly_rate, ...).",
    )
    payments: list[dict[str, Any]] | None = Field(
        None,
        description="A prime's payments to its subcontractors this month, one object each: "
        '{"date": "2026-05-15", "subcontractor": "slug", "amount": "100000.00"}. A report '
        "may carry payments and no lines.",
    )
    no_work: bool = False
    confirm_replace: bool = False
    check_only: bool = Field(
        False,
        description="Run every check and say what the report would do (lines under the wage "
        "floor, what would be owed, the change in each of your shares), storing nothing.",
    )


class RestoreIn(Schema):
    version: int


class UnderpaidLineOut(Schema):
    worker: str
    week_ending: datetime.date
    craft: str
    hours: Decimal
    paid: Decimal
    required: Decimal
    owed: Decimal


class ShareChangeOut(Schema):
    commitment: str
    group: str
    target_percent: Decimal | None
    before_percent: Decimal | None
    after_percent: Decimal | None


class EffectsOut(Schema):
    underpaid_lines: list[UnderpaidLineOut]
    owed: Decimal
    shares: list[ShareChangeOut]


class CheckedOut(Schema):
    version: int
    line_count: int
    total_hours: Decimal
    worker_count: int
    is_late: bool


class SubmitOut(Schema):
    unchanged: bool
    checked: bool = Field(False, description="A check: nothing was stored, `report` is null.")
    message: str
    line_delta: int | None
    hours_delta: Decimal | None
    warnings: list[Problem]
    effect_warnings: list[str] = Field(
        [], description='What the report does: "2 lines under the wage floor: $186.00 ..."'
    )
    effects: EffectsOut | None = None
    would_be: CheckedOut | None = None
    report: ReportOut | None


def effects_out(result: SubmitResult) -> dict | None:
    effects = result.effects
    if effects is None:
        return None
    return {
        "underpaid_lines": effects.underpaid,
        "owed": effects.owed,
        "shares": [
            {
                "commitment": share.title,
                "group": share.group,
                "target_percent": share.target,
                "before_percent": share.before,
                "after_percent": share.after,
            }
            for share in effects.shares
        ],
    }


def submitted(result: SubmitResult):
    body = {
        "unchanged": result.unchanged,
        "checked": result.checked,
        "message": result.summary(),
        "line_delta": result.line_delta,
        "hours_delta": result.hours_delta,
        "warnings": result.warnings,
        "effect_warnings": result.effect_warnings,
        "effects": effects_out(result),
        "would_be": result.report if result.checked else None,
        "report": None if result.checked else result.report,
    }
    return (200 if result.unchanged or result.checked else 201), body


@router.post(
    "/projects/{slug}/contractors/{contractor}/reports",
    response=answers({200: SubmitOut, 201: SubmitOut}, 403, 404, 409, body=True),
    summary="Submit a month's report as JSON",
)
def submit_report(request, slug: str, contractor: str, payload: SubmitIn):
    """`{"period": "2026-10", "lines": [...]}` with the template's fields in snake_case (and
    a prime's `payments` to its subcontractors), or `{"period": "2026-10", "no_work": true}`.
    201 with the new version; 200 when it is the same as the current version; 422 with
    every error found (nothing stored). No work over a current version with lines answers
    409 with the lines and hours that would stop counting, unless the body has
    `"confirm_replace": true`. With `"check_only": true` every check runs and the answer
    (200, `checked`) says what the report would do, storing nothing."""
    assignment = visible_assignment(request.user, slug, contractor)
    access.require(access.can_submit_report(request.user, assignment))
    if payload.no_work and payload.check_only:
        raise InvalidInput(
            "A check takes payroll lines; a month without work has nothing to check.", errors=[]
        )
    if payload.no_work and payload.payments:
        raise InvalidInput(
            "A month without work carries no payments: send the payments without "
            '"no_work" (a report may carry payments and no lines).',
            errors=[],
        )
    if payload.no_work:
        result = report_no_work(
            assignment=assignment,
            period=payload.period,
            user=request.user,
            confirm_replace=payload.confirm_replace,
        )
    else:
        result = report_submit(
            assignment=assignment,
            period=payload.period,
            rows=payload.lines if payload.lines is not None else [],
            payments=payload.payments,
            source=Report.Source.API,
            user=request.user,
            check_only=payload.check_only,
            measure=True,
        )
    return submitted(result)


@router.post(
    "/projects/{slug}/contractors/{contractor}/reports/upload",
    response=answers({200: SubmitOut, 201: SubmitOut}, 403, 404, body=True),
    summary="Upload a month's file (template, own export, eCPR or New York XML)",
)
def upload_report(
    request,
    slug: str,
    contractor: str,
    period: Form[Period],
    file: File[UploadedFile],
    check_only: Form[bool] = False,
    mapping: str = Form(
        "",
        max_length=100,
        description="The name of your saved mapping to read your own payroll export (.xlsx or "
        ".csv) with. Without it, a saved mapping whose headers the file has is used.",
    ),
):
    """Multipart form with `period` (YYYY-MM) and `file`; the type is read from the content:
    the project's template (.xlsx), your own export (.xlsx or .csv, through a saved
    mapping), California's eCPR XML or New York's ProjectRollup XML (one week each). 413
    for a file over the upload limit; 422 for an export no saved mapping fits (map it once
    on the upload page). With `check_only` true, every check runs and the answer (200,
    `checked`) says what the report would do, storing nothing. `warnings` lists the
    integrity checks' findings (SPEC §5.5), kept with the report."""
    assignment = visible_assignment(request.user, slug, contractor)
    access.require(access.can_submit_report(request.user, assignment))
    try:
        check_size(file.size)
    except InvalidInput as error:
        if file.size > settings.UPLOAD_MAX_BYTES:
            raise TooLarge(error.message, errors=error.errors) from None
        raise
    result = report_upload(
        assignment=assignment,
        period=period,
        content=file.read(),
        filename=file.name or "",
        user=request.user,
        check_only=check_only,
        measure=True,
        mapping=mapping,
    )
    return submitted(result)


@router.post(
    "/projects/{slug}/contractors/{contractor}/reports/{period}/restore",
    response=answers({201: SubmitOut}, 403, 404, body=True),
    summary="Make an earlier version of a month current again",
)
def restore_report(request, slug: str, contractor: str, period: Period, payload: RestoreIn):
    """`{"version": N}`: stores version N's lines, source and file again as the month's new
    current version (201), and evaluates the project again. 404 when the month has no
    version N; 422 when it is already current or has the current version's content."""
    assignment = visible_assignment(request.user, slug, contractor)
    access.require(access.can_submit_report(request.user, assignment))
    result = report_restore(
        assignment=assignment, period=period, version=payload.version, user=request.user
    )
    status, body = submitted(result)
    body["message"] = restore_summary(result, payload.version)
    return status, body


@router.get("/reports", response=answers(list[ReportOut]), summary="List reports")
@paginate(Paging)
def list_reports(
    request,
    project: str = "",
    contractor: str = "",
    period: Period | None = None,
    current: bool | None = None,
):
    """Reports this user may see, newest month first; filter by project and contractor slug,
    period (YYYY-MM) and current (true: only the current version of each month)."""
    return reports_filtered(
        access.reports_for(request.user),
        project=project,
        contractor=contractor,
        period=period,
        current=current,
    ).order_by("-period", "assignment__contractor__name", "-version")


@router.get(
    "/projects/{slug}/reports",
    response=answers(list[ReportOut], 404),
    summary="List a project's reports",
)
@paginate(Paging)
def list_project_reports(
    request,
    slug: str,
    contractor: str = "",
    period: Period | None = None,
    current: bool | None = None,
):
    project = access.project_for(request.user, slug)
    return reports_filtered(
        access.reports_for(request.user).filter(assignment__project=project),
        contractor=contractor,
        period=period,
        current=current,
    ).order_by("-period", "assignment__contractor__name", "-version")


@router.get(
    "/projects/{slug}/reports/{report_id}",
    response=answers(ReportDetailOut, 404),
    summary="A report version with its lines and the month's other versions",
)
def report_detail(
    request,
    slug: str,
    report_id: int,
    offset: int = Query(0, ge=0, le=MAX_OFFSET, description="Lines to skip."),
    limit: int = Query(1000, ge=0, le=MAX_LINES_PER_PAGE, description="Lines on the page."),
):
    """Lines are paged with offset and limit (at most 5,000 a page); worker names only for
    those allowed to see them."""
    project = access.project_for(request.user, slug)
    report = get_object_or_404(
        reports_filtered(access.reports_for(request.user).filter(assignment__project=project)),
        pk=report_id,
    )
    show_names = access.can_see_worker_names(request.user, project, report.assignment)
    lines = report.lines.select_related("worker", "craft").order_by("row_number", "id")
    versions = reports_filtered(
        Report.objects.filter(assignment=report.assignment, period=report.period)
    ).order_by("-version")
    return {
        "report": report,
        "warnings": report.warnings,
        "versions": list(versions),
        "payments": [
            {
                "row_number": p.row_number,
                "date": p.date,
                "subcontractor": p.subcontractor.contractor.slug,
                "amount": p.amount,
            }
            for p in report.payments.select_related("subcontractor__contractor").order_by(
                "row_number", "id"
            )
        ],
        "lines_offset": offset,
        "lines_limit": limit,
        "lines": [line_out(line, show_names) for line in lines[offset : offset + limit]],
    }


@router.get(
    "/projects/{slug}/contractors/{contractor}/template",
    response=answers(None, 404),
    openapi_extra=file_answer(XLSX_TYPE, "The template workbook."),
    summary="Download the Excel template",
)
def template(request, slug: str, contractor: str, period: Period | None = None):
    """The project's .xlsx template for this contractor and month (default: the latest due)."""
    assignment = visible_assignment(request.user, slug, contractor)
    month = period
    if month is None:
        default = month_to_file(reporting_months(assignment=assignment))
        month = default.period if default else assignment.start_date.replace(day=1)
    response = HttpResponse(build_template(assignment=assignment, period=month), XLSX_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="{template_filename(assignment, month)}"'
    )
    return response


def line_out(line, show_names: bool) -> dict:
    return {
        "row_number": line.row_number,
        "worker_id": line.worker.worker_key if line.worker else None,
        "worker_name": (line.worker.name or None) if show_names and line.worker else None,
        "craft": line.craft.name,
        "apprentice": "RA" if line.is_apprentice else "J",
        "apprentice_level": line.apprentice_level,
        "week_ending": line.week_ending,
        "straight_hours": line.straight_hours,
        "overtime_hours": line.overtime_hours,
        "doubletime_hours": line.doubletime_hours,
        "hours": line.hours,
        "hourly_rate": line.hourly_rate,
        "fringe_rate": line.fringe_rate,
        "gross_pay": line.gross_pay,
        "home_zip": line.home_zip,
        "gender": line.gender,
        "ethnicity": line.ethnicity,
        "veteran": line.veteran,
        "disadvantaged": line.disadvantaged,
        "new_hire": line.new_hire,
        "reported_resident": line.reported_resident,
        "person_of_color": line.person_of_color,
    }
