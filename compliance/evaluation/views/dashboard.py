"""The coalition's portfolio dashboard and the Excel export of a project."""

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe

from compliance.audit import audit_record
from compliance.evaluation.exports import write_project_workbook
from compliance.evaluation.selectors import portfolio as selectors
from compliance.status import Severity, Status
from projects import access
from projects.models import Project

PAGE_SIZE = 25


def _choice(value: str, allowed) -> str:
    return value if value in allowed else ""


@login_required
@require_safe
def dashboard(request):
    """Every monitored project in one table: each commitment's standing, open flags by
    severity, reports missing through the last month due. Sortable and filterable by GET."""
    if access.role_of(request.user) == access.CONTRACTOR:
        messages.info(request, "The dashboard is for monitors: your projects are listed here.")
        return redirect("home")
    params = request.GET
    filters = {
        "q": params.get("q", "").strip()[:100],
        "project_status": _choice(params.get("status", ""), dict(Project.Status.choices)),
        "commitment_status": _choice(params.get("commitment", ""), Status.LABELS),
        "flagged": _choice(params.get("flagged", ""), {"any", *Severity.WORST_FIRST}),
        "sort": _choice(params.get("sort", ""), selectors.DASHBOARD_SORTS) or "attention",
    }
    rows = selectors.portfolio(user=request.user, **filters)
    page = selectors.portfolio_page(
        rows, user=request.user, number=params.get("page"), per_page=PAGE_SIZE
    )
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "evaluation/dashboard/dashboard.html",
        {
            "page": page,
            "filters": filters,
            "filtered": any(v for k, v in filters.items() if k != "sort"),
            "query": query.urlencode(),
            "sorts": selectors.DASHBOARD_SORTS,
            "statuses": Status.choices,
            "project_statuses": Project.Status.choices,
        },
    )


@login_required
@require_safe
def project_export(request, slug: str):
    """The project's evaluations, monthly series, payroll lines (no names) and flags as .xlsx."""
    project = access.project_for(request.user, slug)
    access.require(access.can_export(request.user, project))
    # Written to a temporary file in openpyxl's write-only mode, then streamed from disk:
    # neither the rows nor the workbook are ever held in memory whole.
    out = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by FileResponse
    write_project_workbook(user=request.user, project=project, path=out.name)
    audit_record(verb="project_exported", actor=request.user, obj=project, project=project)
    out.seek(0)
    filename = f"{project.slug}-compliance-{timezone.localdate():%Y-%m-%d}.xlsx"
    return FileResponse(
        out,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
    path("projects/<slug:slug>/export.xlsx", project_export, name="project_export"),
]
