"""Contractor reporting pages: months due and received, upload, no-work, versions, restore,
template.

Contractors see and file their own assignment's reports; reviewers, the law center and the
project's owner may look, read-only; worker names only where access allows.
"""

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from cba.errors import Conflict, InvalidInput
from compliance.formatting import long_date, long_month
from compliance.reporting.intake.files import check_size, megabytes
from compliance.reporting.intake.selectors import (
    month_to_file,
    month_versions,
    parse_period,
    reporting_months,
    visible_assignment,
)
from compliance.reporting.intake.store import current_report
from compliance.reporting.intake.template import build_template, template_filename
from compliance.reporting.intake.upload import report_upload
from compliance.reporting.intake.versions import (
    lines_that_stop_counting,
    month_version,
    report_no_work,
    report_restore,
    restore_summary,
)
from compliance.storage import attachment
from projects import access

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONTHS_PER_PAGE = 24
LINES_PER_PAGE = 100


class UploadForm(forms.Form):
    period = forms.ChoiceField(label="Month")
    file = forms.FileField(
        label="Report file",
        help_text="The project's Excel template (.xlsx) or your eCPR XML file; at most "
        f"{megabytes(settings.UPLOAD_MAX_BYTES)}.",
    )

    def __init__(self, *args, months=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(m.key, f"{long_month(m.period)}") for m in months]
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.xml"


def period_in_url(text: str) -> datetime.date:
    """The month a URL names (compliance.months.Period's rule); 404 for anything else."""
    try:
        return parse_period(text)
    except InvalidInput:
        raise Http404 from None


def assignment_url(assignment) -> str:
    return reverse(
        "assignment_reports",
        kwargs={"slug": assignment.project.slug, "contractor": assignment.contractor.slug},
    )


def month_url(assignment, period: datetime.date) -> str:
    return reverse(
        "report_month",
        kwargs={
            "slug": assignment.project.slug,
            "contractor": assignment.contractor.slug,
            "period": f"{period:%Y-%m}",
        },
    )


@login_required
def contractor_reports(request, slug: str):
    """A project's reports: a contractor's own, or for monitors a choice of contractor."""
    project = access.project_for(request.user, slug)
    assignments = (
        access.assignments_for(request.user).filter(project=project).select_related("contractor")
    )
    chosen = request.GET.get("contractor", "")
    if access.role_of(request.user) == access.CONTRACTOR:
        assignment = assignments.first()
        if assignment is None:
            raise Http404
        return redirect(assignment_url(assignment))
    if chosen:
        assignment = get_object_or_404(assignments, contractor__slug=chosen)
        return redirect(assignment_url(assignment))
    return render(
        request,
        "reporting/reports/choose_contractor.html",
        {"project": project, "assignments": assignments},
    )


@login_required
def assignment_reports(request, slug: str, contractor: str):
    """Month by month: due date, status, version, hours and lines; upload and template."""
    assignment = visible_assignment(request.user, slug, contractor)
    months = reporting_months(assignment=assignment)
    default = month_to_file(months)
    page = Paginator(months, MONTHS_PER_PAGE).get_page(request.GET.get("page"))
    can_submit = access.can_submit_report(request.user, assignment)
    return render(
        request,
        "reporting/reports/assignment.html",
        {
            "assignment": assignment,
            "project": assignment.project,
            "page": page,
            "can_submit": can_submit,
            "can_view_standing": access.can_view_standing(request.user, assignment),
            "form": UploadForm(initial={"period": default.key}, months=months)
            if can_submit and default
            else None,
            "template_period": default.key if default else "",
        },
    )


