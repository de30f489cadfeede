from compliance.views import dashboard, enforcement, flags, progress, reporting

urlpatterns = [
    *reporting.urlpatterns,
    *flags.urlpatterns,
    *dashboard.urlpatterns,
    *enforcement.urlpatterns,
    *progress.urlpatterns,
]
