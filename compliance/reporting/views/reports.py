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
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from cba.errors import Conflict, InvalidInput
from compliance.formatting import long_date, long_month
from compliance.reporting import obligation
from compliance.reporting.intake.files import check_size, megabytes
from compliance.reporting.intake.mapping import MappingNeeded
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
from compliance.reporting.views.pending import keep_pending, mapping_page_url
from compliance.storage import attachment
from projects import access
from projects.subcontractors import lower_tiers

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONTHS_PER_PAGE = 24
LINES_PER_PAGE = 100


class UploadForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("Month"))
    file = forms.FileField(
        label=gettext_lazy("Report file"),
        help_text=format_lazy(
            gettext_lazy(
                "The project's Excel template (.xlsx), your payroll program's export (.xlsx "
                "or .csv), or your eCPR or New York payroll XML file; at most {size}."
            ),
            size=megabytes(settings.UPLOAD_MAX_BYTES),
        ),
    )

    def __init__(self, *args, months=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(m.key, f"{long_month(m.period)}") for m in months]
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.xml,.csv,.txt"


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
        assignment = access.own_assignments_for(request.user).filter(project=project).first()
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


def subcontractor_rows(assignment) -> list[dict]:
    """The lower tiers under an assignment (whoever sees it sees them), each with its months
    missing: what a prime watches."""
    rows = []
    for sub in lower_tiers(assignment):
        months = reporting_months(assignment=sub)
        rows.append(
            {
                "assignment": sub,
                "missing": [m for m in months if m.status == obligation.MISSING],
                "late": sum(m.status == obligation.LATE for m in months),
            }
        )
    return rows


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
            "subcontractors": subcontractor_rows(assignment),
            "can_add_subcontractor": access.can_add_subcontractor(request.user, assignment),
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
            content = b""
            try:
                check_size(uploaded.size)
                content = uploaded.read()
                result = report_upload(
                    assignment=assignment,
                    period=period,
                    content=content,
                    filename=uploaded.name,
                    user=request.user,
                    check_only=check_only,
                    measure=True,
                )
            except MappingNeeded:
                token = keep_pending(
                    request,
                    assignment=assignment,
                    content=content,
                    filename=uploaded.name,
                    period=period,
                    check_only=check_only,
                )
                return redirect(mapping_page_url(assignment, token))
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
                announce(request, result)
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


# Integrity warnings (SPEC §5.5) named one by one after an upload; the rest on the version's page.
SHOWN_INTEGRITY_WARNINGS = 5


def announce(request, result) -> None:
    """What a stored upload did, as messages on the next page: the summary, what it does to
    the contractor's figures, and its integrity warnings."""
    level = messages.INFO if result.unchanged else messages.SUCCESS
    messages.add_message(request, level, result.summary())
    for warning in result.effect_warnings:
        messages.warning(request, warning)
    checks = [w for w in result.warnings if w.get("check")]
    for warning in checks[:SHOWN_INTEGRITY_WARNINGS]:
        row = _("Row {row}: ").format(row=warning["row"]) if warning.get("row") else ""
        messages.warning(request, f"{row}{warning['message']}")
    if result.warnings:
        messages.warning(
            request,
            _("{count} warning(s), kept with the report: see version {version}'s page.").format(
                count=len(result.warnings), version=result.report.version
            ),
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
                "heading": _("Replace version {version} with “no work this month”?").format(
                    version=current.version
                ),
                "explanation": conflict.message,
                "figures": [
                    _(
                        "{lines} from version {version} would stop counting toward the "
                        "project's commitments."
                    ).format(lines=lines_that_stop_counting(current), version=current.version)
                ],
                "action": request.path,
                "fields": {"confirm_replace": "yes"},
                "confirm_label": _("Yes, report no work this month"),
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
                _(
                    "Version {version}, current now ({lines}), would stop counting and stay in "
                    "the history."
                ).format(version=current.version, lines=lines_that_stop_counting(current))
            ]
            if current is not None
            else []
        )
        filed = timezone.localtime(restored.submitted_at)
        restored_text = (
            _("no work this month")
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
                "heading": _("Restore version {version}?").format(version=restored.version),
                "explanation": _(
                    "Version {version} ({what}, filed {filed}) would be stored again as a new "
                    "version and become the current one; the project is then evaluated again."
                ).format(version=restored.version, what=restored_text, filed=long_date(filed)),
                "figures": replaced,
                "action": request.path,
                "fields": {"version": restored.version, "confirm": "yes"},
                "confirm_label": _("Yes, restore version {version}").format(
                    version=restored.version
                ),
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
            _(
                "Version {version} was filed as {source}, without a file: its lines are below."
            ).format(version=report.version, source=report.get_source_display()),
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