@login_required
def report_upload_view(request, slug: str, contractor: str):
    """Upload a month's file; on failure the page lists every problem, row by row."""
    assignment = visible_assignment(request.user, slug, contractor)
    access.require(access.can_submit_report(request.user, assignment))
    months = reporting_months(assignment=assignment)
    failure = None
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, months=months)
        check_only = "check_only" in request.POST
        if form.is_valid():
            uploaded = form.cleaned_data["file"]
            period = parse_period(form.cleaned_data["period"])
            try:
                check_size(uploaded.size)
                result = report_upload(
                    assignment=assignment,
                    period=period,
                    content=uploaded.read(),
                    filename=uploaded.name,
                    user=request.user,
                    check_only=check_only,
                    measure=True,
                )
            except InvalidInput as error:
                failure = error
            else:
                if check_only:
                    return render(
                        request,
                        "reporting/reports/upload.html",
                        {
                            "assignment": assignment,
                            "project": assignment.project,
                            "form": form,
                            "checked": result,
                            "checked_file": uploaded.name,
                        },
                    )
                level = messages.INFO if result.unchanged else messages.SUCCESS
                messages.add_message(request, level, result.summary())
                for warning in result.effect_warnings:
                    messages.warning(request, warning)
                if result.warnings:
                    messages.warning(
                        request,
                        f"{len(result.warnings)} warning(s): see version "
                        f"{result.report.version}'s page.",
                    )
                return redirect(month_url(assignment, period))
    else:
        default = month_to_file(months)
        initial = {"period": request.GET.get("period") or (default.key if default else "")}
        form = UploadForm(initial=initial, months=months)
    return render(
        request,
        "reporting/reports/upload.html",
        {
            "assignment": assignment,
            "project": assignment.project,
            "form": form,
            "failure": failure,
        },
        status=422 if failure else 200,
    )


@login_required
def report_month(request, slug: str, contractor: str, period: str):
    """One month's report: every version with its totals and changes, newest first."""
    assignment = visible_assignment(request.user, slug, contractor)
    month = period_in_url(period)
    status = next((m for m in reporting_months(assignment=assignment) if m.period == month), None)
    versions = month_versions(assignment=assignment, period=month)
    if status is None and not versions:
        raise Http404
    can_submit = status is not None and access.can_submit_report(request.user, assignment)
    return render(
        request,
        "reporting/reports/month.html",
        {
            "assignment": assignment,
            "project": assignment.project,
            "month": status,
            "period": month,
            "versions": versions,
            "can_download": bool(versions)
            and access.can_download_report_file(request.user, versions[0]["report"]),
            "can_submit": can_submit,
            "form": UploadForm(initial={"period": f"{month:%Y-%m}"}, months=[status])
            if can_submit
            else None,
        },
    )


@login_required
@require_POST
def report_no_work_view(request, slug: str, contractor: str, period: str):
    """Report that nobody worked on the project in a month; over a version with lines, only
    once the clerk has confirmed, on a page naming the lines and hours that stop counting."""
    assignment = visible_assignment(request.user, slug, contractor)
    access.require(access.can_submit_report(request.user, assignment))
    month = period_in_url(period)
    try:
        result = report_no_work(
            assignment=assignment,
            period=month,
            user=request.user,
            confirm_replace=request.POST.get("confirm_replace") == "yes",
        )
    except Conflict as conflict:
        current = current_report(assignment, month)
        return render(
            request,
            "reporting/reports/confirm.html",
            {
                "assignment": assignment,
                "project": assignment.project,
                "period": month,
                "heading": f"Replace version {current.version} with “no work this month”?",
                "explanation": conflict.message,
                "figures": [
                    f"{lines_that_stop_counting(current)} from version {current.version} would "
                    "stop counting toward the project's commitments."
                ],
                "action": request.path,
                "fields": {"confirm_replace": "yes"},
                "confirm_label": "Yes, report no work this month",
                "month_url": month_url(assignment, month),
            },
        )
    except InvalidInput as error:
        messages.error(request, error.message)
        return redirect(assignment_url(assignment))
    messages.success(request, result.summary())
    return redirect(month_url(assignment, month))


