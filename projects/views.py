from django.contrib.auth.decorators import login_required
from django.shortcuts import render

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
    """A project's overview: its agreement, commitments and contractors."""
    project = access.project_for(request.user, slug)
    return render(
        request,
        "projects/project.html",
        {
            "project": project,
            "commitments": project.commitments.select_related("area"),
            "assignments": access.assignments_for(request.user)
            .filter(project=project)
            .select_related("contractor", "parent__contractor"),
        },
    )
