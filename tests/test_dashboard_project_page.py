import datetime
import re
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.evaluation import svg
from compliance.evaluation.charts import chart_data
from compliance.models import Evaluation, Flag, Worker
from tests.coalition_data import (  # noqa: F401 - fast_passwords applies to this module
    crenshaw_compliance,
    fast_passwords,
    fresh_cache,
    grow_project,
    make_flag,
    series,
)
from tests.conftest import make_report


@pytest.fixture
def standing(project, walsh, pulice, crafts, area):
    return crenshaw_compliance(project, walsh, pulice, crafts, area)


def page(client, user, slug="crenshaw", **params):
    client.force_login(user)
    return client.get(reverse("project_home", kwargs={"slug": slug}), params)


def test_each_commitment_has_a_card_with_actual_target_shortfall_and_projection(
    client, reviewer, standing
):
    response = page(client, reviewer)
    assert response.status_code == 200
    html = response.content.decode()
    card = html[html.index('id="c-targeted"') : html.index('id="c-local-trades"')]
    assert "§3.1" in card and "Targeted worker hours" in card
    assert (
        "At least 40% of work hours must go to residents of Economically disadvantaged ZIPs" in card
    )
    assert "37.00%" in card and "3,700.00 of 10,000.00 hours" in card
    assert "40.00%" in card
    assert "300.00 hours" in card  # example A's shortfall
    assert "38.50%" in card  # projection at completion
    assert "$7,500.00" in card  # liquidated damages: 300 h × $25
    assert "At risk" in card


def test_the_charts_are_svg_with_a_title_and_a_text_alternative(client, reviewer, standing):
    html = page(client, reviewer).content.decode()
    card = html[html.index('id="c-targeted"') : html.index('id="c-local-trades"')]
    charts = re.findall(r"<svg.*?</svg>", card, flags=re.S)
    assert len(charts) == 2
    for chart in charts:
        root = ElementTree.fromstring(chart)  # well-formed XML
        ns = "{http://www.w3.org/2000/svg}"
        assert root.find(f"{ns}title").text.startswith("Targeted worker hours")
        assert root.find(f"{ns}desc").text
        assert root.get("role") == "img"
    assert "Cumulative percent from 2026-08 (33.33%) to 2026-10 (37.00%) against a target" in card
    assert "Month-by-month figures" in card


def test_per_group_breakdown_lists_the_groups_short_first(client, reviewer, standing):
    html = page(client, reviewer).content.decode()
    card = html[html.index('id="c-local-trades"') : html.index('id="c-wage"')]
    assert "By contractor and trade" in card
    # Example B: Walsh laborers at 15%, 120 hours short, listed before the carpenters.
    assert card.index("Walsh Shea · Laborer") < card.index("Walsh Shea · Carpenter")
    assert "120.00" in card and "15.00" in card
    # Without a project row the chart sums the groups: 470 of 1,800 hours.
    assert "<svg" in card


def test_wage_violations_show_restitution_owed(client, reviewer, standing):
    html = page(client, reviewer).content.decode()
    card = html[html.index('id="c-wage"') : html.index('id="c-funding"')]
    assert "$100.00" in card  # example D
    assert "40.00" in card and "$35.50" in card and "$38.00" in card
    assert "W-17" in card


def test_count_commitments_show_progress_against_what_is_due(client, reviewer, standing):
    html = page(client, reviewer).content.decode()
    card = html[html.index('id="c-funding"') : html.index('id="reporting"')]
    # Example E: $265,000 paid, $500,000 due, $235,000 short.
    assert "$265,000.00" in card and "$500,000.00" in card and "$235,000.00" in card
    assert "dollars" not in card
    assert 'class="progress"' in card and "10.60% of the target delivered" in card


def test_the_reporting_table_lists_due_on_time_late_and_missing(client, reviewer, standing):
    html = page(client, reviewer).content.decode()
    table = html[html.index('id="reporting"') : html.index('id="flags"')]
    assert "Walsh Shea" in table and "Pulice" in table
    assert "Aug 2026, Sep 2026" in table  # Pulice's missing months
    assert 'status-missing"><span aria-hidden="true">✗</span> 2' in table
    assert 'status-late"><span aria-hidden="true">!</span> 1' in table


