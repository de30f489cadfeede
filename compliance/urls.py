from compliance.views import dashboard, enforcement, flags, reporting

urlpatterns = [
    *reporting.urlpatterns,
    *flags.urlpatterns,
    *dashboard.urlpatterns,
    *enforcement.urlpatterns,
]
