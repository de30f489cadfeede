"""The pages of the three pipeline stages: reporting, evaluation, enforcement."""

from compliance.enforcement.views import enforcement, flags, notifications
from compliance.evaluation.views import dashboard, setup, standing
from compliance.reporting.views import mappings, opendata, progress, reports

urlpatterns = [
    *reports.urlpatterns,
    *mappings.urlpatterns,
    *flags.urlpatterns,
    *dashboard.urlpatterns,
    *notifications.urlpatterns,
    *enforcement.urlpatterns,
    *progress.urlpatterns,
    *opendata.urlpatterns,
    *standing.urlpatterns,
    *setup.urlpatterns,
]
