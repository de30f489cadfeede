"""Stored files have no URL of their own, in DEBUG too: each download is a view that asks
projects/access.py (SPEC §8)."""

from django.contrib import admin
from django.urls import include, path

from cba.api import api

admin.site.site_header = "CBA Monitor administration"
admin.site.site_title = "CBA Monitor admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("public/", include("compliance.evaluation.public.urls")),
    path("", include("projects.urls")),
    path("", include("compliance.urls")),
]
