from compliance.views import dashboard, enforcement, flags, notifications, reporting

urlpatterns = [
    *reporting.urlpatterns,
    *flags.urlpatterns,
    *dashboard.urlpatterns,
    *notifications.urlpatterns,
    *enforcement.urlpatterns,
]
