"""The public pages in the visitor's words (SPEC §1, §7.4): the rules of SPEC §10 example A
said in Spanish on `?language=es`, built from the facts the stored figures keep; and the
comparison saying which projects are private, which filter value it did not know, and
where a project's own target is not its policy's."""

import datetime
import json
from html import unescape

import pytest
from django.test import Client

from compliance.evaluation.public.figures import public_figures_refresh
from compliance.models import PublicFigures
from projects.models import Policy, PolicyCommitment, Project
from projects.policies import policy_adopt
from tests.conftest import make_commitment, make_report
from tests.engine_support import evaluate, line
from tests.test_public_compare import public_project, published
from tests.test_public_figures import AS_OF, published_example_a

ENGLISH_RULE = (
    "At least 40% of work hours must go to residents of Economically disadvantaged ZIPs, "
    "across the whole project."
)
SPANISH_RULE = (
    "Al menos el 40% de las horas de trabajo debe corresponder a residentes de "
    "Economically disadvantaged ZIPs, en todo el proyecto."
)
COMPARE = "/public/compare/"


@pytest.fixture
def example_a(project, walsh, crafts, area):
    return published_example_a(project, walsh, crafts, area)


def test_the_spanish_page_says_example_as_rule_in_spanish(example_a):
    spanish = Client().get("/public/projects/crenshaw/?language=es").text
    english = Client().get("/public/projects/crenshaw/?language=en").text

    assert SPANISH_RULE in spanish and ENGLISH_RULE not in spanish
    # The reporting table's "Reports due" is what is owed so far, not what is still pending.
    assert "Informes exigibles" in spanish and "Informes pendientes" not in spanish
    assert "Un trabajador cuyo código postal de domicilio está en" in spanish
    assert "90001, 90002, 90003" in spanish
    assert "Todas las horas informadas en los reportes de nómina" in spanish
    assert "Horas trabajadas por mujeres, del total de horas informadas." in spanish
    assert "A worker whose home ZIP code" not in spanish
    assert ENGLISH_RULE in english and SPANISH_RULE not in english


def test_the_json_download_says_the_rules_in_the_language_asked_for(example_a):
    spanish = Client().get("/public/projects/crenshaw.json?language=es").json()
    english = Client().get("/public/projects/crenshaw.json?language=en").json()

    assert spanish["headline"]["local_hire"]["definition"] == SPANISH_RULE
    assert spanish["commitments"][0]["description"] == SPANISH_RULE
    assert spanish["rules"]["local"].startswith("Un trabajador cuyo código postal")
    assert english["headline"]["local_hire"]["definition"] == ENGLISH_RULE
    assert english["rules"]["local"] == (
        "A worker whose home ZIP code is in Economically disadvantaged ZIPs: 90001, 90002, 90003."
    )


def test_the_json_download_says_which_language_it_is_in(example_a):
    spanish = Client().get("/public/projects/crenshaw.json?language=es")
    english = Client().get("/public/projects/crenshaw.json?language=en")

    assert spanish["Content-Language"] == "es"
    assert english["Content-Language"] == "en"


def test_no_sentence_is_stored_with_the_figures(example_a):
    stored = json.dumps(PublicFigures.objects.get(project=example_a).figures)

    assert "At least" not in stored and "A worker whose" not in stored
    assert "All hours reported" not in stored


def test_figures_gathered_before_are_shown_with_their_stored_words(example_a):
    """A row gathered before the figures kept facts: read as stored, no error."""
    row = PublicFigures.objects.get(project=example_a)
    figures = row.figures
    for entry in figures["headline"].values():
        entry.pop("terms"), entry.pop("policy_target")
        entry["definition"] = "An old stored sentence."
    for entry in figures["commitments"]:
        entry.pop("terms")
        entry["description"] = "An old stored description."
    figures["rules"] = {
        "local": "An old local rule.",
        "denominator": "An old denominator.",
        "exempt_trades": [],
        "agreements": ["Construction Careers Policy"],
    }
    PublicFigures.objects.filter(pk=row.pk).update(figures=figures, etag="old")

    page = Client().get("/public/projects/crenshaw/?language=es")

    assert page.status_code == 200
    assert "An old stored sentence." in page.text and "An old local rule." in page.text
    assert Client().get(f"{COMPARE}?language=es").status_code == 200


