"""The open data door (SPEC §5.4, §3.1 `reported_resident`, §7.3 `import_open_data`; issue 15).

The reference file, tests/data/boston_rjp_extract.csv, is an extract in the layout of
Boston's Residents Jobs Policy data: 300 rows of three projects, one row per worker and
period. The shares the tests expect are computed here from the file itself, with the csv
module, as Boston's own figures are: hours-weighted, per project.
"""

import csv
import datetime
import io
import json
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from compliance.models import PayrollLine, Report
from projects.access import ADMIN, LAW_CENTER, REVIEWER
from projects.models import (
    Agreement,
    Assignment,
    Craft,
    Monitoring,
    Organization,
    Project,
)
from projects.tokens import api_token_create
from tests.conftest import make_commitment, make_user
from tests.engine_support import run_tasks_synchronously

EXTRACT = Path(__file__).parent / "data" / "boston_rjp_extract.csv"
NAME = "Parcel P-3 Residential"
OTHER = "Dorchester Bay Commons Phase 1"
AS_OF = "2024-03-31"


def file_rows(name: str = NAME) -> list[dict]:
    """The file's rows for one project, matched as the door matches (case and spaces)."""
    wanted = " ".join(name.split()).casefold()
    with EXTRACT.open(newline="") as f:
        return [
            row
            for row in csv.DictReader(f)
            if " ".join(row["Project Name"].split()).casefold() == wanted
        ]


