from compliance.views import dashboard, enforcement, flags, notifications, progress, reporting

urlpatterns = [
    *reporting.urlpatterns,
    *flags.urlpatterns,
    *dashboard.urlpatterns,
    *notifications.urlpatterns,
    *enforcement.urlpatterns,
    *progress.urlpatterns,
]
