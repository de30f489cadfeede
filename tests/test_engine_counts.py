"""count_target (SPEC §3.3): worked example E, pro-rata, statuses, and progress entries."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from cba.errors import InvalidInput
from compliance.models import AuditEvent, Flag, ProgressEntry
from compliance.reporting.progress import progress_record
from tests.conftest import PASSWORD, make_commitment
from tests.engine_support import d, evaluate


def funding(project):
    """$250,000 a year for 10 years from 2020-01-01, due cumulatively at each year end."""
    return make_commitment(
        project,
        "fund",
        "count_target",
        unit="dollars",
        target_quantity="2500000",
        start_date="2020-01-01",
        due_date="2029-12-31",
        milestones=[
            {"date": f"{2020 + i}-12-31", "quantity": str(250000 * (i + 1))} for i in range(10)
        ],
    )


def units(project, **params):
    params = {
        "unit": "units",
        "target_quantity": "100",
        "start_date": "2024-01-01",
        "due_date": "2025-01-01",
        **params,
    }
    return make_commitment(project, "units", "count_target", **params)


def add(commitment, day, quantity, ami=None):
    return ProgressEntry.objects.create(
        commitment=commitment,
        date=datetime.date.fromisoformat(day),
        quantity=d(quantity),
        ami_percent=None if ami is None else d(ami),
    )


def test_worked_example_e_funding_schedule_in_shortfall(project):
    fund = funding(project)
    add(fund, "2020-12-20", 250000)
    add(fund, "2021-12-31", 15000)
    add(fund, "2022-02-01", 500000)  # after the as-of date: not counted

    result = evaluate(project, datetime.date(2022, 1, 15))[("fund", "project")]

    assert result.numerator == d("265000.00")
    assert result.details["due_to_date"] == "500000.00"
    assert result.shortfall == d("235000.00")
    assert result.status == "shortfall"
    assert result.details["next_milestone"] == {"date": "2022-12-31", "quantity": "750000.00"}
    flag = Flag.objects.get(commitment_key="fund")
    assert (flag.kind, flag.severity) == ("shortfall", "critical")
    assert flag.title == "Fund: short, $265,000.00 of $500,000.00 due so far"


def test_a_milestone_met_is_on_track_until_the_next(project):
    fund = funding(project)
    add(fund, "2020-12-20", 250000)
    add(fund, "2021-06-01", 150000)

    result = evaluate(project, datetime.date(2021, 7, 1))[("fund", "project")]

    assert result.details["due_to_date"] == "250000.00"
    assert result.shortfall == d("0.00")
    assert result.status == "on_track"


def test_behind_the_even_pace_the_flag_says_what_was_expected(project):
    add(units(project), "2024-03-01", 10)

    evaluate(project, datetime.date(2024, 4, 1))

    flag = Flag.objects.get(commitment_key="units")
    assert (flag.kind, flag.severity) == ("at_risk", "warning")
    assert (
        flag.title
        == "Units: at risk, 10 units delivered, 24.86 units expected by now at an even pace"
    )


def test_without_milestones_the_due_to_date_is_pro_rata(project):
    commitment = units(project)  # 100 units over 366 days
    add(commitment, "2024-03-01", 20)

    result = evaluate(project, datetime.date(2024, 4, 1))[("units", "project")]

    # 100 × 91 / 366 = 24.86
    assert result.details["due_to_date"] == "24.86"
    assert result.shortfall == d("4.86")
    assert result.status == "on_track"


@pytest.mark.parametrize(
    ("delivered", "status"),
    [("19.86", "on_track"), ("19.85", "at_risk")],  # exactly the margin below, and just past
)
def test_at_risk_is_more_than_the_margin_below_pro_rata(project, delivered, status):
    add(units(project), "2024-03-01", delivered)

    assert evaluate(project, datetime.date(2024, 4, 1))[("units", "project")].status == status


def test_met_once_the_target_is_reached_and_shortfall_after_the_due_date(project):
    commitment = units(project)
    add(commitment, "2024-06-01", 99)

    assert evaluate(project, datetime.date(2024, 12, 31))[("units", "project")].status == "on_track"
    result = evaluate(project, datetime.date(2025, 1, 1))[("units", "project")]
    assert (result.status, result.shortfall) == ("shortfall", d("1.00"))

    add(commitment, "2024-12-31", 1)
    assert evaluate(project, datetime.date(2025, 1, 1))[("units", "project")].status == "met"


def test_only_units_at_or_below_the_ami_ceiling_count(project):
    commitment = units(project, max_ami_percent="60")
    add(commitment, "2024-02-01", 10, ami="60")
    add(commitment, "2024-02-01", 10, ami="80")
    add(commitment, "2024-02-01", 10)

    result = evaluate(project, datetime.date(2024, 2, 2))[("units", "project")]

    assert result.numerator == d("10.00")


def test_the_series_counts_progress_by_month_against_the_target(project):
    commitment = units(project)
    add(commitment, "2024-01-15", 10)
    add(commitment, "2024-03-15", 15)

    result = evaluate(project, datetime.date(2024, 3, 31))[("units", "project")]

    assert [(m["month"], m["numerator"], m["cumulative_percent"]) for m in result.series] == [
        ("2024-01", "10.00", "10.00"),
        ("2024-02", "0.00", "10.00"),
        ("2024-03", "15.00", "25.00"),
    ]


# Recording progress ---------------------------------------------------------------------


@pytest.fixture
def today(time_machine):
    time_machine.move_to(datetime.datetime(2024, 6, 1, 12, 0), tick=False)
    return datetime.date(2024, 6, 1)


def test_the_law_center_records_progress_with_an_audit_event(project, lawyer, today):
    commitment = units(project)

    entry = progress_record(
        commitment=commitment,
        date=today,
        quantity=d("12"),
        ami_percent=d("50"),
        note="Lease-up report",
        evidence=SimpleUploadedFile("lease.pdf", b"%PDF-1.4"),
        user=lawyer,
    )

    assert (entry.quantity, entry.ami_percent, entry.entered_by) == (d(12), d(50), lawyer)
    assert entry.evidence.read() == b"%PDF-1.4"
    audit = AuditEvent.objects.get(verb="progress.record")
    assert (audit.actor, audit.data["quantity"]) == (lawyer, "12")


@pytest.mark.parametrize("who", ["reviewer", "contractor", "outsider"])
def test_only_admins_and_the_law_center_record_progress(project, who, request, today):
    with pytest.raises(PermissionDenied):
        progress_record(
            commitment=units(project), date=today, quantity=d(1), user=request.getfixturevalue(who)
        )


def test_progress_needs_a_count_commitment_a_past_date_and_a_quantity(project, admin, today):
    workforce = make_commitment(
        project, "app", "workforce_share", qualifier="apprentice", target_percent="20"
    )
    with pytest.raises(InvalidInput) as refused:
        progress_record(
            commitment=workforce,
            date=today + datetime.timedelta(days=1),
            quantity=d(0),
            ami_percent=d(1000),
            user=admin,
        )
    assert {e["field"] for e in refused.value.errors} == {
        "commitment",
        "date",
        "quantity",
        "ami_percent",
    }
    assert not ProgressEntry.objects.exists()


def test_record_progress_command(project, today):
    units(project)
    out = io.StringIO()

    call_command(
        "record_progress",
        "--project=crenshaw",
        "--commitment=units",
        "--date=2024-05-01",
        "--quantity=7",
        "--ami=55",
        "--note=Phase 1",
        stdout=out,
    )

    entry = ProgressEntry.objects.get()
    assert (entry.quantity, entry.ami_percent, entry.note) == (d(7), d(55), "Phase 1")
    assert "Recorded 7 units on 2024-05-01" in out.getvalue()


def test_record_progress_command_explains_what_is_wrong(project, today):
    units(project)
    with pytest.raises(CommandError, match="No commitment 'nope'"):
        call_command(
            "record_progress",
            project="crenshaw",
            commitment="nope",
            date="2024-05-01",
            quantity="1",
        )
    with pytest.raises(CommandError, match="quantity: Give a quantity above 0"):
        call_command(
            "record_progress",
            project="crenshaw",
            commitment="units",
            date="2024-05-01",
            quantity="-1",
        )


def progress_url(key="units"):
    return reverse("commitment_progress", kwargs={"slug": "crenshaw", "key": key})


def test_the_progress_page_lists_entries_and_adds_one(client, project, lawyer, today):
    commitment = units(project)
    add(commitment, "2024-02-01", 5)
    client.login(username=lawyer.username, password=PASSWORD)

    page = client.get(progress_url())
    assert page.status_code == 200
    assert b"Record progress" in page.content

    response = client.post(
        progress_url(),
        {
            "date": "2024-05-01",
            "quantity": "3",
            "ami_percent": "45",
            "note": "Phase 2",
            "evidence": SimpleUploadedFile("cert.pdf", b"%PDF"),
        },
    )
    assert response.status_code == 302
    assert ProgressEntry.objects.filter(note="Phase 2", entered_by=lawyer).exists()
    entry = ProgressEntry.objects.get(note="Phase 2")
    evidence = client.get(
        reverse("progress_evidence", kwargs={"slug": "crenshaw", "entry_id": entry.pk})
    )
    assert b"".join(evidence.streaming_content) == b"%PDF"


def test_a_refused_entry_says_what_to_fix(client, project, admin, today):
    units(project)
    client.login(username=admin.username, password=PASSWORD)

    response = client.post(progress_url(), {"date": "2030-01-01", "quantity": "3"})

    assert response.status_code == 422
    assert b"The date is in the future" in response.content
    assert not ProgressEntry.objects.exists()


def test_reviewers_and_contractors_see_progress_but_cannot_add(
    client, project, reviewer, contractor, today
):
    units(project)
    for user in (reviewer, contractor):
        client.login(username=user.username, password=PASSWORD)
        page = client.get(progress_url())
        assert page.status_code == 200
        assert b"Record progress</button>" not in page.content
        assert (
            client.post(progress_url(), {"date": "2024-05-01", "quantity": "1"}).status_code == 403
        )
    assert not ProgressEntry.objects.exists()


def test_the_progress_page_is_not_found_for_outsiders(client, project, outsider, today):
    units(project)
    client.login(username=outsider.username, password=PASSWORD)
    assert client.get(progress_url()).status_code == 404


def test_a_commitment_measured_from_payroll_has_no_progress_to_record(
    client, project, admin, today
):
    make_commitment(project, "app", "workforce_share", qualifier="apprentice", target_percent="20")
    client.login(username=admin.username, password=PASSWORD)

    page = client.get(progress_url("app"))

    assert page.status_code == 200
    assert b"payroll reports, so there is nothing to record here" in page.content
    assert client.get("/api/v1/projects/crenshaw/commitments/app/progress").json() == []
    refused = client.post(
        "/api/v1/projects/crenshaw/commitments/app/progress",
        {"date": "2024-05-01", "quantity": "1"},
    )
    assert refused.status_code == 422


def test_an_entry_without_evidence_sends_back_to_the_list(client, project, reviewer, today):
    entry = add(units(project), "2024-02-01", 5)
    client.login(username=reviewer.username, password=PASSWORD)

    response = client.get(
        reverse("progress_evidence", kwargs={"slug": "crenshaw", "entry_id": entry.pk})
    )

    assert response.status_code == 302
    assert response["Location"] == progress_url()


def test_the_progress_api_lists_and_records(client, project, lawyer, reviewer, today):
    commitment = units(project)
    add(commitment, "2024-02-01", 5)
    url = "/api/v1/projects/crenshaw/commitments/units/progress"
    client.login(username=lawyer.username, password=PASSWORD)

    created = client.post(url, {"date": "2024-05-02", "quantity": "4", "ami_percent": "60"})
    assert created.status_code == 201, created.content
    assert created.json()["quantity"] == "4.00"
    listed = client.get(url).json()
    assert [(e["date"], e["quantity"]) for e in listed] == [
        ("2024-05-02", "4.00"),
        ("2024-02-01", "5.00"),
    ]

    client.login(username=reviewer.username, password=PASSWORD)
    assert client.get(url).status_code == 200
    assert client.post(url, {"date": "2024-05-02", "quantity": "4"}).status_code == 403