@login_required
@require_POST
def report_restore_view(request, slug: str, contractor: str, period: str):
    """Make an earlier version current again (as a new version), once confirmed."""
    assignment = visible_assignment(request.user, slug, contractor)
    access.require(access.can_submit_report(request.user, assignment))
    month = period_in_url(period)
    version = request.POST.get("version", "")
    if not version.isdigit() or len(version) > 9:
        raise Http404
    restored = month_version(assignment=assignment, period=month, version=int(version))
    if request.POST.get("confirm") != "yes":
        current = current_report(assignment, month)
        replaced = (
            [
                f"Version {current.version}, current now ({lines_that_stop_counting(current)}), "
                "would stop counting and stay in the history."
            ]
            if current is not None
            else []
        )
        filed = timezone.localtime(restored.submitted_at)
        restored_text = (
            "no work this month"
            if restored.no_work and not restored.line_count
            else lines_that_stop_counting(restored)
        )
        return render(
            request,
            "reporting/reports/confirm.html",
            {
                "assignment": assignment,
                "project": assignment.project,
                "period": month,
                "heading": f"Restore version {restored.version}?",
                "explanation": (
                    f"Version {restored.version} ({restored_text}, filed "
                    f"{long_date(filed)}) would be stored again as a new "
                    "version and become the current one; the project is then evaluated again."
                ),
                "figures": replaced,
                "action": request.path,
                "fields": {"version": restored.version, "confirm": "yes"},
                "confirm_label": f"Yes, restore version {restored.version}",
                "month_url": month_url(assignment, month),
            },
        )
    try:
        result = report_restore(
            assignment=assignment, period=month, version=restored.version, user=request.user
        )
    except InvalidInput as error:
        messages.error(request, error.message)
    else:
        messages.success(request, restore_summary(result, restored.version))
    return redirect(month_url(assignment, month))


@login_required
def report_detail(request, report_id: int):
    """One version of a report: its totals, warnings and lines."""
    report = get_object_or_404(
        access.reports_for(request.user).select_related(
            "assignment__project", "assignment__contractor", "submitted_by"
        ),
        pk=report_id,
    )
    assignment = report.assignment
    show_names = access.can_see_worker_names(request.user, assignment.project, assignment)
    lines = report.lines.select_related("worker", "craft").order_by("row_number", "id")
    page = Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reporting/reports/report.html",
        {
            "report": report,
            "assignment": assignment,
            "project": assignment.project,
            "page": page,
            "can_download": access.can_download_report_file(request.user, report),
            "show_names": show_names,
            "month_url": month_url(assignment, report.period),
            "payments": list(
                report.payments.select_related("subcontractor__contractor").order_by(
                    "row_number", "id"
                )
            ),
        },
    )


@login_required
@access.only_roles(access.CONTRACTOR, access.LAW_CENTER, access.ADMIN, hide=True)
@require_safe
def report_file(request, report_id: int):
    """The file a version was uploaded from (eCPR files kept without SSNs), for those
    access.report_files_for allows; everyone else gets 404."""
    report = get_object_or_404(access.report_files_for(request.user), pk=report_id)
    if not report.source_file:
        messages.info(
            request,
            f"Version {report.version} was filed as {report.get_source_display()}, without a "
            "file: its lines are below.",
        )
        return redirect("report_detail", report_id=report.pk)
    return attachment(
        report.source_file,
        filename=report.original_filename or f"report-{report.pk}{report.source_file.name[-5:]}",
    )


@login_required
def report_template(request, slug: str, contractor: str):
    """The project's Excel template for this contractor and month (?period=YYYY-MM)."""
    assignment = visible_assignment(request.user, slug, contractor)
    text = request.GET.get("period", "")
    period = period_in_url(text) if text else None
    if period is None:
        default = month_to_file(reporting_months(assignment=assignment))
        period = default.period if default else assignment.start_date.replace(day=1)
    response = HttpResponse(build_template(assignment=assignment, period=period), XLSX_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="{template_filename(assignment, period)}"'
    )
    return response


urlpatterns = [
    path("projects/<slug:slug>/reports/", contractor_reports, name="contractor_reports"),
    path(
        "projects/<slug:slug>/contractors/<slug:contractor>/reports/",
        assignment_reports,
        name="assignment_reports",
    ),
    path(
        "projects/<slug:slug>/contractors/<slug:contractor>/reports/upload/",
        report_upload_view,
        name="report_upload",
    ),
    path(
        "projects/<slug:slug>/contractors/<slug:contractor>/reports/<str:period>/",
        report_month,
        name="report_month",
    ),
    path(
        "projects/<slug:slug>/contractors/<slug:contractor>/reports/<str:period>/no-work/",
        report_no_work_view,
        name="report_no_work",
    ),
    path(
        "projects/<slug:slug>/contractors/<slug:contractor>/reports/<str:period>/restore/",
        report_restore_view,
        name="report_restore",
    ),
    path(
        "projects/<slug:slug>/contractors/<slug:contractor>/template/",
        report_template,
        name="report_template",
    ),
    path("reports/<int:report_id>/", report_detail, name="report_detail"),
    path("reports/<int:report_id>/file/", report_file, name="report_file"),
]
