"""Policies as data (SPEC §2, §7.3): load_policy, a project adopting policies into its
agreements with overrides, amending a template and applying it to the adopters."""

import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from cba.errors import InvalidInput
from compliance.models import Evaluation
from projects.definition import project_definition_load
from projects.models import (
    Agreement,
    Area,
    Commitment,
    CommitmentVersion,
    Policy,
    PolicyCommitment,
)
from projects.policies import adopters_of, template_amend
from projects.policy_definition import policy_definition_load
from tests.conftest import make_report
from tests.engine_support import line

POLICIES = Path(__file__).resolve().parent.parent / "demo" / "policies"
JAN_2025 = datetime.date(2025, 1, 1)


def policy_file(name: str) -> dict:
    return json.loads((POLICIES / f"{name}.json").read_text())


def load(name: str) -> str:
    out = io.StringIO()
    call_command("load_policy", str(POLICIES / f"{name}.json"), stdout=out)
    return out.getvalue()


def both_bound(slug="embarcadero", **project) -> dict:
    """A project bound by a CBA of its own and both policies, each in its own agreement."""
    return {
        "project": {
            "slug": slug,
            "name": "Embarcadero Yards",
            "start_date": "2025-01-01",
            "end_date": "2027-12-31",
            "jurisdiction": "San Francisco, CA",
            "sector": "mixed_use",
            "total_cost": "450000000",
            "public_subsidy": "38000000.50",
            **project,
        },
        "crafts": ["Carpenter", "Laborer", "Elevator Constructor"],
        "contractors": [{"slug": "bayside", "name": "Bayside Builders", "tier": "prime"}],
        "agreements": [
            {"key": "cba", "title": "Embarcadero Yards Community Benefits Agreement",
             "effective_date": "2025-01-01", "signatories": "Developer; Bayview Coalition",
             "cure_period_days": 45, "report_due_day": 10, "damages_basis": "to_date"},
            {"key": "sf-ordinance", "title": "SF Local Hiring Policy as applied",
             "effective_date": "2025-03-01", "report_due_day": 20, "public": True},
            {"key": "metro", "title": "Metro CCP as applied", "effective_date": "2025-06-01"},
        ],
        "policies": [
            {"slug": "sf-local-hire", "agreement": "sf-ordinance",
             "overrides": {"local": {"target_percent": "25", "start_date": "2025-04-01"}}},
            {"slug": "la-metro-ccp", "agreement": "metro",
             "overrides": {"targeted": {"area": "sf-city"}}},
        ],
        "commitments": [
            {"key": "youth", "agreement": "cba", "clause": "§4.2(a)",
             "title": "Apprentice hours", "kind": "workforce_share", "qualifier": "apprentice",
             "target_percent": "15",
             "versions": [{"effective_from": "2026-01-01", "target_percent": "20",
                           "note": "Second phase"}]},
        ],
    }  # fmt: skip


@pytest.fixture
def policies(db):
    load("la-metro-ccp")
    load("sf-local-hire")
    return {p.slug: p for p in Policy.objects.all()}


def test_load_policy_loads_both_demo_policies(policies):
    sf = policies["sf-local-hire"]
    assert (sf.jurisdiction, sf.type, sf.adopted) == (
        "San Francisco, CA",
        "ordinance",
        datetime.date(2010, 12, 14),
    )
    assert str(sf.threshold_dollars) == "400000.00"
    assert list(sf.exempt_crafts.values_list("name", flat=True)) == ["Elevator Constructor"]
    assert list(sf.templates.values_list("key", flat=True)) == ["local", "local-apprentice"]
    local = sf.templates.get(key="local")
    assert (local.clause, local.area.slug, local.params["scope"]) == (
        "§82.5(a)",
        "sf-city",
        "contractor_craft",
    )
    metro = policies["la-metro-ccp"]
    assert (metro.type, metro.get_type_display()) == ("pla", "Project labor agreement")
    assert metro.templates.count() == 3
    assert len(Area.objects.get(slug="la-metro-eda").zips) == 20


def test_load_policy_again_updates_and_says_so(policies):
    assert "Updated policy sf-local-hire" in load("sf-local-hire")
    assert Policy.objects.count() == 2 and PolicyCommitment.objects.count() == 5


