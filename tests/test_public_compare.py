"""`/public/compare/`: outcomes compared across projects, policies and cities (SPEC §7.4;
issue 16 items 4 and 6).

The comparison reads only `PublicFigures`; here the rows are built directly in the shape
its docstring gives (`published`), as the public figures service would fill them."""

import csv
import datetime
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from compliance.evaluation.public.compare import Filters, comparison
from compliance.evaluation.public.figures import public_figures_refresh
from compliance.models import Evaluation, PublicFigures
from compliance.numbers import percent
from compliance.pipeline import evaluate_project
from compliance.reporting.intake.opendata import import_open_data
from demo.generator import ensure_crafts
from projects.models import Agreement, Policy, Project
from projects.models_policies import Adoption
from projects.policies import policy_adopt
from projects.policy_definition import policy_definition_load
from tests.conftest import make_user

URL = "/public/compare/"
PRIVATE_MARKER = "Zz-private-project-marker"
LOCAL_DEFINITION = "Hours by residents of the city's ZIP codes, over all hours"


def headline(achieved, target, hours, qualifying, *, definition="", workers="40", **extra):
    entry = {
        "achieved_percent": achieved,
        "target_percent": target,
        "met": None if achieved is None or target is None else Decimal(achieved) >= Decimal(target),
        "hours": hours,
        "qualifying_hours": qualifying,
        "workers": workers,
        "suppressed": False,
        "definition": definition,
        "commitment": None,
    }
    entry.update(extra)
    return entry


def published(
    project: Project,
    *,
    local=("40.00", "30", "1000.00", "400.00"),
    definition: str = LOCAL_DEFINITION,
    suppressed: bool = False,
    damages=("0", "0"),
    reporting=(10, 9, "3"),
) -> PublicFigures:
    """A PublicFigures row for a project; `local` is (achieved, target, hours, qualifying)."""
    achieved, target, hours, qualifying = local
    local_entry = headline(achieved, target, hours, qualifying, definition=definition)
    if suppressed:
        local_entry.update(
            achieved_percent=None, met=None, qualifying_hours=None, workers="3", suppressed=True
        )
    figures = {
        "headline": {
            "local_hire": local_entry,
            "apprentice": headline("21.00", "20", hours, str(Decimal(hours) * Decimal("0.21"))),
            "women": headline(None, None, None, None, workers=None),
            "people_of_color": headline("55.00", None, hours, str(Decimal(hours) / 2 * 11 / 10)),
        },
        "wages_to_target_groups": {"local_hire": "12000.00" if not suppressed else None},
        "damages": {"assessed": damages[0], "collected": damages[1]},
        "reporting": {
            "reports_due": reporting[0],
            "reports_on_time": reporting[1],
            "median_lag_days": reporting[2],
        },
    }
    return PublicFigures.objects.create(
        project=project,
        as_of=datetime.date(2026, 10, 31),
        computed_at=timezone.now(),
        etag="x",
        figures=figures,
    )


def public_project(
    slug: str,
    *,
    name: str | None = None,
    jurisdiction: str = "Boston, MA",
    sector: str = Project.Sector.HOUSING,
    total_cost: str | None = "20000000",
    policy: Policy | None = None,
    public: bool = True,
) -> Project:
    project = Project.objects.create(
        slug=slug,
        name=name or slug.replace("-", " ").title(),
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2027, 12, 31),
        jurisdiction=jurisdiction,
        sector=sector,
        total_cost=Decimal(total_cost) if total_cost else None,
    )
    agreement = Agreement.objects.create(
        project=project, title=f"{project.name} agreement", effective_date=project.start_date,
        public=public,
    )  # fmt: skip
    if policy is not None:
        Adoption.objects.create(agreement=agreement, policy=policy)
    return project


@pytest.fixture
def policies(db) -> dict[str, Policy]:
    return {
        "boston": Policy.objects.create(
            slug="boston-rjp", name="Boston Residents Jobs Policy", jurisdiction="Boston, MA",
            type="ordinance", adopted=datetime.date(2017, 1, 1), public=True,
        ),
        "sf": Policy.objects.create(
            slug="sf-local-hire", name="San Francisco Local Hiring Policy",
            jurisdiction="San Francisco, CA", type="ordinance",
            adopted=datetime.date(2010, 12, 14), public=True,
        ),
    }  # fmt: skip