def test_the_projects_unresolved_flags_are_listed_most_severe_first(
    client, reviewer, project, standing
):
    make_flag(project, "at_risk", "warning", commitment=standing["targeted"], title="Warned")
    make_flag(project, "shortfall", "critical", commitment=standing["wage"], title="Underpaid")
    make_flag(project, "shortfall", "critical", title="Old news", status="resolved")
    html = page(client, reviewer).content.decode()
    flags = html[html.index('id="flags"') :]
    assert flags.index("Underpaid") < flags.index("Warned")
    assert "Old news" not in flags


def test_reviewers_never_see_worker_names_and_the_law_center_does(
    client, reviewer, lawyer, project, walsh, crafts, standing
):
    report = make_report(
        walsh,
        datetime.date(2026, 10, 1),
        [
            {
                "worker": "W-17",
                "week_ending": datetime.date(2026, 10, 9),
                "craft": crafts["Laborer"],
                "hours": "40",
                "hourly_rate": Decimal("35.50"),
            }
        ],
    )
    Worker.objects.filter(worker_key="W-17").update(name="Maria Lopez")
    line = report.lines.get()
    evaluation = Evaluation.objects.get(commitment_key="wage", group_key="project")
    evaluation.details["violations"][0]["line_id"] = line.id
    evaluation.save()
    assert "Maria Lopez" not in page(client, reviewer).content.decode()
    assert "W-17 · Maria Lopez" in page(client, lawyer).content.decode()


def test_an_outsider_gets_a_404(client, outsider, standing):
    assert page(client, outsider).status_code == 404


def test_a_project_not_evaluated_yet_says_so(client, reviewer, project, walsh):
    from tests.conftest import make_commitment

    make_commitment(project, "app", "workforce_share", qualifier="apprentice", target_percent="20")
    html = page(client, reviewer).content.decode()
    assert "Not evaluated yet" in html
    assert "Walsh Shea" in html


def test_the_query_count_does_not_grow_with_contractors_months_or_flags(
    client, reviewer, project, standing, django_assert_num_queries
):
    client.force_login(reviewer)
    url = reverse("project_home", kwargs={"slug": "crenshaw"})
    client.get(url)
    cache.clear()  # measure without the sums the page keeps between evaluations
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow_project(project, standing["local_trades"], contractors=8, month_count=36, flags=5)
    cache.clear()
    with django_assert_num_queries(len(small)):
        response = client.get(url)
    assert response.content.decode().count("Contractor 7") >= 1
    # Until the engine runs again the sums come from the cache: three queries fewer.
    with django_assert_num_queries(len(small) - 3):
        client.get(url)


def test_a_cumulative_chart_draws_the_target_as_a_dashed_line():
    data = chart_data(
        series=series([("2026-01", "10", "100"), ("2026-02", "30", "100")]), target_percent="40"
    )
    drawn = svg.cumulative_chart(data, title="Local hire")
    assert 'stroke-dasharray="6 4"' in drawn
    assert "Target 40%" in drawn
    assert "<title" in drawn and "Local hire" in drawn
    assert "Cumulative percent from 2026-01 (10.00%) to 2026-02 (20.00%)" in drawn


def test_a_chart_escapes_the_text_it_is_given():
    data = chart_data(series=series([("2026-01", "1", "2")]), target_percent=None)
    drawn = svg.monthly_chart(data, title='<script>alert("x")</script>')
    assert "<script>" not in drawn
    ElementTree.fromstring(drawn)


def test_the_monthly_chart_says_how_many_months_met_the_target():
    data = chart_data(
        series=series([("2026-01", "50", "100"), ("2026-02", "10", "100"), ("2026-03", "0", "0")]),
        target_percent="40",
    )
    assert svg.describe_monthly(data) == (
        "Monthly percent over 2 months with hours: lowest 10.00% (2026-02), highest 50.00% "
        "(2026-01). 1 of 2 months at or above the 40% target."
    )
    assert svg.monthly_chart(data, title="x").count('class="bar"') == 2


def test_many_groups_show_the_worst_twelve_and_a_link_to_all(client, reviewer, project, standing):
    grow_project(project, standing["local_trades"], contractors=13, month_count=2, flags=0)
    html = page(client, reviewer).content.decode()
    card = html[html.index('id="c-local-trades"') : html.index('id="c-wage"')]
    assert card.count('<th scope="row">') == 12
    assert "Show all 15 groups" in card and "?groups=local-trades" in card
    # The 13 new groups are short by 10 hours; Walsh's laborers by 120: they come first.
    assert card.index("Walsh Shea · Laborer") < card.index("Contractor 0")
    assert "Walsh Shea · Carpenter" not in card  # met: among the three left out
    html = page(client, reviewer, groups="local-trades").content.decode()
    card = html[html.index('id="c-local-trades"') : html.index('id="c-wage"')]
    assert card.count('<th scope="row">') == 15
    assert "Walsh Shea · Carpenter" in card


