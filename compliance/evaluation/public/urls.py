"""The public pages (SPEC §7.4): no login; every view is marked `access.public` and reads
only `access.public_projects()` or `access.compared_projects_for(user)`."""

from django.urls import path

from compliance.evaluation.public import compare_views

app_name = "public"

urlpatterns: list = [
    path("compare/", compare_views.compare, name="compare"),
]