@pytest.fixture
def private(project) -> Project:
    """The conftest project, monitored by the coalition and the law center, not public."""
    project.name = PRIVATE_MARKER
    project.jurisdiction = "Los Angeles, CA"
    project.save()
    published(project)
    return project


def rows_of(html: str) -> list[str]:
    return re.findall(r"<tr>.*?</tr>", html, flags=re.S)


def test_an_anonymous_visitor_compares_a_boston_project_with_a_san_francisco_one(
    client, policies, private
):
    boston = public_project("dorchester-bay", policy=policies["boston"])
    published(boston, local=("19.17", "51", "44937.50", "8615.00"))
    sf = public_project("mission-rock", jurisdiction="San Francisco, CA", policy=policies["sf"])
    published(sf, local=("33.00", "30", "1000.00", "330.00"), definition="SF residents' hours")

    page = client.get(URL)

    assert page.status_code == 200
    html = page.content.decode()
    for text in [
        "Dorchester Bay",
        "Mission Rock",
        "Boston Residents Jobs Policy",
        "San Francisco Local Hiring Policy",
        "19.17%",
        "51.00%",
        "33.00%",
        "<svg",
    ]:
        assert text in html, text
    assert PRIVATE_MARKER not in html
    assert "2 projects compared" in html


def test_a_private_projects_figures_never_reach_the_public_page(client, private):
    page = client.get(URL)
    assert page.status_code == 200
    assert PRIVATE_MARKER not in page.content.decode()
    assert "No project with published figures" in page.content.decode()


def test_a_reviewer_also_compares_the_projects_it_monitors(client, reviewer, outsider, private):
    public_project("open-one")
    published(Project.objects.get(slug="open-one"))

    client.force_login(reviewer)
    html = client.get(URL).content.decode()
    assert PRIVATE_MARKER in html and "Open One" in html
    assert "once their figures are gathered" in html

    client.force_login(outsider)
    html = client.get(URL).content.decode()
    assert PRIVATE_MARKER not in html and "Open One" in html


def test_a_contractor_compares_over_the_public_projects_only(client, contractor, private):
    client.force_login(contractor)
    assert PRIVATE_MARKER not in client.get(URL).content.decode()


def test_hours_weighted_achieved_is_the_groups_hours_not_the_mean_of_its_percents(policies, client):
    a = public_project("project-a", policy=policies["boston"])
    published(a, local=("40.00", "30", "1000.00", "400.00"))
    b = public_project("project-b", policy=policies["boston"])
    published(b, local=("30.00", "35", "3000.00", "900.00"))

    result = comparison(user=None, filters=Filters())

    (boston,) = result.by_policy
    local = boston.metrics["local_hire"]
    # (400 + 900) / (1,000 + 3,000) = 32.50%, not the mean of 40% and 30% (35%).
    assert local.weighted_achieved == Decimal("32.50")
    # (30% × 1,000 + 35% × 3,000) / 4,000 = 33.75%.
    assert local.weighted_target == Decimal("33.75")
    assert (local.met, local.with_verdict, local.share_met) == (1, 2, Decimal("50.00"))
    assert local.wages == Decimal("24000.00")
    html = client.get(URL).content.decode()
    assert "32.50%" in html and "33.75%" in html and "1 of 2 (50.00%)" in html


def test_a_suppressed_project_is_counted_but_left_out_of_the_weighted_figure(policies, client):
    a = public_project("project-a", policy=policies["boston"])
    published(a, local=("40.00", "30", "1000.00", "400.00"))
    small = public_project("small-one", policy=policies["boston"])
    published(small, local=("10.00", "30", "200.00", "20.00"), suppressed=True)

    (boston,) = comparison(user=None, filters=Filters()).by_policy
    local = boston.metrics["local_hire"]
    assert boston.projects == 2
    assert (local.weighted_achieved, local.suppressed, local.with_verdict) == (
        Decimal("40.00"),
        1,
        1,
    )
    assert local.wages_suppressed == 1
    html = client.get(URL).content.decode()
    assert "1 project suppressed, left out" in html
    assert "Suppressed: too few workers to publish" in html
    assert "20.00" not in re.search(r"Small One.*?</tr>", html, flags=re.S).group(0)


