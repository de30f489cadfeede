"""The dashboard and the project page say the same of every project: each commitment's
status and figures, and how many reports are missing. The dashboard reads standings rolled
up when a project is evaluated and the reporting evaluations' counts; these tests hold it
to the project page after an evaluation, after a new report, and as the days pass a due
date (the hourly missing-report check moves both on).

The projects are the portfolio benchmark's own: every kind of commitment, generated payroll.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse

from compliance.evaluation.selectors.portfolio import portfolio, portfolio_page
from compliance.evaluation.selectors.project import project_page
from compliance.pipeline import evaluate_project
from compliance.reporting.intake.versions import report_no_work
from compliance.tasks import check_missing_reports
from demo.generator import write_lines
from projects.models import Assignment, Project
from tests.bench.portfolio_bench import Plan, build, reviewer_of
from tests.coalition_data import fast_passwords, fresh_cache  # noqa: F401 - autouse
from tests.engine_support import run_tasks_synchronously

pytestmark = pytest.mark.django_db

# Before October's reports are due (November 15), then after.
NOV_10 = datetime.datetime(2026, 11, 10, 12, 0, tzinfo=datetime.UTC)
NOV_16 = datetime.datetime(2026, 11, 16, 12, 0, tzinfo=datetime.UTC)
OCTOBER = datetime.date(2026, 10, 1)


def on_dashboard(reviewer) -> dict[str, tuple]:
    """Per project: each commitment's words and figures, and the missing reports."""
    rows = portfolio(user=reviewer, sort="name")
    page = portfolio_page(rows, user=reviewer, number=1, per_page=100)
    return {
        row.project.slug: (
            [standing(s) for s in row.commitments],
            row.missing_reports,
        )
        for row in page.object_list
    }


def on_project_pages(reviewer) -> dict[str, tuple]:
    out = {}
    for project in Project.objects.order_by("name"):
        page = project_page(user=reviewer, project=project)
        out[project.slug] = (
            [standing(card.summary) for card in page.cards],
            sum(r.missing for r in page.reporting),
        )
    return out


def standing(summary) -> tuple:
    return (
        summary.commitment.key,
        summary.status,
        summary.headline,
        summary.groups_text,
        summary.shortfall,
        summary.projected_percent,
    )


@pytest.fixture
def traveller():
    with time_machine.travel(NOV_10, tick=False) as traveller:
        yield traveller


@pytest.fixture
def portfolio_of_two(traveller):
    """Two projects reported through September, evaluated on November 10."""
    coalition = build(
        [
            Plan("p001", contractors=3, months=12, reported=4, lines=150),
            Plan("p002", contractors=4, months=24, reported=4, lines=200),
        ],
        datetime.date(2026, 11, 10),
    )
    for project in Project.objects.all():
        write_lines(project=project, lines=150, months=3)
        evaluate_project(project)
    return reviewer_of(coalition)


def owing_october() -> int:
    return Assignment.objects.filter(start_date__lte=datetime.date(2026, 10, 31)).count()


def test_after_an_evaluation_the_dashboard_shows_what_each_project_page_shows(
    client, portfolio_of_two
):
    dashboard = on_dashboard(portfolio_of_two)
    assert dashboard == on_project_pages(portfolio_of_two)
    statuses = {s[1] for figures, _ in dashboard.values() for s in figures}
    assert len(statuses) > 1 and None not in statuses  # real standings, all evaluated
    assert all(missing == 0 for _, missing in dashboard.values())
    client.force_login(portfolio_of_two)
    html = client.get(reverse("dashboard")).content.decode()
    assert "P002 Transit Corridor" in html and "through Sep 2026" in html


def test_as_the_day_passes_a_due_date_both_count_the_month_once_the_check_has_run(
    portfolio_of_two, traveller
):
    traveller.move_to(NOV_16)
    # Until the hourly check runs, both still say what the last evaluation found.
    assert on_dashboard(portfolio_of_two) == on_project_pages(portfolio_of_two)
    check_missing_reports()
    dashboard = on_dashboard(portfolio_of_two)
    assert dashboard == on_project_pages(portfolio_of_two)
    assert sum(missing for _, missing in dashboard.values()) == owing_october()


def test_after_a_new_report_both_count_one_missing_report_fewer(
    portfolio_of_two, traveller, settings, monkeypatch, django_capture_on_commit_callbacks
):
    run_tasks_synchronously(settings, monkeypatch)
    traveller.move_to(NOV_16)
    check_missing_reports()
    before = on_dashboard(portfolio_of_two)["p001"][1]
    assignment = Assignment.objects.filter(project__slug="p001").order_by("id").first()
    with django_capture_on_commit_callbacks(execute=True):
        report_no_work(assignment=assignment, period=OCTOBER, user=portfolio_of_two)
    dashboard = on_dashboard(portfolio_of_two)
    assert dashboard["p001"][1] == before - 1
    assert dashboard == on_project_pages(portfolio_of_two)
