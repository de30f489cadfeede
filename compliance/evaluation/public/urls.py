"""The public pages (SPEC §7.4): no login; every view is marked `access.public` and reads
only `access.public_projects()` or `access.compared_projects_for(user)`."""

from django.urls import path

from compliance.evaluation.public import compare_views, views

app_name = "public"

urlpatterns: list = [
    path("", views.public_index, name="index"),
    path("compare/", compare_views.compare, name="compare"),
    path("data-dictionary/", views.public_data_dictionary, name="dictionary"),
    path("projects/<slug:slug>/", views.public_project_page, name="project"),
    path("projects/<slug:slug>.csv", views.public_project_csv, name="project_csv"),
    path("projects/<slug:slug>.json", views.public_project_json, name="project_json"),
]