def test_each_number_has_its_policys_definition_beside_it(policies, client):
    sf = public_project("mission-rock", jurisdiction="San Francisco, CA", policy=policies["sf"])
    published(sf, local=("33.00", "30", "1000.00", "330.00"), definition="SF residents' hours")
    boston = public_project("dorchester-bay", policy=policies["boston"])
    published(boston, definition="Boston residents as the city certifies them")

    html = client.get(URL).content.decode()
    rows = rows_of(html)
    assert any("33.00%" in r and "SF residents&#x27; hours" in r for r in rows)
    assert any("40.00%" in r and "Boston residents as the city certifies them" in r for r in rows)
    by_policy = [r for r in rows if "San Francisco Local Hiring Policy</th>" in r]
    assert by_policy and "SF residents&#x27; hours" in by_policy[0]
    assert "What counts" in html and "Hours-weighted achieved" in html


def test_projects_without_a_policy_are_grouped_under_their_own_agreement(db):
    published(public_project("own-cba"))
    (group,) = comparison(user=None, filters=Filters()).by_policy
    assert group.label.startswith("No adopted policy")


def test_damages_and_reporting_are_summed_per_jurisdiction(policies, client):
    published(public_project("one"), damages=("1000.00", "250.00"), reporting=(10, 8, "4"))
    published(public_project("two"), damages=("3000.00", "750.00"), reporting=(6, 6, "2"))
    published(public_project("three"), damages=("0", "0"), reporting=(4, 2, "9"))

    (boston,) = comparison(user=None, filters=Filters()).by_jurisdiction
    assert (boston.damages_assessed, boston.damages_collected) == (Decimal(4000), Decimal(1000))
    assert boston.collected_percent == Decimal("25.00")
    assert (boston.reports_on_time, boston.reports_due, boston.on_time_percent) == (
        16,
        20,
        Decimal("80.00"),
    )
    assert boston.median_lag_days == Decimal("4.00")
    html = client.get(URL).content.decode()
    assert "$4,000.00" in html and "$1,000.00" in html and "16 of 20 (80.00%)" in html
    assert "4 days" in html


def test_the_filters_narrow_by_jurisdiction_sector_policy_vintage_and_size(policies, client):
    published(public_project("boston-housing", policy=policies["boston"], total_cost="8000000"))
    published(
        public_project(
            "sf-transit", jurisdiction="San Francisco, CA", sector=Project.Sector.TRANSIT,
            policy=policies["sf"], total_cost="400000000",
        )
    )  # fmt: skip

    def shown(**query) -> set[str]:
        html = client.get(URL, query).content.decode()
        assert "Boston Housing" in html or "Sf Transit" in html or "No project" in html
        return {n for n in ["Boston Housing", "Sf Transit"] if f">{n}<" in html}

    assert shown() == {"Boston Housing", "Sf Transit"}
    assert shown(jurisdiction="San Francisco, CA") == {"Sf Transit"}
    assert shown(sector="housing") == {"Boston Housing"}
    assert shown(vintage="2017") == {"Boston Housing"}
    assert shown(vintage="2010") == {"Sf Transit"}
    assert shown(size="under-10m") == {"Boston Housing"}
    assert shown(size="over-250m") == {"Sf Transit"}
    assert shown(size="10m-50m") == set()
    # A filter the form does not offer is ignored, not an error.
    assert client.get(URL, {"vintage": "1900"}).status_code == 200


def test_the_page_takes_the_same_queries_for_three_projects_as_for_twelve(policies, client):
    def queries_for(count: int) -> int:
        PublicFigures.objects.all().delete()
        Project.objects.all().delete()
        for i in range(count):
            policy = policies["boston"] if i % 2 else policies["sf"]
            published(public_project(f"p{i}", policy=policy, total_cost=str(10**6 * (i + 1))))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    assert queries_for(3) == queries_for(12)
    assert queries_for(12) <= 8


def test_the_page_reads_in_spanish(policies, client):
    published(public_project("dorchester-bay", policy=policies["boston"]))
    page = Client().get(URL, HTTP_ACCEPT_LANGUAGE="es")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="es">' in html
    assert "Idioma" in html  # the footer's words, already translated
    assert "40.00%" in html


def test_the_url_is_named_and_open_without_login(db):
    assert reverse("public:compare") == URL
    anonymous = make_user("nobody")
    client = Client()
    assert client.get(URL).status_code == 200
    client.force_login(anonymous)
    assert client.get(URL).status_code == 200