def test_a_project_adopts_both_policies_beside_its_own_cba(policies):
    project = project_definition_load(data=both_bound())

    assert (project.jurisdiction, project.sector) == ("San Francisco, CA", "mixed_use")
    assert str(project.public_subsidy) == "38000000.50"
    assert list(project.agreements.values_list("key", flat=True)) == [
        "cba",
        "sf-ordinance",
        "metro",
    ]
    by_key = {c.key: c for c in project.commitments.select_related("agreement", "area")}
    assert {k: c.agreement.key for k, c in by_key.items()} == {
        "youth": "cba",
        "local": "sf-ordinance",
        "local-apprentice": "sf-ordinance",
        "targeted": "metro",
        "apprentice": "metro",
        "disadvantaged": "metro",
    }
    local = by_key["local"]
    assert local.params["target_percent"] == "25"
    assert local.template.policy.slug == "sf-local-hire"
    assert local.versions.get().effective_from == datetime.date(2025, 4, 1)
    assert by_key["targeted"].area.slug == "sf-city"
    assert by_key["apprentice"].versions.get().effective_from == datetime.date(2025, 6, 1)
    youth = by_key["youth"]
    assert [(v.effective_from, v.params["target_percent"]) for v in youth.versions.all()] == [
        (datetime.date(2025, 1, 1), "15"),
        (datetime.date(2026, 1, 1), "20"),
    ]
    # The primary (earliest) agreement governs the monthly reports.
    assert project.agreement.key == "cba"
    assert project.agreement.report_due_date(datetime.date(2025, 5, 1)) == datetime.date(
        2025, 6, 10
    )


def test_loading_the_same_file_twice_adds_no_version(policies):
    project_definition_load(data=both_bound())
    before = CommitmentVersion.objects.count()

    project_definition_load(data=both_bound())

    assert CommitmentVersion.objects.count() == before


def test_evaluate_json_names_each_results_agreement(policies):
    project = project_definition_load(data=both_bound())
    carpenter = project.crafts.get(name="Carpenter")
    make_report(
        project.assignments.get(),
        datetime.date(2025, 6, 1),
        [line("w1", datetime.date(2025, 6, 7), carpenter, 100, home_zip="94110")],
    )
    out = io.StringIO()
    call_command("evaluate", "--project=embarcadero", "--as-of=2025-07-31", "--json", stdout=out)

    results = json.loads(out.getvalue())["results"]
    agreements = {r["commitment"]: r["agreement"] for r in results}
    assert agreements["local"] == "sf-ordinance"
    assert agreements["youth"] == "cba"
    assert agreements["targeted"] == "metro"
    assert agreements["reporting"] == "cba"


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d["policies"][0].update(slug="nowhere"), "policies[0].slug"),
        (lambda d: d["policies"][0].update(agreement="nope"), "policies[0].agreement"),
        (lambda d: d["policies"][0].pop("agreement"), "policies[0].agreement"),
        (
            lambda d: d["policies"][0]["overrides"]["local"].update(target_percent="lots"),
            "policies[0].overrides.local.target_percent",
        ),
        (
            lambda d: d["policies"][0]["overrides"].update(nothing={}),
            "policies[0].overrides.nothing",
        ),
        (
            lambda d: d["policies"][1]["overrides"]["targeted"].update(area="atlantis"),
            "policies[1].overrides.targeted.area",
        ),
        (lambda d: d["commitments"][0].pop("agreement"), "commitments[0].agreement"),
        (lambda d: d["commitments"][0].update(agreement="x"), "commitments[0].agreement"),
        (
            lambda d: d["commitments"][0]["versions"][0].update(target_percent="-3"),
            "commitments[0].versions[0].target_percent",
        ),
        (
            lambda d: d["commitments"][0]["versions"][0].pop("effective_from"),
            "commitments[0].versions[0].effective_from",
        ),
        (lambda d: d["commitments"][0].update(key="local"), "policies[0].overrides.local.key"),
        (lambda d: d["project"].update(sector="stadium"), "project.sector"),
        (lambda d: d["project"].update(total_cost="a lot"), "project.total_cost"),
        (lambda d: d.update(agreement={"title": "x"}), "agreement"),
    ],
)
def test_a_bad_definition_is_refused_by_path_storing_nothing(policies, change, path):
    data = both_bound()
    change(data)

    with pytest.raises(InvalidInput) as caught:
        project_definition_load(data=data)

    assert path in [e["path"] for e in caught.value.errors]
    assert Commitment.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d["policy"].update(type="law"), "policy.type"),
        (lambda d: d["policy"].update(local_definition="vibes"), "policy.local_definition"),
        (lambda d: d["policy"].update(threshold_dollars="-1"), "policy.threshold_dollars"),
        (lambda d: d["commitments"][0].update(area="atlantis"), "commitments[0].area"),
        (lambda d: d["commitments"][1].update(target_percent="x"), "commitments[1].target_percent"),
        (lambda d: d.update(templates=[]), "templates"),
    ],
)
def test_load_policy_refuses_errors_by_path_storing_nothing(db, change, path):
    data = policy_file("sf-local-hire")
    change(data)

    with pytest.raises(InvalidInput) as caught:
        policy_definition_load(data=data)

    assert path in [e["path"] for e in caught.value.errors]
    assert Policy.objects.count() == 0 and Area.objects.count() == 0


def test_the_command_prints_every_error_and_stores_nothing(db, tmp_path):
    data = policy_file("sf-local-hire")
    data["policy"]["type"] = "law"
    data["commitments"][0]["area"] = "atlantis"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))

    with pytest.raises(CommandError) as caught:
        call_command("load_policy", str(path))

    assert "policy.type" in str(caught.value) and "commitments[0].area" in str(caught.value)
    assert Policy.objects.count() == 0


