"""The engine's command line (SPEC §7.3 JSON, exactly) and its API."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command

from compliance.pipeline import evaluate_project
from tests.conftest import PASSWORD, make_commitment, make_report
from tests.engine_support import d, line

JAN = datetime.date(2024, 1, 1)
W1 = datetime.date(2024, 1, 6)


@pytest.fixture
def measured(project, walsh, pulice, crafts, area):
    make_commitment(
        project,
        "targeted",
        "workforce_share",
        qualifier="area_resident",
        area=area,
        target_percent="40",
        scope="contractor_craft",
    )
    make_commitment(
        project,
        "wage",
        "wage_floor",
        rates=[{"craft": "any", "effective_from": "2024-01-01", "base": "38.00"}],
    )
    make_report(
        walsh,
        JAN,
        [
            line("w1", W1, crafts["Carpenter"], d("59.02"), home_zip="90001"),
            line("w2", W1, crafts["Carpenter"], d("40.98")),
        ],
    )
    make_report(pulice, JAN, [line("p1", W1, crafts["Laborer"], 10, hourly_rate=d("30.00"))])
    return project


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_evaluate_json_is_exactly_the_documented_shape(measured, walsh, crafts):
    output = json.loads(run("evaluate", "--project=crenshaw", "--as-of=2024-01-31", "--json"))

    assert output["as_of"] == "2024-01-31"
    walsh_carpenters = output["results"][1]
    assert walsh_carpenters == {
        "project": "crenshaw",
        "commitment": "targeted",
        "kind": "workforce_share",
        "group": {"contractor": "walsh", "craft": "Carpenter"},
        "numerator": "59.02",
        "denominator": "100.00",
        "actual_percent": "59.02",
        "target_percent": "40.00",
        "status": "met",
        "shortfall": "0.00",
        "projected_percent": "59.02",
    }
    assert [
        (r["commitment"], r["group"]["contractor"], r["group"]["craft"]) for r in output["results"]
    ] == [
        ("targeted", "pulice", "Laborer"),
        ("targeted", "walsh", "Carpenter"),
        ("wage", None, None),
        ("reporting", "pulice", None),
        ("reporting", "walsh", None),
    ]
    wage = output["results"][2]
    assert (wage["status"], wage["shortfall"], wage["target_percent"]) == (
        "shortfall",
        "80.00",
        None,
    )


def test_evaluate_prints_a_readable_table(measured):
    output = run("evaluate", "--project", "crenshaw", "--as-of", "2024-01-31")

    assert output.startswith("As of 2024-01-31: 5 results.")
    assert "Walsh Shea · Carpenter" in output
    assert "Whole project" in output
    assert "at_risk" not in output and "no_data" not in output


def test_evaluate_without_a_project_evaluates_every_active_project(measured):
    output = json.loads(run("evaluate", "--as-of=2024-01-31", "--json"))
    assert {r["project"] for r in output["results"]} == {"crenshaw"}


def test_evaluate_explains_bad_arguments(measured):
    with pytest.raises(CommandError, match="No project 'nope'. Projects: crenshaw."):
        run("evaluate", "--project=nope")
    with pytest.raises(CommandError, match="not a date: use YYYY-MM-DD"):
        run("evaluate", "--as-of=31/01/2024")


def test_flags_json_is_exactly_the_documented_shape(measured, pulice, time_machine):
    time_machine.move_to(datetime.datetime(2024, 2, 20, 12, tzinfo=datetime.UTC), tick=False)
    run("evaluate", "--project=crenshaw", "--as-of=2024-02-20")

    flags = json.loads(run("flags", "--project=crenshaw", "--json"))["flags"]

    missing = next(f for f in flags if f["kind"] == "missing_report")
    assert missing == {
        "id": missing["id"],
        "kind": "missing_report",
        "severity": "warning",
        "status": "open",
        "project": "crenshaw",
        "commitment": "reporting",
        "group": {"contractor": missing["group"]["contractor"], "craft": None},
        "month": "2024-01",
        "figures": {"month": "2024-01", "due_date": "2024-02-15"},
    }
    wage = next(f for f in flags if f["kind"] == "wage_violation")
    assert (wage["month"], wage["group"]) == (None, {"contractor": None, "craft": None})
    assert wage["figures"]["violations"][0]["worker"] == "p1"
    assert json.loads(run("flags", "--status=resolved", "--json")) == {"flags": []}
    table = run("flags", "--status=unresolved")
    assert table.startswith(f"{len(flags)} flags.")
    assert "missing_report" in table


def test_the_evaluations_api_gives_each_groups_series(
    client, measured, reviewer, contractor, other_contractor
):
    evaluate_project(measured, datetime.date(2024, 1, 31))
    client.login(username=reviewer.username, password=PASSWORD)

    response = client.get("/api/v1/projects/crenshaw/evaluations?commitment=targeted")

    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["group"] for i in items] == [
        {"contractor": "pulice", "craft": "Laborer"},
        {"contractor": "walsh", "craft": "Carpenter"},
    ]
    assert items[1]["series"][0]["cumulative_percent"] == "59.02"
    assert items[1]["details"]["unit"] == "hours"

    client.login(username=contractor.username, password=PASSWORD)
    prime = client.get("/api/v1/projects/crenshaw/evaluations").json()["items"]
    assert {i["group"]["contractor"] for i in prime} == {"walsh", "pulice"}  # and its sub's
    client.login(username=other_contractor.username, password=PASSWORD)
    mine = client.get("/api/v1/projects/crenshaw/evaluations").json()["items"]
    assert {i["group"]["contractor"] for i in mine} == {"pulice"}


def test_the_compliance_summary(client, measured, lawyer, outsider):
    evaluate_project(measured, datetime.date(2024, 2, 20))
    client.login(username=lawyer.username, password=PASSWORD)

    summary = client.get("/api/v1/projects/crenshaw/compliance").json()

    assert summary["as_of"] == "2024-02-20"
    by_key = {c["key"]: c for c in summary["commitments"]}
    assert by_key["targeted"]["status"] == "shortfall"
    assert by_key["targeted"]["groups"] == {"met": 1, "shortfall": 1}
    assert by_key["targeted"]["project_result"] is None
    assert by_key["wage"]["project_result"]["shortfall"] == "80.00"
    assert summary["reporting"] == {
        "due": 2,
        "on_time": 0,
        "late": 0,
        "missing": 2,
        "not_yet_due": 2,
    }
    assert summary["open_flags"]["critical"] == 2

    client.login(username=outsider.username, password=PASSWORD)
    assert client.get("/api/v1/projects/crenshaw/compliance").status_code == 404
