from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from cba.api import api

admin.site.site_header = "CBA Monitor administration"
admin.site.site_title = "CBA Monitor admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("projects.urls")),
    path("", include("compliance.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