def test_the_policy_index_says_a_policys_terms_in_spanish(db, area):
    _la_metro(area)

    spanish = Client().get("/public/?language=es").text

    assert SPANISH_RULE in spanish
    assert "Ordenanza" in spanish  # the policy's kind, a choice label
    assert "Código postal de domicilio en el área de la política" in spanish


# -- the comparison ----------------------------------------------------------------------

PRIVATE_NAME = "Zz Private Yard"
PRIVATE_WORDS = "Private — not on the public pages"


@pytest.fixture
def private(project) -> Project:
    """The conftest project (monitored by the coalition), not public, figures gathered."""
    project.name = PRIVATE_NAME
    project.jurisdiction = "Los Angeles, CA"
    project.save()
    published(project)
    return project


def test_a_monitor_sees_its_private_project_marked_in_the_table_and_the_chart(
    client, reviewer, private
):
    published(public_project("open-one", name="Open One"))
    client.force_login(reviewer)

    html = client.get(COMPARE).text

    project_rows = [r for r in html.split("<tr>") if PRIVATE_NAME in r and "as of" in r]
    assert project_rows and all(PRIVATE_WORDS in r for r in project_rows)
    assert not any(PRIVATE_WORDS in r for r in html.split("<tr>") if "Open One" in r)
    assert "(private — not on the public pages)" in html  # the chart's words
    assert "· Private</tspan>" in html  # beside the name in the chart
    assert "includes 1 private project, not on the public pages" in html
    spanish = client.get(COMPARE, {"language": "es"}).text
    assert "Privado: no figura en las páginas públicas" in spanish


def test_an_anonymous_visitor_never_sees_the_private_project_or_its_mark(client, private):
    published(public_project("open-one", name="Open One"))

    html = Client().get(COMPARE).text

    assert "Open One" in html
    assert PRIVATE_NAME not in html and PRIVATE_WORDS not in html and "Private" not in html


def test_an_unknown_filter_value_is_named_and_the_page_shows_all(client, private):
    published(public_project("open-one", name="Open One", jurisdiction="Boston, MA"))

    page = Client().get(COMPARE, {"jurisdiction": "Nowhere"})

    assert page.status_code == 200
    assert "No jurisdiction called “Nowhere”; showing all jurisdictions." in page.text
    assert "Open One" in page.text
    spanish = Client().get(COMPARE, {"jurisdiction": "Nowhere", "language": "es"}).text
    assert "No hay ninguna jurisdicción llamada “Nowhere”" in spanish


def test_an_unknown_value_is_named_short_and_cannot_turn_the_sentence_around(db):
    published(public_project("open-one", name="Open One"))

    long = Client().get(COMPARE, {"jurisdiction": "W" * 20000})
    turned = Client().get(COMPARE, {"jurisdiction": "\u202eevil"})

    assert long.status_code == 200
    assert "No jurisdiction called “" + "W" * 59 + "…”; showing all jurisdictions." in long.text
    assert "“" + "W" * 60 not in long.text
    assert "No jurisdiction called “evil”; showing all jurisdictions." in turned.text
    assert "\u202e" not in turned.text


def test_an_unknown_value_drops_its_filter_only(db):
    published(public_project("housing-one", name="Housing One", sector=Project.Sector.HOUSING))
    published(public_project("transit-one", name="Transit One", sector=Project.Sector.TRANSIT))

    page = Client().get(
        COMPARE, {"sector": Project.Sector.TRANSIT, "size": "huge", "vintage": "<b>x</b>"}
    )

    assert page.status_code == 200
    assert "Transit One" in page.text and "Housing One" not in page.text
    assert "No project size called “huge”; showing projects of every size." in page.text
    assert "No policy adopted in “&lt;b&gt;x&lt;/b&gt;”" in page.text  # escaped, never markup


def test_a_project_target_other_than_its_policys_is_shown_beside_the_figure(
    project, walsh, crafts, area
):
    """LA Metro's policy asks 40%; the project adopted it with its own 30%."""
    policy = _la_metro(area)
    policy_adopt(
        agreement=project.agreements.get(),
        policy=policy,
        overrides={"local": {"target_percent": "30"}},
        label="test",
    )
    _example_a_lines(project, walsh, crafts)
    public_figures_refresh(project=project)

    html = unescape(Client().get(COMPARE).text)
    spanish = Client().get(COMPARE, {"language": "es"}).text

    assert "Project target 30.00% (policy: 40.00%)" in html
    assert "against the project's target of 30.00% (its policy's: 40.00%)" in html
    assert "Meta del proyecto: 30.00% (política: 40.00%)" in spanish


