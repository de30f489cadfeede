"""The project definition file (SPEC §7.3): load_project and POST /api/v1/projects/definition."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from cba.errors import InvalidInput
from compliance.models import AuditEvent
from projects.definition import project_definition_load
from projects.models import (
    Agreement,
    Area,
    Assignment,
    Commitment,
    Craft,
    Monitoring,
    Organization,
    Project,
)
from tests.conftest import make_user

EXAMPLE = Path(__file__).parent / "data" / "crenshaw.json"


@pytest.fixture
def example() -> dict:
    return json.loads(EXAMPLE.read_text())


def stored_counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            Project,
            Area,
            Craft,
            Organization,
            Assignment,
            Agreement,
            Commitment,
            Monitoring,
            AuditEvent,
        )
    }


def error_paths(data: dict) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        project_definition_load(data=data)
    return [error["path"] for error in caught.value.errors]


def test_it_loads_the_example_of_the_spec(db, example):
    project = project_definition_load(data=example)

    assert (project.slug, project.name, project.location) == (
        "crenshaw",
        "Crenshaw/LAX Line",
        "Los Angeles, CA",
    )
    assert str(project.start_date) == "2024-01-01" and str(project.end_date) == "2026-12-31"
    assert Area.objects.get(slug="la-eda").zips == ["90001", "90002"]
    assert sorted(project.crafts.values_list("name", flat=True)) == [
        "Carpenter",
        "Operating Engineer",
    ]
    assert Craft.objects.get(name="Operating Engineer").aliases == ["Op Eng"]
    walsh = Assignment.objects.get(project=project, contractor__slug="walsh")
    pulice = Assignment.objects.get(project=project, contractor__slug="pulice")
    assert (walsh.tier, walsh.parent, walsh.start_date) == ("prime", None, project.start_date)
    assert (pulice.tier, pulice.parent) == ("sub", walsh)
    assert pulice.contractor.name == "Pulice" and pulice.contractor.kind == "contractor"
    agreement = project.agreement
    assert (agreement.title, agreement.cure_period_days, agreement.report_due_day) == (
        "Construction Careers Policy",
        30,
        15,
    )
    commitments = {c.key: c for c in project.commitments.all()}
    assert list(commitments) == ["targeted", "apprentice", "wage", "units"]
    targeted = commitments["targeted"]
    assert (targeted.clause, targeted.kind, targeted.area.slug) == (
        "§3.1",
        "workforce_share",
        "la-eda",
    )
    assert targeted.params["target_percent"] == "40"
    assert targeted.params["qualifier"] == "area_resident"
    assert commitments["apprentice"].params["warning_margin"] == "2"
    assert commitments["wage"].params["rates"] == [
        {"craft": "any", "effective_from": "2024-01-01", "base": "38.00", "fringe": "0"}
    ]
    assert commitments["units"].params["max_ami_percent"] == "60"
    event = AuditEvent.objects.get(verb="setup.project_definition.load")
    assert event.project == project and event.data["created"] is True


def test_loading_the_same_file_again_updates_and_duplicates_nothing(db, example):
    project_definition_load(data=example)
    before = stored_counts()
    example["project"]["name"] = "Crenshaw/LAX Transit Line"
    example["commitments"][0]["target_percent"] = "45"
    example["contractors"][1]["scope_of_work"] = "Tunnelling"

    project = project_definition_load(data=example)

    after = stored_counts()
    assert after.pop("AuditEvent") == before.pop("AuditEvent") + 1
    assert after == before
    assert project.name == "Crenshaw/LAX Transit Line"
    assert Commitment.objects.get(key="targeted").params["target_percent"] == "45"
    assert Assignment.objects.get(contractor__slug="pulice").scope_of_work == "Tunnelling"
    assert (
        AuditEvent.objects.filter(verb="setup.project_definition.load").first().data["created"]
        is False
    )


def test_an_update_keeps_what_the_file_leaves_out(db, example):
    project = project_definition_load(data=example)
    project.status = "complete"
    project.save()
    del example["commitments"][3]

    project_definition_load(data=example)

    project.refresh_from_db()
    assert project.status == "complete"
    assert Commitment.objects.filter(key="units").exists()


BROKEN = [
    ("an unknown key", lambda d: d.update(colour="red"), ["colour"]),
    (
        "an unknown area",
        lambda d: d["commitments"][0].update(area="nowhere"),
        ["commitments[0].area"],
    ),
    (
        "an unknown parameter",
        lambda d: d["commitments"][1].update(target="20"),
        ["commitments[1].target"],
    ),
    (
        "a bad rate",
        lambda d: d["commitments"][2]["rates"][0].update(base="a lot"),
        ["commitments[2].rates[0].base"],
    ),
    (
        "an unknown craft in a rate",
        lambda d: d["commitments"][2]["rates"][0].update(craft="Plumber"),
        ["commitments[2].rates[0].craft"],
    ),
    (
        "an unknown excluded craft",
        lambda d: d["commitments"][1].update(excluded_crafts=["Carpenter", "Glazier"]),
        ["commitments[1].excluded_crafts[1]"],
    ),
    (
        "an unknown parent",
        lambda d: d["contractors"][1].update(parent="nobody"),
        ["contractors[1].parent"],
    ),
    ("a bad tier", lambda d: d["contractors"][0].update(tier="boss"), ["contractors[0].tier"]),
    (
        "a completion before the start",
        lambda d: d["project"].update(end_date="2023-12-31"),
        ["project.end_date"],
    ),
    ("a bad date", lambda d: d["project"].update(start_date="01/01/2024"), ["project.start_date"]),
    ("a bad ZIP", lambda d: d["areas"][0]["zips"].append("9000"), ["areas[0].zips[2]"]),
    (
        "a due day past the 28th",
        lambda d: d["agreement"].update(report_due_day=31),
        ["agreement.report_due_day"],
    ),
    (
        "a percent over 100",
        lambda d: d["commitments"][0].update(target_percent="140"),
        ["commitments[0].target_percent"],
    ),
    (
        "an unknown kind",
        lambda d: d["commitments"][3].update(kind="promise"),
        ["commitments[3].kind"],
    ),
    (
        "a due date before the start",
        lambda d: d["commitments"][3].update(due_date="2023-01-01"),
        ["commitments[3].due_date"],
    ),
    (
        "an area on a commitment that takes none",
        lambda d: d["commitments"][1].update(area="la-eda"),
        ["commitments[1].area"],
    ),
    (
        "a resident commitment without an area",
        lambda d: d["commitments"][0].pop("area"),
        ["commitments[0].area"],
    ),
    (
        "an alias that names another craft",
        lambda d: d["crafts"].append({"name": "Crane Operator", "aliases": ["op eng"]}),
        ["crafts[2].aliases[0]"],
    ),
    (
        "a contractor listed twice",
        lambda d: d["contractors"].append({"slug": "walsh", "name": "Walsh again"}),
        ["contractors[2].slug"],
    ),
    (
        "a commitment key listed twice",
        lambda d: d["commitments"][1].update(key="targeted"),
        ["commitments[1].key"],
    ),
    ("a missing title", lambda d: d["commitments"][2].pop("title"), ["commitments[2].title"]),
    ("a list where an object belongs", lambda d: d.update(agreement=[]), ["agreement"]),
]


@pytest.mark.parametrize(
    "change, paths", [(c, p) for _, c, p in BROKEN], ids=[name for name, _, _ in BROKEN]
)
def test_a_broken_definition_names_the_path_and_stores_nothing(db, example, change, paths):
    change(example)

    assert error_paths(example) == paths
    assert set(stored_counts().values()) == {0}


def test_every_error_of_a_file_is_reported_at_once(db, example):
    example["commitments"][0]["area"] = "nowhere"
    example["commitments"][2]["rates"][0]["base"] = "-1"
    example["contractors"][1]["parent"] = "nobody"
    example["monitors"] = [{"slug": "coalition", "name": "Coalition", "kind": "union"}]

    assert error_paths(example) == [
        "monitors[0].kind",
        "contractors[1].parent",
        "commitments[0].area",
        "commitments[2].rates[0].base",
    ]


def test_a_broken_update_leaves_the_project_as_it_was(db, example):
    project_definition_load(data=example)
    before = stored_counts()
    example["project"]["name"] = "Renamed"
    example["commitments"][0]["target_percent"] = "nope"

    assert error_paths(example) == ["commitments[0].target_percent"]
    assert stored_counts() == before
    assert Project.objects.get().name == "Crenshaw/LAX Line"


def test_a_slug_taken_by_another_kind_of_organization_is_refused(db, example):
    Organization.objects.create(slug="walsh", name="Walsh Coalition", kind="coalition")

    assert error_paths(example) == ["contractors[0].slug"]


def test_it_attaches_monitors_and_contacts_and_uses_craft_names_for_aliases(db, example):
    walsh = Organization.objects.create(slug="walsh", name="Walsh", kind="contractor")
    clerk = make_user("walsh_clerk", walsh)
    example["monitors"] = [
        {"slug": "coalition", "name": "Crenshaw Coalition", "kind": "coalition"},
        {"slug": "lawcenter", "name": "Law Center", "kind": "law_center"},
    ]
    example["contractors"][0]["contacts"] = ["walsh_clerk"]
    example["contractors"][0]["start_date"] = "2024-03-01"
    example["commitments"][1]["excluded_crafts"] = ["op  eng"]

    project = project_definition_load(data=example)

    assert sorted(project.monitoring.values_list("organization__kind", flat=True)) == [
        "coalition",
        "law_center",
    ]
    assignment = project.assignments.get(contractor=walsh)
    assert list(assignment.contacts.all()) == [clerk]
    assert str(assignment.start_date) == "2024-03-01"
    assert Commitment.objects.get(key="apprentice").params["excluded_crafts"] == [
        "Operating Engineer"
    ]


def test_a_contact_must_belong_to_the_contractor(db, example):
    other = Organization.objects.create(slug="pulice", name="Pulice", kind="contractor")
    make_user("pulice_clerk", other)
    example["contractors"][0]["contacts"] = ["pulice_clerk", "ghost"]

    assert error_paths(example) == ["contractors[0].contacts[0]", "contractors[0].contacts[1]"]


def test_load_project_prints_a_summary(db):
    out = io.StringIO()
    call_command("load_project", str(EXAMPLE), stdout=out)
    call_command("load_project", str(EXAMPLE), stdout=out)

    assert out.getvalue().splitlines() == [
        "Created project crenshaw (Crenshaw/LAX Line): 2 contractors, 2 crafts, 4 commitments.",
        "Updated project crenshaw (Crenshaw/LAX Line): 2 contractors, 2 crafts, 4 commitments.",
    ]


def test_load_project_prints_every_error_and_stores_nothing(db, example, tmp_path):
    example["commitments"][0]["area"] = "nowhere"
    example["agreement"]["report_due_day"] = 0
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(example))

    with pytest.raises(CommandError) as caught:
        call_command("load_project", str(broken))

    assert caught.value.returncode == 1
    assert str(caught.value).splitlines() == [
        "The project definition has 2 errors; nothing was stored.",
        "agreement.report_due_day: 0: give a whole number from 1 to 28.",
        "commitments[0].area: Unknown area 'nowhere': list it under areas first.",
    ]
    assert set(stored_counts().values()) == {0}


def test_load_project_explains_a_file_that_is_not_json(db, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"project": ')

    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("load_project", str(broken))


def api_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_api_loads_a_definition_for_a_program_admin(admin, example):
    response = api_client(admin).post(
        "/api/v1/projects/definition", example, content_type="application/json"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == "crenshaw"
    assert body["commitments"] == ["targeted", "apprentice", "wage", "units"]
    assert body["contractors"] == ["pulice", "walsh"]
    assert AuditEvent.objects.get(verb="setup.project_definition.load").actor == admin


def test_the_api_answers_422_with_every_error(admin, example):
    example["commitments"][0]["area"] = "nowhere"
    example["bogus"] = True

    response = api_client(admin).post(
        "/api/v1/projects/definition", example, content_type="application/json"
    )

    assert response.status_code == 422
    assert [e["path"] for e in response.json()["errors"]] == ["bogus", "commitments[0].area"]
    assert not Project.objects.exists()


def test_only_program_admins_may_load_a_definition(reviewer, example):
    response = api_client(reviewer).post(
        "/api/v1/projects/definition", example, content_type="application/json"
    )

    assert response.status_code == 403
    assert Project.objects.count() == 1  # the fixture's project only


def test_the_project_list_follows_the_access_rules(contractor, outsider, project):
    assert [p["slug"] for p in api_client(contractor).get("/api/v1/projects").json()] == [
        "crenshaw"
    ]
    assert api_client(outsider).get("/api/v1/projects").json() == []


def test_project_detail_shows_commitments_with_parameters_and_visible_assignments(
    contractor, other_contractor, reviewer, outsider, project, pulice, area
):
    Commitment.objects.create(
        project=project,
        key="targeted",
        clause="§3.1",
        title="Targeted worker hours",
        kind="workforce_share",
        area=area,
        params={"qualifier": "area_resident", "target_percent": "40"},
    )

    body = api_client(reviewer).get("/api/v1/projects/crenshaw").json()
    assert body["agreement"]["report_due_day"] == 15
    assert body["commitments"][0]["area"] == "la-eda"
    assert body["commitments"][0]["params"]["target_percent"] == "40"
    assert [a["contractor"] for a in body["assignments"]] == ["walsh", "pulice"]
    assert body["assignments"][1]["parent"] == "walsh"
    prime = api_client(contractor).get("/api/v1/projects/crenshaw").json()
    assert [a["contractor"] for a in prime["assignments"]] == ["walsh", "pulice"]
    mine = api_client(other_contractor).get("/api/v1/projects/crenshaw").json()
    assert [a["contractor"] for a in mine["assignments"]] == ["pulice"]
    assert api_client(outsider).get("/api/v1/projects/crenshaw").status_code == 404


def test_the_program_admin_guide_shows_the_example_that_loads():
    guide = (Path(__file__).parent.parent / "docs" / "program-admin.md").read_text()
    setup = guide.split("## The project definition file", 1)[1].split("\n## ", 1)[0]
    shown = setup.split("```json\n", 1)[1].split("```", 1)[0]

    assert json.loads(shown) == json.loads(EXAMPLE.read_text())


def test_a_listed_craft_matches_an_existing_one_by_name_or_alias(db, example):
    from projects.models import Craft

    Craft.objects.create(name="Operating Engineer", aliases=["Op Eng"])
    example["crafts"] = ["carpenter", {"name": "OpEng", "aliases": ["op  eng", "Equipment Op"]}]

    project_definition_load(data=example)

    engineer = Craft.objects.get(name="Operating Engineer")
    assert Craft.objects.count() == 2
    assert engineer.aliases == ["Op Eng", "Equipment Op"]
    assert set(Craft.objects.filter(projects__slug="crenshaw").values_list("name", flat=True)) == {
        "carpenter",
        "Operating Engineer",
    }
