import pytest
from django.db import IntegrityError, transaction

from compliance.models import Report
from projects import access
from tests.conftest import make_report


def test_each_role_sees_only_its_projects(contractor, reviewer, lawyer, outsider, admin, project):
    assert list(access.projects_for(contractor)) == [project]
    assert list(access.projects_for(reviewer)) == [project]
    assert list(access.projects_for(lawyer)) == [project]
    assert list(access.projects_for(outsider)) == []
    assert list(access.projects_for(admin)) == [project]


def test_a_month_cannot_have_two_current_reports(walsh):
    import datetime

    make_report(walsh, datetime.date(2026, 10, 1), [])
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(
            assignment=walsh, period=datetime.date(2026, 10, 1), version=2, source="api"
        )


def test_a_month_is_due_on_the_agreements_day_of_the_next_month(project):
    import datetime

    assert project.agreement.report_due_date(datetime.date(2026, 10, 1)) == datetime.date(
        2026, 11, 15
    )
    assert project.agreement.report_due_date(datetime.date(2026, 12, 1)) == datetime.date(
        2027, 1, 15
    )