def test_amending_a_template_is_applied_to_the_chosen_adopters_as_a_new_version(policies):
    project_definition_load(data=both_bound())
    project_definition_load(data=both_bound(slug="bayview", name="Bayview Hub"))
    template = PolicyCommitment.objects.get(policy__slug="sf-local-hire", key="local")
    adopters = adopters_of(template)
    assert [(c.project.slug, c.key) for c in adopters] == [
        ("bayview", "local"),
        ("embarcadero", "local"),
    ]

    template_amend(
        template=template,
        changes={"target_percent": "35"},
        effective_from=datetime.date(2026, 1, 1),
        note="Ordinance amended: 35% from 2026.",
        apply_to=[adopters[1]],
    )

    template.refresh_from_db()
    assert template.params["target_percent"] == "35"
    embarcadero, bayview = (
        Commitment.objects.get(project__slug=s, key="local") for s in ("embarcadero", "bayview")
    )
    assert [v.params["target_percent"] for v in embarcadero.versions.all()] == ["25", "35"]
    assert embarcadero.terms_on(datetime.date(2025, 12, 31)).params["target_percent"] == "25"
    assert [v.params["target_percent"] for v in bayview.versions.all()] == ["25"]


def test_a_project_override_survives_an_amendment_of_another_parameter(policies):
    project_definition_load(data=both_bound())
    template = PolicyCommitment.objects.get(policy__slug="sf-local-hire", key="local")
    commitment = adopters_of(template)[0]

    template_amend(
        template=template,
        changes={"min_base": "100"},
        effective_from=datetime.date(2026, 1, 1),
        note="Smaller trades exempt below 100 hours.",
        apply_to=[commitment],
    )

    latest = commitment.terms_on(datetime.date(2026, 1, 1))
    assert (latest.params["target_percent"], latest.params["min_base"]) == ("25", "100")


def test_an_amendment_is_refused_for_a_commitment_not_made_from_the_template(policies):
    project_definition_load(data=both_bound())
    template = PolicyCommitment.objects.get(policy__slug="sf-local-hire", key="local")
    other = Commitment.objects.get(key="youth")

    with pytest.raises(ValidationError):
        template_amend(
            template=template,
            changes={"target_percent": "35"},
            effective_from=datetime.date(2026, 1, 1),
            note="x",
            apply_to=[other],
        )

    assert PolicyCommitment.objects.get(pk=template.pk).params["target_percent"] == "30"
    assert not Evaluation.objects.exists()


def test_the_admin_offers_a_template_amendment_to_each_adopting_project(policies, admin):
    from django.test import Client

    project_definition_load(data=both_bound())
    project_definition_load(data=both_bound(slug="bayview", name="Bayview Hub"))
    template = PolicyCommitment.objects.get(policy__slug="sf-local-hire", key="local")
    client = Client()
    client.force_login(admin)
    url = f"/admin/projects/policycommitment/{template.pk}/change/"
    params = json.dumps({**template.params, "target_percent": "35"})
    form = {
        "policy": template.policy_id,
        "key": "local",
        "clause": template.clause,
        "position": 0,
        "title": template.title,
        "kind": template.kind,
        "area": template.area_id,
        "params": params,
        "initial-params": json.dumps(template.params),
        "text": template.text,
    }

    response = client.post(url, form)

    apply_url = f"/admin/projects/policycommitment/{template.pk}/apply/"
    assert response.status_code == 302 and response["Location"] == apply_url
    page = client.get(apply_url).content.decode()
    assert "Embarcadero Yards: local" in page and "Bayview Hub: local" in page
    assert "target_percent" in page
    chosen = Commitment.objects.get(project__slug="bayview", key="local")

    response = client.post(
        apply_url,
        {"effective_from": "2026-07-01", "note": "Ordinance 2026-12.", "commitments": [chosen.pk]},
    )

    assert response.status_code == 302
    assert chosen.terms_on(datetime.date(2026, 7, 1)).params["target_percent"] == "35"
    assert chosen.terms_on(datetime.date(2026, 6, 30)).params["target_percent"] == "25"
    untouched = Commitment.objects.get(project__slug="embarcadero", key="local")
    assert untouched.versions.count() == 1


def test_a_policy_may_exclude_a_trade_no_project_has_yet(db):
    data = policy_file("sf-local-hire")
    data["commitments"][0]["excluded_crafts"] = ["elevator  constructor", "Boilermaker"]

    policy = policy_definition_load(data=data).policy

    local = policy.templates.get(key="local")
    assert local.params["excluded_crafts"] == ["Elevator Constructor", "Boilermaker"]


def test_an_older_file_reloads_after_the_project_gained_a_second_agreement(db):
    data = json.loads((Path(__file__).parent / "data" / "crenshaw.json").read_text())
    project = project_definition_load(data=data)
    Agreement.objects.create(
        project=project, key="ordinance", title="City ordinance", effective_date=JAN_2025
    )

    project_definition_load(data=data)

    assert set(project.commitments.values_list("agreement__key", flat=True)) == {
        "construction-careers-policy"
    }