# -- Boston's figures --------------------------------------------------------------------

EXTRACT = Path(__file__).parent / "data" / "boston_rjp_extract.csv"
BOSTON_POLICY = Path(__file__).resolve().parent.parent / "demo" / "policies" / "boston-rjp.json"


def hand_share(name: str, column: str, value: str) -> tuple[Decimal, Decimal]:
    """Boston's own way: the hours of the project's rows whose `column` says `value`, over
    all its hours (a blank answer counts in the hours, not among the qualifying ones)."""
    wanted = " ".join(name.split()).casefold()
    with EXTRACT.open(newline="") as f:
        rows = [
            r for r in csv.DictReader(f) if " ".join(r["Project Name"].split()).casefold() == wanted
        ]
    total = sum(Decimal(r["Hours"]) for r in rows)
    return sum(Decimal(r["Hours"]) for r in rows if r[column] == value), total


def test_bostons_file_through_the_door_gives_the_shares_bostons_own_figures_give(db):
    policy = policy_definition_load(data=json.loads(BOSTON_POLICY.read_text())).policy
    project = public_project("parcel-p3", name="Parcel P-3 Residential")
    project.start_date, project.end_date = datetime.date(2023, 9, 1), datetime.date(2026, 6, 30)
    project.save()
    project.crafts.set(ensure_crafts().values())
    policy_adopt(agreement=project.agreements.get(), policy=policy, label="test")
    import_open_data(project=project, content=EXTRACT.read_bytes(), format="boston-rjp")

    evaluate_project(project, datetime.date(2024, 3, 31))

    for key, column, value, target in [
        ("residents", "Boston Resident", "Yes", Decimal(51)),
        ("people-of-color", "Person of Color", "Yes", Decimal(40)),
        ("women", "Gender", "Woman", Decimal(12)),
    ]:
        counted, total = hand_share(project.name, column, value)
        result = Evaluation.objects.get(project=project, commitment_key=key, group_key="project")
        assert (result.numerator, result.denominator) == (counted, total), key
        assert (result.actual_percent, result.target_percent) == (
            percent(counted, total),
            target,
        ), key

    # And the public page and its JSON say the same, to anyone.
    public_figures_refresh(project=project)
    published = Client().get("/public/projects/parcel-p3.json").json()
    headline = published["headline"]
    # The city's file carries no pay: wages read "Not reported", never $0.00.
    assert published["wages_to_target_groups"] == {}
    page = Client().get("/public/projects/parcel-p3/").text
    for metric, column, value in [
        ("local_hire", "Boston Resident", "Yes"),
        ("people_of_color", "Person of Color", "Yes"),
        ("women", "Gender", "Woman"),
    ]:
        counted, total = hand_share(project.name, column, value)
        shown = headline[metric]
        assert Decimal(shown["achieved_percent"]) == percent(counted, total), metric
        assert (Decimal(shown["qualifying_hours"]), Decimal(shown["hours"])) == (counted, total)
        assert f"{percent(counted, total)}%" in page, metric
    assert "Not reported" in page


def test_each_chart_is_labelled_and_says_in_words_what_its_dots_show(policies, client):
    published(
        public_project("dorchester-bay", policy=policies["boston"]),
        local=("19.17", "51", "44937.50", "8615.00"),
    )
    published(public_project("small-one"), suppressed=True)

    html = client.get(URL).content.decode()
    charts = re.findall(r"<svg .*?</svg>", html, flags=re.S)
    assert len(charts) == 4
    local = charts[0]
    assert 'role="img"' in local and "aria-labelledby=" in local
    assert "<title" in local and "Local or targeted hire" in local
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", local, flags=re.S).group(1)
    assert "Dorchester Bay: 19.17% against a target of 51.00%." in desc
    assert "Small One: suppressed (too few workers to publish)." in desc
    assert local.count("<circle") == 1 + 1  # one project's dot and the legend's


def test_the_comparison_reads_in_spanish_when_asked_like_every_public_page(policies, client):
    published(public_project("dorchester-bay", policy=policies["boston"]))
    page = client.get(URL, {"language": "es"})
    assert page["Content-Language"] == "es"
    assert 'name="language" value="es"' in page.text  # the filters keep the language
    assert "Read in English" in page.text
    assert "Compare projects, policies and cities" not in page.text
