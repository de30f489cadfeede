"""A contractor's standing on a project: where it stands against each commitment measured
from payroll lines, and what it takes to get back on track."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from compliance.evaluation.selectors.standing import contractor_standing
from compliance.reporting.intake.selectors import visible_assignment
from projects import access


@login_required
@access.only_roles(access.CONTRACTOR, access.LAW_CENTER, access.ADMIN, hide=True)
@require_safe
def contractor_standing_page(request, slug: str, contractor: str):
    """The contractor's own standing (the law center and program admins may open any)."""
    assignment = visible_assignment(request.user, slug, contractor)
    if not access.can_view_standing(request.user, assignment):
        raise Http404
    standing = contractor_standing(assignment=assignment)
    return render(
        request,
        "evaluation/standing/standing.html",
        {"assignment": assignment, "project": assignment.project, "standing": standing},
    )


urlpatterns = [
    path(
        "projects/<slug:slug>/contractors/<slug:contractor>/standing/",
        contractor_standing_page,
        name="contractor_standing",
    ),
]