def share(rows: list[dict], column: str, value: str) -> tuple[str, str, str]:
    """(numerator, denominator, percent) of the hours whose `column` says `value`."""
    total = sum(Decimal(r["Hours"]) for r in rows)
    counted = sum(Decimal(r["Hours"]) for r in rows if r[column] == value)
    percent = (100 * counted / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{counted:.2f}", f"{total:.2f}", f"{percent:.2f}"


@pytest.fixture
def boston(db, crafts, orgs) -> Project:
    Craft.objects.create(name="Ironworker", aliases=["Iron Worker"])
    Craft.objects.create(name="Plumber")
    project = Project.objects.create(
        slug="parcel-p3",
        name=NAME,
        location="Roxbury, Boston, MA",
        start_date=datetime.date(2023, 9, 1),
        end_date=datetime.date(2026, 6, 30),
    )
    project.crafts.set(Craft.objects.all())
    Agreement.objects.create(
        project=project, title="Boston Residents Jobs Policy", effective_date=project.start_date
    )
    Monitoring.objects.create(project=project, organization=orgs["coalition"])
    Monitoring.objects.create(project=project, organization=orgs["lawcenter"])
    for key, qualifier, target in [
        ("residents", "reported_resident", "51"),
        ("people-of-color", "person_of_color", "40"),
        ("women", "woman", "12"),
    ]:
        make_commitment(
            project,
            key,
            "workforce_share",
            title=f"{key.replace('-', ' ').capitalize()} hours",
            qualifier=qualifier,
            target_percent=target,
        )
    make_commitment(
        project,
        "women-workers",
        "workforce_share",
        title="Women workers",
        measure="workers",
        qualifier="woman",
        target_percent="12",
    )
    return project


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def import_file(path: Path = EXTRACT, *extra) -> str:
    return run("import_open_data", str(path), "--project=parcel-p3", "--format=boston-rjp", *extra)


def evaluated() -> dict[str, dict]:
    output = json.loads(run("evaluate", "--project=parcel-p3", f"--as-of={AS_OF}", "--json"))
    return {r["commitment"]: r for r in output["results"] if r["group"]["contractor"] is None}


def write(tmp_path: Path, rows: list[list[str]], name: str = "city.csv") -> Path:
    with EXTRACT.open(newline="") as f:
        header = next(csv.reader(f))
    path = tmp_path / name
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def a_row(**changes) -> list[str]:
    row = {
        "Agency": "BPDA",
        "Project Name": NAME,
        "Project Address": "1010 Tremont St",
        "Neighborhood": "Roxbury",
        "Developer": "Tremont Crossing Partners LLC",
        "General Contractor": "Harborline Builders Inc.",
        "Subcontractor": "",
        "Trade": "Carpenter",
        "Period Ending": "2024-02-02",
        "Gender": "Man",
        "Person of Color": "No",
        "Race": "Caucasian",
        "Boston Resident": "No",
        "Hours": "40",
    }
    row.update(changes)
    return list(row.values())


def test_the_boston_extract_gives_the_shares_the_file_itself_gives(boston):
    rows = file_rows()
    summary = import_file()

    results = evaluated()
    for key, column, value in [
        ("residents", "Boston Resident", "Yes"),
        ("people-of-color", "Person of Color", "Yes"),
        ("women", "Gender", "Woman"),
    ]:
        numerator, denominator, percent = share(rows, column, value)
        result = results[key]
        assert (result["numerator"], result["denominator"], result["actual_percent"]) == (
            numerator,
            denominator,
            percent,
        ), key
        assert result["status"] in {"met", "at_risk", "shortfall"}
    assert summary.startswith(f"Imported {len(rows)} rows for “{NAME}”")


def test_person_of_color_is_the_files_flag_not_its_race_text(boston, tmp_path):
    path = write(
        tmp_path,
        [
            a_row(Race="Caucasian", **{"Person of Color": "No"}, Hours="30"),
            a_row(Race="", **{"Person of Color": "Yes"}, Hours="10", Gender="Woman"),
            a_row(Race="Black", **{"Person of Color": "Yes"}, Hours="20", Gender="Woman"),
        ],
    )
    import_file(path)

    results = evaluated()
    poc = results["people-of-color"]
    assert (poc["numerator"], poc["denominator"], poc["actual_percent"]) == (
        "30.00",
        "60.00",
        "50.00",
    )
    assert results["women"]["numerator"] == "30.00"
    genders = sorted(PayrollLine.objects.values_list("gender", flat=True))
    assert genders == ["F", "F", "M"]


def test_worker_counts_say_no_data_with_the_reason(boston, reviewer):
    import_file()

    women_workers = evaluated()["women-workers"]
    assert women_workers["status"] == "no_data"
    assert "no worker identity" in women_workers["reason"]
    assert "reason" not in evaluated()["women"]

    table = run("evaluate", "--project=parcel-p3", f"--as-of={AS_OF}")
    assert "No data for §1 Women workers (Whole project): Open data carries no worker" in table

    client = Client()
    client.force_login(reviewer)
    page = client.get("/projects/parcel-p3/").content.decode()
    assert "Why no data" in page
    assert "Open data carries no worker identity: its workers cannot be counted." in page
    api = client.get("/api/v1/projects/parcel-p3/evaluations?commitment=women-workers").json()
    assert api["items"][0]["reason"].startswith("Open data carries no worker identity")


def test_only_the_named_projects_rows_become_lines_of_its_contractors(boston):
    rows = file_rows()
    import_file()

    lines = PayrollLine.objects.filter(project=boston, is_current=True)
    assert lines.count() == len(rows) == 130
    assert sum(lines.values_list("hours", flat=True)) == sum(Decimal(r["Hours"]) for r in rows)
    assert not lines.exclude(worker=None).exists()
    assert set(Report.objects.values_list("source", flat=True)) == {"open_data"}
    assert not Report.objects.filter(is_late=True).exists()

    assignments = {a.contractor.name: a for a in Assignment.objects.filter(project=boston)}
    assert set(assignments) == {
        "Harborline Builders Inc.",
        "Coastal Steel Erectors",
        "Fenway Electric Co.",
        "Bay State Forms & Concrete",
    }
    prime = assignments.pop("Harborline Builders Inc.")
    assert prime.tier == "prime"
    assert {(a.tier, a.parent_id) for a in assignments.values()} == {("sub", prime.pk)}
    assert (prime.start_date, prime.end_date) == (
        datetime.date(2024, 1, 1),
        datetime.date(2024, 3, 31),
    )
    # Other projects' companies are not created.
    assert not Organization.objects.filter(name="Commonwealth Construction Co.").exists()
    # Each contractor's month is one report: 4 contractors × 3 months.
    assert Report.objects.count() == 12


def test_a_source_name_picks_the_rows_the_file_gives_another_name(boston):
    rows = file_rows(OTHER)
    summary = import_file(EXTRACT, f"--source-name={OTHER.upper()}")

    assert PayrollLine.objects.filter(project=boston).count() == len(rows)
    assert f"for “{OTHER.upper()}”" in summary


def test_importing_the_same_file_again_changes_nothing(boston):
    import_file()
    reports = list(Report.objects.order_by("pk").values_list("pk", "version", "is_current"))

    summary = import_file()

    assert summary.startswith("Nothing changed: the file's 130 rows")
    assert list(Report.objects.order_by("pk").values_list("pk", "version", "is_current")) == (
        reports
    )


def test_a_corrected_file_amends_only_the_months_it_changes(boston, tmp_path):
    first = write(tmp_path, [a_row(), a_row(**{"Period Ending": "2024-03-01"})], "one.csv")
    again = write(
        tmp_path, [a_row(Hours="32"), a_row(**{"Period Ending": "2024-03-01"})], "two.csv"
    )
    import_file(first)

    summary = import_file(again)

    assert "1 new report version, 1 unchanged" in summary
    february = Report.objects.filter(period=datetime.date(2024, 2, 1))
    assert list(february.order_by("version").values_list("version", "is_current")) == [
        (1, False),
        (2, True),
    ]
    assert PayrollLine.objects.filter(is_current=True).count() == 2


def test_bad_rows_give_every_error_and_store_nothing(boston, tmp_path):
    path = write(
        tmp_path,
        [
            a_row(Trade="Glazier"),
            a_row(**{"Period Ending": "02/30/2024"}),
            a_row(Hours="forty"),
            a_row(**{"Boston Resident": "Maybe"}),
            a_row(**{"General Contractor": ""}),
            a_row(**{"Project Name": OTHER}, Trade="Glazier"),
        ],
    )
    err = io.StringIO()

    with pytest.raises(CommandError) as refused:
        call_command(
            "import_open_data",
            str(path),
            "--project=parcel-p3",
            "--format=boston-rjp",
            stdout=io.StringIO(),
            stderr=err,
        )

    assert refused.value.returncode == 1
    assert str(refused.value).startswith("5 problems found; nothing was stored.")
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("row 2, Trade: Not a craft of this project by name or alias")
    assert "adds this trade as an alias of the craft it is" in lines[0]
    assert "(given: Glazier)" in lines[0]
    assert lines[1].startswith("row 3, Period Ending: Not a date")
    assert lines[2].startswith("row 4, Hours: This is not a number")
    assert lines[3].startswith("row 5, Boston Resident: Enter Yes or No")
    assert lines[4].startswith("row 6, General Contractor: Required")
    assert len(lines) == 5  # the other project's bad row is none of this project's business
    assert not Report.objects.exists()
    assert not Assignment.objects.filter(project=boston).exists()
    assert not Organization.objects.filter(kind="contractor", name__startswith="Harbor").exists()


def test_a_file_without_the_layouts_columns_names_each_missing_one(boston, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("Project Name,Trade,Hours\nParcel P-3 Residential,Carpenter,8\n")

    with pytest.raises(CommandError, match="has no column “General Contractor”, “Period Ending”"):
        import_file(path)


def test_a_file_without_the_project_says_which_names_it_has(boston, tmp_path):
    path = write(tmp_path, [a_row(**{"Project Name": OTHER})])

    with pytest.raises(CommandError, match=f"No row of this file is for “{NAME}”") as refused:
        import_file(path)
    assert f"“{OTHER}”" in str(refused.value)


# -- the page and the API ---------------------------------------------------------------


def upload(name="boston.csv", content=None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content or EXTRACT.read_bytes(), content_type="text/csv")


def test_a_reviewer_imports_the_file_on_the_page_and_reads_what_was_stored(
    boston, reviewer, settings, monkeypatch
):
    run_tasks_synchronously(settings, monkeypatch)
    client = Client()
    client.force_login(reviewer)
    project_page = client.get("/projects/parcel-p3/").content.decode()
    assert (
        "Import the city's open data</a> for this project, where its city publishes workers' "
        "hours in a layout this site reads: Boston Residents Jobs Policy (open data)."
    ) in project_page
    page = client.get("/projects/parcel-p3/open-data/")
    assert page.status_code == 200

    answer = client.post(
        "/projects/parcel-p3/open-data/", {"file": upload(), "format": "boston-rjp"}
    )

    text = answer.content.decode()
    assert answer.status_code == 200
    assert "Imported 130 rows for “Parcel P-3 Residential”" in text
    assert "Coastal Steel Erectors: January 2024" in text
    assert (
        Report.objects.get(
            assignment__contractor__name="Coastal Steel Erectors", period="2024-01-01"
        ).submitted_by
        == reviewer
    )


def test_the_page_lists_every_problem_and_stores_nothing(boston, lawyer, tmp_path):
    path = write(tmp_path, [a_row(Trade="Glazier"), a_row(Hours="-3")])
    client = Client()
    client.force_login(lawyer)

    answer = client.post(
        "/projects/parcel-p3/open-data/",
        {"file": upload(content=path.read_bytes()), "format": "boston-rjp"},
    )

    text = answer.content.decode()
    assert answer.status_code == 422
    assert "2 problems found; nothing was stored." in text
    assert "adds this trade as an alias" in text and "Hours cannot be negative." in text
    assert not Report.objects.exists()


def test_contractors_owners_and_other_coalitions_may_not_import(boston, contractor, outsider, orgs):
    owner = make_user("owner", orgs["metro"])
    boston.owner = orgs["metro"]
    boston.save(update_fields=["owner"])
    for user, status in [(contractor, 403), (owner, 403), (outsider, 404)]:
        client = Client()
        client.force_login(user)
        assert "/open-data/" not in client.get("/projects/parcel-p3/", follow=True).text
        assert client.get("/projects/parcel-p3/open-data/").status_code == status
        posted = client.post(
            "/projects/parcel-p3/open-data/", {"file": upload(), "format": "boston-rjp"}
        )
        assert posted.status_code == status
    # The owner reads the project page, without the way in.
    client.force_login(owner)
    assert client.get("/projects/parcel-p3/").status_code == 200
    assert not Report.objects.exists()


def test_the_api_imports_the_file_for_a_monitor_and_refuses_a_contractor(
    boston, reviewer, contractor
):
    _, token = api_token_create(user=reviewer, name="test")
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    created = client.post(
        "/api/v1/projects/parcel-p3/open-data",
        {"file": upload(), "format": "boston-rjp"},
        **auth,
    )
    again = client.post(
        "/api/v1/projects/parcel-p3/open-data",
        {"file": upload(), "format": "boston-rjp"},
        **auth,
    )
    bad = client.post(
        "/api/v1/projects/parcel-p3/open-data",
        {"file": upload(content=b"Project Name,Hours\nx,1\n"), "format": "boston-rjp"},
        **auth,
    )

    assert created.status_code == 201
    body = created.json()
    assert (body["rows"], body["unchanged"], len(body["reports"])) == (130, False, 12)
    assert "Harborline Builders Inc." in body["contractors_added"]
    assert again.status_code == 200 and again.json()["unchanged"] is True
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["message"] == "This column is missing."

    _, contractor_token = api_token_create(user=contractor, name="test")
    refused = client.post(
        "/api/v1/projects/parcel-p3/open-data",
        {"file": upload(), "format": "boston-rjp"},
        HTTP_AUTHORIZATION=f"Bearer {contractor_token}",
    )
    assert refused.status_code in {403, 404}


def test_the_access_walk_covers_the_page_and_the_api_operation():
    from tests.test_access_walk import all_routes

    routes = {route.route: route for route in all_routes()}
    page = routes["projects/<slug:slug>/open-data/"]
    operation = routes["/api/v1/projects/{slug}/open-data"]
    for route in (page, operation):
        assert route.allowed_roles == {ADMIN, REVIEWER, LAW_CENTER}


def test_the_export_carries_residency_and_person_of_color_as_reported(boston, reviewer, tmp_path):
    from openpyxl import load_workbook

    from compliance.evaluation.exports import write_project_workbook

    import_file(write(tmp_path, [a_row(**{"Boston Resident": "Yes", "Person of Color": ""})]))
    path = tmp_path / "export.xlsx"
    write_project_workbook(user=reviewer, project=boston, path=str(path))

    header, line = list(load_workbook(path)["Payroll lines"].values)
    row = dict(zip(header, line, strict=True))
    assert row["Worker ID"] is None and row["Hourly rate"] is None
    assert (row["Resident (as reported)"], row["Person of color (as reported)"]) == ("Y", "N")
    assert row["Ethnicity"] == "Caucasian"


def test_a_namesake_company_whose_people_sign_in_is_not_taken_over(boston):
    """The city names "Harborline Builders Inc.": a company of that name whose clerk signs in
    (on another project) must not find the city's rows filed as its own reports."""
    namesake = Organization.objects.create(
        slug="harborline", name="Harborline Builders Inc.", kind=Organization.Kind.CONTRACTOR
    )
    make_user("harbor_clerk", namesake)

    import_file()

    assert not Assignment.objects.filter(project=boston, contractor=namesake).exists()
    assert not Report.objects.filter(assignment__contractor=namesake).exists()
    on_project = Assignment.objects.get(project=boston, contractor__name=namesake.name)
    assert on_project.contractor != namesake and on_project.tier == Assignment.Tier.PRIME


def test_the_city_file_is_read_in_the_parse_child_whose_time_limit_stops_it(
    boston, settings, monkeypatch
):
    """SPEC §8: no file can stop the web process; the open data door reads its file in the
    same limited child as every upload (a reader that spins is stopped, nothing stored)."""
    from compliance.reporting.intake import sandbox

    settings.UPLOAD_PARSE_SECONDS = 1
    spin = (
        "import sys; from compliance.reporting.intake.sandbox import lower_limits; "
        "lower_limits(memory_mb=256, seconds=1); sys.stdin.buffer.read()\nwhile True: pass"
    )
    monkeypatch.setattr(sandbox, "CHILD", [sys.executable, "-c", spin])
    with pytest.raises(CommandError, match="took more than 1 seconds"):
        import_file()
    assert not Report.objects.filter(assignment__project=boston).exists()


def test_months_from_the_citys_file_are_received_not_late(boston):
    """The city publishes what contractors filed with it: a month imported from open data
    counts as received, however long after its due date the file is imported (it used to
    raise a late-report flag for every month)."""
    from compliance.models import Evaluation, Flag

    import_file()
    run("evaluate", "--project=parcel-p3")
    reporting = Evaluation.objects.filter(project=boston, commitment_key="reporting")
    assert reporting.exists()
    for evaluation in reporting:
        statuses = {month["status"] for month in evaluation.details["months"]}
        assert statuses == {"received"}, evaluation.details["months"]
    assert not Flag.objects.filter(project=boston, kind__in=["late_report", "missing_report"])
    assert not Report.objects.filter(assignment__project=boston, is_late=True).exists()
