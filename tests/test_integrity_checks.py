"""Integrity checks on every door (SPEC §5.5): warnings at upload and by "check only",
stored with the report version, and a `data_anomaly` flag once the month is checked."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cba.errors import InvalidInput
from compliance.models import Flag, Report
from compliance.pipeline import evaluate_project
from compliance.reporting.intake.integrity import owed_pay
from compliance.reporting.intake.upload import report_upload
from tests.conftest import PASSWORD
from tests.intake_support import BEFORE_DUE, OCTOBER, ecpr, ecpr_employee, line, workbook

DATA = Path(__file__).parent / "data"
FAULTS = (DATA / "ecpr_integrity_faults_2026-10-10.xml").read_bytes()
# Each seeded fault of the reference file: its employee (row) and the check it trips.
SEEDED = [
    (2, "daily_hours"),
    (3, "gross_below_pay"),
    (4, "gross_above_all_work"),
    (5, "deductions"),
    (6, "days_not_consecutive"),
]
AFTER_OCTOBER = datetime.date(2026, 11, 5)


@pytest.fixture(autouse=True)
def before_due():
    with time_machine.travel(BEFORE_DUE, tick=False):
        yield


def checks(warnings: list[dict]) -> list[tuple]:
    return [(w["row"], w["check"]) for w in warnings if w.get("check")]


def upload(assignment, content: bytes, **options):
    return report_upload(
        assignment=assignment, period=OCTOBER, content=content, filename="week.xml", **options
    )


def test_each_seeded_fault_gives_its_warning_and_the_report_is_accepted(walsh, crafts):
    result = upload(walsh, FAULTS)

    assert checks(result.warnings) == SEEDED
    report = Report.objects.get()
    assert report.line_count == 6
    assert checks(report.warnings) == SEEDED
    messages = {w["check"]: w["message"] for w in result.warnings}
    assert (
        "The days add up to 38 straight time hours, but the week's total says 40"
        in (messages["daily_hours"])
    )
    assert "$2,112.00 is below the hours times the rate ($2,208.00" in messages["gross_below_pay"]
    assert "($2,450.00) is more than the gross for all work" in messages["gross_above_all_work"]
    assert "add up to $232.00, but the total says $250.00" in messages["deductions"]
    assert "10/05, 10/06, 10/08, 10/08, 10/09" in messages["days_not_consecutive"]


def test_check_only_gives_the_same_warnings_and_stores_nothing(walsh, crafts):
    result = upload(walsh, FAULTS, check_only=True)

    assert result.checked and checks(result.warnings) == SEEDED
    assert not Report.objects.exists()


def test_the_warnings_become_a_data_anomaly_flag_once_october_is_checked(project, walsh, crafts):
    upload(walsh, FAULTS)

    evaluate_project(project, AFTER_OCTOBER)

    flag = Flag.objects.get(kind="data_anomaly")
    assert (flag.assignment, flag.month, flag.severity) == (walsh, OCTOBER, "warning")
    assert [(i["row"], i["check"]) for i in flag.figures["integrity"]] == SEEDED
    assert flag.title == "Walsh Shea, October 2026: 5 payroll figures that do not add up"


def test_a_weeks_warnings_stay_with_the_month_when_another_week_is_filed(project, walsh, crafts):
    upload(walsh, FAULTS)
    upload(walsh, ecpr("2026-10-17", [ecpr_employee()]))

    report = Report.objects.get(is_current=True)
    assert report.version == 2 and checks(report.warnings) == SEEDED
    upload(walsh, ecpr("2026-10-10", [ecpr_employee()]))
    assert checks(Report.objects.get(is_current=True).warnings) == []


def test_the_template_gets_the_gross_pay_check_and_no_other(walsh, crafts):
    rows = [
        line(worker_id="E1", straight_hours="40", overtime_hours="4", hourly_rate="50.00"),
        line(worker_id="E2", overtime_hours="0", hourly_rate="50.00", gross_pay="2000.00"),
    ]
    rows[0]["gross_pay"] = "2200.00"  # 44 hours at the straight rate; owed 2300.00

    result = report_upload(assignment=walsh, period=OCTOBER, content=workbook(rows))

    assert checks(result.warnings) == [(2, "gross_below_pay")]
    assert result.warnings[0]["column"] == "Gross Pay"
    assert owed_pay(Decimal(40), Decimal(4), Decimal(0), Decimal(50)) == Decimal(2300)
    assert owed_pay(Decimal(40), Decimal(0), Decimal(2), Decimal(50)) == Decimal(2200)


def test_the_same_worker_at_two_contractors_over_60_hours_is_warned_and_flagged(
    project, walsh, pulice, crafts
):
    upload(walsh, ecpr("2026-10-10", [ecpr_employee(ssn="222334444", straight="40")]))
    shared = ecpr_employee(ssn="222-33-4444", straight="30", gross="1440.00")

    result = upload(pulice, ecpr("2026-10-10", [shared]))

    assert checks(result.warnings) == [(1, "shared_worker_over_60")]
    message = result.warnings[0]["message"]
    assert "another contractor's report for the week ending 10/10/2026: 70.00 hours" in message
    assert "Walsh" not in message
    evaluate_project(project, AFTER_OCTOBER)
    flags = Flag.objects.filter(kind="data_anomaly").order_by("assignment__contractor__name")
    assert [f.assignment for f in flags] == [pulice, walsh]
    assert flags[0].figures["shared_over_60"][0]["hours"] == "70.00"
    assert "over 60 hours across two contractors" in flags[1].title


def test_a_template_worker_id_is_not_compared_across_contractors(project, walsh, pulice, crafts):
    for assignment in (walsh, pulice):
        rows = [line(worker_id="E1", straight_hours="40", overtime_hours="0")]
        result = report_upload(assignment=assignment, period=OCTOBER, content=workbook(rows))
        assert checks(result.warnings) == []


def test_a_statement_of_no_work_listing_employees_stays_an_error(walsh, crafts):
    stated = FAULTS.replace(b"<CPR:statementOfNP>false", b"<CPR:statementOfNP>true")
    with pytest.raises(InvalidInput, match="states no work"):
        upload(walsh, stated)


def test_the_upload_page_shows_the_warnings_at_check_only_and_after_upload(
    client, contractor, walsh, crafts
):
    assert client.login(username=contractor.username, password=PASSWORD)
    url = reverse("report_upload", kwargs={"slug": "crenshaw", "contractor": "walsh"})

    checked = client.post(
        url,
        {"period": "2026-10", "file": SimpleUploadedFile("w.xml", FAULTS), "check_only": "1"},
    )
    assert "The days add up to 38 straight time hours" in checked.text
    assert "Warnings (the report would still be accepted)" in checked.text

    stored = client.post(
        url, {"period": "2026-10", "file": SimpleUploadedFile("w.xml", FAULTS)}, follow=True
    )
    assert "Row 3: Gross pay $2,112.00 is below" in stored.text