def test_wage_violations_measured_per_contractor_are_gathered_largest_first(
    client, reviewer, project, walsh, pulice
):
    from tests.coalition_data import make_evaluation
    from tests.conftest import make_commitment

    wage = make_commitment(
        project,
        "wage",
        "wage_floor",
        scope="contractor",
        rates=[{"craft": "any", "effective_from": "2024-01-01", "base": "38.00", "fringe": "0"}],
    )

    def violation(worker, owed):
        return {
            "line_id": None,
            "worker": worker,
            "week_ending": "2026-10-09",
            "craft": "Laborer",
            "hours": "10.00",
            "paid": "30.00",
            "required": "38.00",
            "owed": owed,
        }

    for assignment, violations in [
        (walsh, [violation("W-1", "80.00"), violation("W-1", "5.00")]),
        (pulice, [violation("W-1", "120.00")]),  # another contractor's W-1: another worker
    ]:
        make_evaluation(
            project,
            wage,
            assignment=assignment,
            numerator=Decimal("20"),
            denominator=Decimal("100"),
            shortfall=sum(Decimal(v["owed"]) for v in violations),
            status="shortfall",
            details={
                "violations": violations,
                "violation_count": len(violations),
                "worker_count": 1,
            },
        )
    html = page(client, reviewer).content.decode()
    card = html[html.index('id="c-wage"') : html.index('id="reporting"')]
    assert "$205.00" in card
    assert "3 lines, 2 workers" in card
    listed = card[card.index("Wage violations") :]
    owed = re.findall(r"\$(\d+\.\d\d)</td></tr>", listed)
    assert owed == ["120.00", "80.00", "5.00"]


def test_the_page_reads_what_the_engine_writes(client, reviewer, project, walsh, crafts, area):
    """SPEC §10 example A end to end: lines in, engine, page out."""
    from compliance.pipeline import evaluate_project
    from tests.conftest import make_commitment

    make_commitment(
        project,
        "targeted",
        "workforce_share",
        clause="§3.1",
        title="Targeted worker hours",
        qualifier="area_resident",
        area=area,
        target_percent="40",
        penalty_per_unit="25",
    )
    week = datetime.date(2026, 10, 9)
    make_report(
        walsh,
        datetime.date(2026, 10, 1),
        [
            {
                "worker": f"W-{i}",
                "week_ending": week,
                "craft": crafts["Carpenter"],
                "hours": "100",
                "home_zip": "90001" if i < 37 else "99999",
            }
            for i in range(100)
        ],
    )
    evaluate_project(project, as_of=datetime.date(2026, 10, 31))
    html = page(client, reviewer).content.decode()
    card = html[html.index('id="c-targeted"') : html.index('id="reporting"')]
    assert "37.00%" in card and "3,700.00 of 10,000.00 hours" in card
    assert "300.00 hours" in card and "$7,500.00" in card
    assert "At risk" in card
    assert "<svg" in card
    # The engine's at-risk flag is in the queue, and its page shows the figures behind it.
    flag = Flag.objects.get(kind="at_risk", commitment_key="targeted")
    assert flag.title in client.get(reverse("flag_queue")).content.decode()
    html = client.get(reverse("flag_detail", kwargs={"flag_id": flag.id})).content.decode()
    assert 'Actual percent</th><td class="num">37.00%' in html
    assert 'Target</th><td class="num">40.00%' in html
    assert "Numerator" not in html and "Denominator" not in html


def test_a_contractor_opening_a_project_goes_to_its_reports(client, contractor, standing):
    response = page(client, contractor)
    assert response.status_code == 302
    assert response.url == reverse("contractor_reports", kwargs={"slug": "crenshaw"})


def test_a_contractor_of_another_project_gets_a_404_not_a_redirect(client, contractor, orgs):
    from projects.models import Project

    Project.objects.create(
        slug="elsewhere",
        name="Elsewhere",
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2026, 12, 31),
    )
    assert page(client, contractor, slug="elsewhere").status_code == 404
