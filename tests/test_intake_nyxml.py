"""New York's certified payroll bulk-upload XML (`ProjectRollup`, SPEC §5.4): one week per
file, through the same pipeline as eCPR; the worker ID a keyed hash of the name and the
last four SSN digits, neither stored."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine

from cba.errors import InvalidInput
from compliance.models import PayrollLine, Report, Worker
from compliance.reporting.intake.nyxml import worker_key_for
from compliance.reporting.intake.upload import report_upload
from tests.intake_support import BEFORE_DUE, OCTOBER

DATA = Path(__file__).parent / "data"
WEEK = (DATA / "ny_rollup_week_2026-10-10.xml").read_bytes()


@pytest.fixture(autouse=True)
def before_due():
    with time_machine.travel(BEFORE_DUE, tick=False):
        yield


def upload(assignment, content: bytes, **options):
    return report_upload(
        assignment=assignment, period=OCTOBER, content=content, filename="ny.xml", **options
    )


def week_of(content: bytes, week: str) -> bytes:
    """The reference file moved to another week ending (days shifted with it)."""
    start = datetime.date(2026, 10, 10)
    shift = datetime.date.fromisoformat(week) - start
    text = content.decode()
    for offset in range(7):
        day = start - datetime.timedelta(days=offset)
        text = text.replace(f">{day.isoformat()}<", f">{(day + shift).isoformat()}<")
    return text.encode()


def test_the_reference_file_imports_with_the_expected_lines(walsh, crafts, settings):
    result = upload(walsh, WEEK)

    report = result.report
    assert (report.source, report.line_count, report.worker_count) == ("ny_xml", 3, 3)
    assert report.total_hours == Decimal(42 + 32 + 40)
    assert result.warnings == []
    lines = {
        line.worker.name: line
        for line in PayrollLine.objects.select_related("worker", "craft").order_by("row_number")
    }
    ana = lines["Ana Rivera"]
    assert (ana.craft, ana.is_apprentice) == (crafts["Carpenter"], False)
    assert (ana.straight_hours, ana.overtime_hours, ana.hours) == (40, 2, 42)
    assert (ana.hourly_rate, ana.fringe_rate, ana.gross_pay) == (
        Decimal("48.00"),
        Decimal("21.50"),
        Decimal("2064.00"),
    )
    assert ana.week_ending == datetime.date(2026, 10, 10) and ana.home_zip == "90002"
    luis = lines["Luis Ortiz"]
    assert (luis.craft, luis.is_apprentice, luis.hours) == (crafts["Carpenter"], True, 32)
    kim = lines["Kim Park"]
    assert (kim.craft, kim.is_apprentice, kim.fringe_rate) == (
        crafts["Electrician"],
        False,
        Decimal("30.00"),
    )
    expected = worker_key_for("Ana Rivera", "1234", key_text=settings.WORKER_ID_KEY)
    assert ana.worker.worker_key == expected


def test_no_ssn_digits_are_stored(walsh, crafts):
    report = upload(walsh, WEEK).report

    keys = list(Worker.objects.values_list("worker_key", flat=True))
    assert all(len(key) == 64 and "1234" not in key for key in keys)
    report.source_file.open("rb")
    kept = report.source_file.read()
    report.source_file.close()
    assert b"lastFourSSN" not in kept and b"street" not in kept
    for digits in (b">1234<", b">5678<", b">4321<"):
        assert digits not in kept
    assert b"<grossPay>2064.00</grossPay>" in kept


def test_a_week_replaces_that_week_and_keeps_the_others(walsh, crafts):
    upload(walsh, WEEK)
    upload(walsh, week_of(WEEK, "2026-10-17"))
    corrected = WEEK.replace(b"<stHourlyRate>61.25<", b"<stHourlyRate>62.00<").replace(
        b"<grossPay>2450.00<", b"<grossPay>2480.00<"
    )

    result = upload(walsh, corrected)

    report = result.report
    assert (report.version, report.line_count) == (3, 6)
    current = PayrollLine.objects.filter(report=report)
    weeks = sorted({line.week_ending.isoformat() for line in current})
    assert weeks == ["2026-10-10", "2026-10-17"]
    kim = current.get(worker__name="Kim Park", week_ending=datetime.date(2026, 10, 10))
    assert kim.hourly_rate == Decimal("62.00")
    assert Report.objects.filter(is_current=False).count() == 2


def test_a_file_with_a_dtd_is_refused(walsh):
    hostile = WEEK.replace(
        b"<ProjectRollup>", b'<!DOCTYPE r [<!ENTITY x "1234">]>\n<ProjectRollup>', 1
    )
    with pytest.raises(InvalidInput, match="DTD or entities"):
        upload(walsh, hostile)


def test_no_work_with_employees_listed_is_an_error(walsh, crafts):
    stated = WEEK.replace(b"<noWork>false</noWork>", b"<noWork>true</noWork>")
    with pytest.raises(InvalidInput, match="states no work"):
        upload(walsh, stated)
    assert not Report.objects.exists()


def test_a_missing_last_four_is_an_error_that_says_what_to_do(walsh, crafts):
    broken = WEEK.replace(b"<lastFourSSN>5678</lastFourSSN>", b"<lastFourSSN></lastFourSSN>")
    with pytest.raises(InvalidInput) as refused:
        upload(walsh, broken)
    assert refused.value.errors[0]["row"] == 2
    assert "lastFourSSN" in refused.value.errors[0]["message"]


def test_a_week_of_another_month_names_the_right_month(walsh, crafts):
    with pytest.raises(InvalidInput, match="New York payroll XML file is for the week ending"):
        upload(walsh, week_of(WEEK, "2026-11-07"))
