"""A coalition's dashboard and flag queue run as many queries for 12 projects as for 3.

The projects are the portfolio benchmark's own (`tests/bench/portfolio_bench.py`): every
kind of commitment, a few months of generated payroll, evaluated by the engine, so the pages
read real evaluations and flags.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from compliance.models import Flag
from compliance.pipeline import evaluate_project
from demo.generator import write_lines
from projects.models import Project
from tests.bench.portfolio_bench import Plan, build, reviewer_of
from tests.coalition_data import fast_passwords, fresh_cache  # noqa: F401 - autouse

pytestmark = pytest.mark.django_db


def grow(coalition, *, projects: int) -> None:
    """`projects` more small projects for the coalition, with lines, evaluated."""
    first = Project.objects.count() + 1
    plans = [
        Plan(f"p{k:03d}", contractors=3, months=12, reported=4, lines=120)
        for k in range(first, first + projects)
    ]
    build(plans, timezone.localdate(), coalition=coalition)
    for plan in plans:
        project = Project.objects.get(slug=plan.slug)
        write_lines(project=project, lines=plan.lines, months=plan.reported)
        evaluate_project(project)


@pytest.mark.parametrize("page", ["dashboard", "flag_queue"])
def test_a_reviewer_s_page_runs_as_many_queries_for_12_projects_as_for_3(
    client, page, django_assert_num_queries
):
    coalition = build([], timezone.localdate())
    grow(coalition, projects=3)
    client.force_login(reviewer_of(coalition))
    url = reverse(page)
    client.get(url)  # the session and the user are loaded once per request either way
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200

    grow(coalition, projects=9)
    assert Project.objects.filter(monitoring__organization=coalition).count() == 12
    assert Flag.objects.filter(project__slug="p012").exists()
    with django_assert_num_queries(len(small)):
        response = client.get(url)
    assert response.status_code == 200
    assert "P012 Transit Corridor" in response.content.decode()


def test_a_portfolio_with_too_many_contractors_asks_for_a_project_before_listing_them(
    client, monkeypatch
):
    monkeypatch.setattr("compliance.enforcement.flags.selectors.CONTRACTOR_CHOICES_MAX", 4)
    coalition = build([], timezone.localdate())
    grow(coalition, projects=2)
    client.force_login(reviewer_of(coalition))

    html = client.get(reverse("flag_queue")).content.decode()
    assert "choose a project first to pick one of its contractors" in html
    assert 'value="p001-c01"' not in html

    html = client.get(reverse("flag_queue"), {"project": "p001"}).content.decode()
    assert "choose a project first" not in html
    assert 'value="p001-c01"' in html and 'value="p002-c01"' not in html
