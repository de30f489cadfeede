from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from compliance.selectors import project_page
from projects import access
from projects.selectors import home_projects


@login_required
def home(request):
    """Home: the projects this user may see, each linking to the page their role needs."""
    return render(
        request,
        "projects/home.html",
        {
            "projects": home_projects(user=request.user),
            "is_contractor": access.role_of(request.user) == access.CONTRACTOR,
        },
    )


@login_required
def project_home(request, slug: str):
    """A project's compliance: a card per commitment with charts, the contractors' reporting,
    wage violations, progress of count commitments and the open flags. Contractors go to
    their own reporting page for the project instead."""
    project = access.project_for(request.user, slug)
    if access.role_of(request.user) == access.CONTRACTOR:
        return redirect("contractor_reports", slug=project.slug)
    return render(
        request,
        "projects/project.html",
        {
            "project": project,
            "page": project_page(
                user=request.user, project=project, all_groups=request.GET.get("groups", "")
            ),
            "can_export": access.can_export(request.user, project),
        },
    )
