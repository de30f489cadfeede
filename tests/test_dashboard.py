import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.models import Report
from compliance.pipeline import evaluate_project
from tests.coalition_data import (  # noqa: F401 - fast_passwords applies to this module
    crenshaw_compliance,
    fast_passwords,
    fresh_cache,
    grow_portfolio,
    make_flag,
)
from tests.conftest import make_report

TODAY = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def standing(project, walsh, pulice, crafts, area):
    return crenshaw_compliance(project, walsh, pulice, crafts, area)


def get(client, user, url=None, **params):
    client.force_login(user)
    return client.get(url or reverse("dashboard"), params)


def test_each_commitment_shows_its_status_in_words_and_its_figures(client, reviewer, standing):
    response = get(client, reviewer)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Crenshaw/LAX Line" in html
    # Example A: 37.00% of a 40% target, at risk, heading up (projected 38.50%).
    assert "§3.1 Targeted worker hours" in html
    assert "37.00% of 40.00%" in html
    assert "At risk" in html and "status-at_risk" in html
    assert "trend-up" in html and "Projected 38.50% at completion" in html
    # Example B, measured per contractor and trade: one group of two short, and the
    # all-groups figure labelled as such.
    assert "2 groups: 1 in shortfall, 1 met" in html
    assert "All groups together: " in html
    # Example D: a wage floor with $100 owed; example E: a funding schedule.
    assert "$100.00 owed" in html
    assert "$265,000.00 of $2,500,000.00" in html
    assert "dollars" not in html


def test_open_flags_are_counted_by_severity(client, reviewer, project, standing):
    make_flag(project, "shortfall", "critical", commitment=standing["targeted"])
    make_flag(project, "at_risk", "warning", commitment=standing["targeted"])
    make_flag(project, "at_risk", "warning", commitment=standing["targeted"])
    make_flag(project, "at_risk", "warning", commitment=standing["wage"], status="resolved")
    html = get(client, reviewer).content.decode()
    assert "1 critical" in html
    assert "2 warning" in html


def start_in_august(*assignments):
    for assignment in assignments:
        assignment.start_date = datetime.date(2026, 8, 1)
        assignment.save()


@time_machine.travel(TODAY)
def test_every_missing_month_is_counted_not_only_the_last_one_due(
    client, reviewer, project, walsh, pulice
):
    # On November 20 the reports for August to October (October's due November 15) are
    # overdue: Walsh filed August and October, Pulice nothing: four missing reports.
    start_in_august(walsh, pulice)
    make_report(walsh, datetime.date(2026, 8, 1), [])
    make_report(walsh, datetime.date(2026, 10, 1), [])
    evaluate_project(project)
    html = get(client, reviewer).content.decode()
    assert "through Oct 2026" in html
    row = html[html.index("Missing reports</a></th>") :]
    assert 'status-missing"><span aria-hidden="true">✗</span> 4<' in row


@time_machine.travel(datetime.datetime(2026, 11, 10, 12, 0, tzinfo=datetime.UTC))
def test_before_the_due_day_the_month_before_is_the_last_one_counted(
    client, reviewer, project, walsh, pulice
):
    start_in_august(walsh, pulice)
    for assignment in (walsh, pulice):
        make_report(assignment, datetime.date(2026, 8, 1), [])
        make_report(assignment, datetime.date(2026, 9, 1), [])
    evaluate_project(project)
    html = get(client, reviewer).content.decode()
    assert "through Sep 2026" in html
    assert 'status-received"><span aria-hidden="true">✓</span> 0<' in html


def test_a_project_never_evaluated_says_so_instead_of_counting_no_missing_report(
    client, reviewer, project, walsh
):
    html = get(client, reviewer).content.decode()
    cell = html[html.index('data-label="Missing reports"') :]
    assert cell.index("Not evaluated yet") < cell.index("</td>")
    assert "through" not in cell[: cell.index("</td>")]


def test_projects_filter_by_commitment_status_and_search(client, reviewer, orgs, standing):
    grow_portfolio(coalition=orgs["coalition"], projects=1, contractors=1, month_count=2, flags=0)
    html = get(client, reviewer, commitment="at_risk").content.decode()
    assert "Crenshaw/LAX Line" in html and "Extra project" not in html
    html = get(client, reviewer, q="extra").content.decode()
    assert "Crenshaw/LAX Line" not in html and "Extra project" in html
    html = get(client, reviewer, q="nothing like it").content.decode()
    assert "No project matches these filters" in html


def test_projects_sort_by_name_or_by_critical_flags(client, reviewer, orgs, project, standing):
    (extra,) = grow_portfolio(
        coalition=orgs["coalition"], projects=1, contractors=1, month_count=2, flags=3
    )
    html = get(client, reviewer, sort="name").content.decode()
    assert html.index("Crenshaw/LAX Line") < html.index("Extra project")
    html = get(client, reviewer, sort="flags").content.decode()
    assert html.index("Extra project") < html.index("Crenshaw/LAX Line")
    html = get(client, reviewer, flagged="critical").content.decode()
    assert "Extra project" in html and "Crenshaw/LAX Line" not in html


def test_a_reviewer_sees_only_the_projects_its_coalition_monitors(
    client, outsider, reviewer, standing
):
    assert "Crenshaw/LAX Line" in get(client, reviewer).content.decode()
    html = get(client, outsider).content.decode()
    assert "Crenshaw/LAX Line" not in html
    assert "does not monitor any project yet" in html


def test_a_contractor_is_sent_to_its_own_projects(client, contractor, standing):
    response = get(client, contractor)
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_the_dashboard_needs_a_login(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert reverse("login") in response.url


def test_the_dashboard_is_laid_out_for_phones_too(client, reviewer, standing):
    html = get(client, reviewer).content.decode()
    assert 'class="list cards-on-phone portfolio"' in html
    assert 'data-label="Commitments"' in html


@time_machine.travel(TODAY)
def test_the_query_count_does_not_grow_with_projects_contractors_months_or_flags(
    client, reviewer, orgs, standing, django_assert_num_queries
):
    client.force_login(reviewer)
    url = reverse("dashboard")
    client.get(url)  # the session and the user are loaded once per request either way
    grow_portfolio(coalition=orgs["coalition"], projects=1, contractors=1, month_count=2, flags=1)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow_portfolio(coalition=orgs["coalition"], projects=6, contractors=5, month_count=24, flags=4)
    assert Report.objects.count() == 0
    with django_assert_num_queries(len(small)):
        response = client.get(url)
    assert response.content.decode().count("Extra project") == 7