def test_a_target_equal_to_its_policys_reads_as_the_target_alone(project, walsh, crafts, area):
    policy = _la_metro(area)
    policy_adopt(agreement=project.agreements.get(), policy=policy, label="test")
    _example_a_lines(project, walsh, crafts)
    public_figures_refresh(project=project)

    html = Client().get(COMPARE).text

    assert "40.00%" in html and "Project target" not in html


def _la_metro(area) -> Policy:
    """LA Metro's policy, public, asking 40% of hours by residents of the area."""
    policy = Policy.objects.create(
        slug="la-metro-ccp", name="LA Metro Construction Careers Policy",
        jurisdiction="Los Angeles, CA", type="ordinance", public=True,
    )  # fmt: skip
    PolicyCommitment.objects.create(
        policy=policy, key="local", title="Local hire", kind="workforce_share", area=area,
        params={"qualifier": "area_resident", "target_percent": "40"},
    )  # fmt: skip
    return policy


def _example_a_lines(project, walsh, crafts) -> None:
    """Example A's lines (10,000 hours, 3,700 local), for a commitment already made."""
    lines = []
    for n in range(20):
        local = n < 10
        lines.append(
            line(
                f"W{n}",
                datetime.date(2024, 3, 8),
                crafts["Carpenter"],
                "370.00" if local else "630.00",
                home_zip="90001" if local else "99999",
            )
        )
    make_report(walsh, datetime.date(2024, 3, 1), lines)
    evaluate(project, AS_OF)


def test_make_commitment_still_describes_in_english_by_default(project, area):
    commitment = make_commitment(
        project, "local", "workforce_share", qualifier="area_resident", area=area,
        target_percent="40", penalty_per_unit="25", excluded_crafts=["Carpenter"],
    )  # fmt: skip

    assert commitment.description == (
        "At least 40% of work hours must go to residents of Economically disadvantaged ZIPs, "
        "across the whole project (not counting Carpenter); liquidated damages of $25.00 per "
        "shortfall hour."
    )


def test_a_private_agreements_private_policy_is_named_only_to_the_projects_monitors(
    project, reviewer, outsider
):
    """A public project (an agreement marked public) whose other, private agreement adopts a
    private policy: the comparison names that policy, and offers its year, to the project's
    monitors only."""
    project.agreements.update(public=True)
    secret = Policy.objects.create(
        slug="secret-policy", name="Zz Secret Policy", jurisdiction="Los Angeles, CA",
        type="ordinance", adopted=datetime.date(2003, 5, 1), public=False,
    )  # fmt: skip
    hidden = project.agreements.create(
        title="Side letter", effective_date=project.start_date, public=False
    )
    hidden.adoptions.create(policy=secret)
    published(project)

    for visitor in (None, outsider):
        client = Client()
        if visitor is not None:
            client.force_login(visitor)
        html = client.get(COMPARE).text
        assert "Crenshaw/LAX Line" in html
        assert "Zz Secret Policy" not in html and "2003" not in html
        by_year = client.get(COMPARE, {"vintage": "2003"}).text
        assert "No policy adopted in “2003”" in by_year

    client = Client()
    client.force_login(reviewer)
    html = client.get(COMPARE).text
    assert "Zz Secret Policy" in html and ">2003<" in html
    assert "No policy adopted" not in client.get(COMPARE, {"vintage": "2003"}).text


def test_the_data_dictionary_describes_the_rules_the_json_carries(example_a):
    english = Client().get("/public/data-dictionary/").text
    spanish = Client().get("/public/data-dictionary/", {"language": "es"}).text
    fields = Client().get("/public/projects/crenshaw.json").json()["dictionary"]["json_fields"]

    for name in ["headline.*.terms", "commitments.*.description", "rules.local_rule"]:
        assert f"<code>{name}</code>" in english and name in fields
    assert "Who counts as local" in english
    assert "Quién cuenta como local" in spanish
