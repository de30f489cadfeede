"""Reads of projects shared by several pages."""

from django.db.models import Count, QuerySet

from projects import access
from projects.models import Project


def home_projects(*, user) -> QuerySet[Project]:
    """The projects on a user's home page, with counts the list shows."""
    return (
        access.projects_for(user)
        .select_related("owner")
        .prefetch_related("agreements")
        .annotate(contractor_count=Count("assignments", distinct=True))
        .order_by("name")
    )
