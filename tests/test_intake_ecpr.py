"""California eCPR XML (SPEC §5.2): one file is one week of the month's report."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.db.models import Sum

from cba.errors import InvalidInput
from compliance.models import PayrollLine, Report, Worker
from compliance.reporting.intake.ecpr import worker_key_for_ssn
from compliance.reporting.intake.store import report_submit
from compliance.reporting.intake.upload import report_upload
from tests.intake_support import BEFORE_DUE, OCTOBER, ecpr, ecpr_employee, line

DATA = Path(__file__).parent / "data"
WEEK_1 = (DATA / "ecpr_week_2026-10-03.xml").read_bytes()


@pytest.fixture(autouse=True)
def before_due():
    with time_machine.travel(BEFORE_DUE, tick=False):
        yield


def upload(assignment, content: bytes, filename="week.xml", user=None):
    return report_upload(
        assignment=assignment, period=OCTOBER, content=content, filename=filename, user=user
    )


def test_an_ecpr_file_becomes_the_months_report(walsh, contractor, crafts):
    result = upload(walsh, WEEK_1, user=contractor)
    report = result.report
    assert (report.source, report.version, report.line_count, report.worker_count) == (
        "ecpr",
        1,
        3,
        3,
    )
    assert report.total_hours == Decimal("44.00") + Decimal("32.00") + Decimal("42.00")
    maria = PayrollLine.objects.select_related("worker", "craft").get(worker__name="Maria Lopez")
    assert maria.craft == crafts["Carpenter"] and not maria.is_apprentice
    assert (maria.straight_hours, maria.overtime_hours, maria.hours) == (40, 4, 44)
    assert maria.hourly_rate == Decimal("48.00") and maria.gross_pay == Decimal("2208.00")
    assert maria.fringe_rate == Decimal(
        "21.50"
    )  # vacation 2.50 + health 10 + pension 8 + training 1
    assert maria.week_ending == datetime.date(2026, 10, 3)
    assert maria.home_zip == "90002"


def test_the_word_apprentice_in_the_work_class_marks_an_apprentice(walsh, crafts):
    upload(walsh, WEEK_1)
    james = PayrollLine.objects.select_related("craft").get(worker__name="James Carter")
    assert james.craft == crafts["Carpenter"] and james.is_apprentice
    assert james.home_zip == "90301"


def test_a_work_class_may_be_a_craft_alias(walsh, crafts):
    upload(walsh, WEEK_1)
    lin = PayrollLine.objects.select_related("craft").get(worker__name="Lin Wu")
    assert lin.craft == crafts["Operating Engineer"] and lin.doubletime_hours == 2


def test_the_worker_id_is_a_keyed_hash_of_the_ssn_never_the_ssn(walsh, settings):
    upload(walsh, WEEK_1)
    keys = set(Worker.objects.values_list("worker_key", flat=True))
    key = settings.WORKER_ID_KEY
    assert keys == {
        worker_key_for_ssn("123456789", key=key),
        worker_key_for_ssn("987654321", key=key),
        worker_key_for_ssn("111223333", key=key),
    }
    assert all(len(k) == 64 and "123456789" not in k for k in keys)
    assert worker_key_for_ssn("123456789", key="another key") not in keys


def test_the_kept_file_has_no_ssn(walsh):
    report = upload(walsh, WEEK_1).report
    kept = report.source_file.read()
    for ssn in (b"123456789", b"987-65-4321", b"987654321", b"111-22-3333"):
        assert ssn not in kept
    assert b"Maria Lopez" in kept and report.sha256 and report.original_filename == "week.xml"


def test_the_same_worker_in_a_later_week_is_the_same_worker(walsh):
    upload(walsh, WEEK_1)
    upload(walsh, ecpr("2026-10-10", [ecpr_employee(ssn="123-45-6789")]))
    assert Worker.objects.count() == 3
    assert PayrollLine.objects.filter(is_current=True, worker__name="Maria Lopez").count() == 2


def test_a_file_replaces_only_its_week_in_a_new_version(walsh):
    report_submit(
        assignment=walsh,
        period=OCTOBER,
        rows=[line(week_ending="2026-10-03"), line(week_ending="2026-10-10")],
        source="api",
    )
    result = upload(walsh, WEEK_1)
    assert result.report.version == 2 and result.previous.version == 1
    current = PayrollLine.objects.filter(is_current=True)
    assert sorted(current.values_list("week_ending", flat=True)) == [
        datetime.date(2026, 10, 3),
        datetime.date(2026, 10, 3),
        datetime.date(2026, 10, 3),
        datetime.date(2026, 10, 10),
    ]
    assert current.filter(week_ending="2026-10-10").get().worker.worker_key == "E1001"
    assert result.report.line_count == 4 and result.report.worker_count == 4
    assert result.report.total_hours == current.aggregate(h=Sum("hours"))["h"]
    version_1 = Report.objects.get(version=1)
    assert version_1.lines.count() == 2 and not version_1.lines.filter(is_current=True).exists()


def test_a_second_week_adds_to_the_month(walsh):
    upload(walsh, WEEK_1)
    result = upload(walsh, ecpr("2026-10-10", [ecpr_employee(ssn="555667777", name="Ann Lee")]))
    assert result.report.version == 2 and result.report.line_count == 4
    assert result.line_delta == 1


def test_statement_of_non_performance_is_a_week_without_work(walsh):
    upload(walsh, WEEK_1)
    no_work = (DATA / "ecpr_no_work_2026-10-10.xml").read_bytes()
    result = upload(walsh, no_work)
    assert result.report.line_count == 3 and not result.report.no_work
    redo = upload(walsh, ecpr("2026-10-03", [], no_work=True))
    assert redo.report.line_count == 0 and redo.report.no_work


def test_a_first_file_stating_no_work_files_the_month(walsh):
    result = upload(walsh, (DATA / "ecpr_no_work_2026-10-10.xml").read_bytes())
    assert result.report.no_work and result.report.line_count == 0
    assert result.report.source == "ecpr"


def test_a_week_of_another_month_is_refused_with_where_it_belongs(walsh):
    with pytest.raises(InvalidInput) as caught:
        upload(walsh, ecpr("2026-11-07", [ecpr_employee()]))
    assert "November 2026" in caught.value.message
    assert caught.value.errors[0]["column"] == "forWeekEnding"


def test_bad_employees_get_every_error_named_by_element(walsh):
    with pytest.raises(InvalidInput) as caught:
        upload(walsh, (DATA / "ecpr_bad_rows_2026-10-03.xml").read_bytes())
    found = {(e["row"], e["column"]) for e in caught.value.errors}
    assert found == {
        (1, "ssn"),
        (1, "workClass"),
        (2, "address/zip"),
        (2, "totHrs/totHrsStraightTime"),
        (2, "hrlyPayRate/hrlyPayRateStraightTime"),
    }
    assert all("12345" not in e["value"] for e in caught.value.errors)
    assert not Report.objects.exists()


def test_the_same_worker_twice_in_one_class_is_refused(walsh):
    with pytest.raises(InvalidInput, match="1 problem"):
        upload(walsh, ecpr("2026-10-03", [ecpr_employee(), ecpr_employee(name="Other")]))


@pytest.mark.parametrize("name", ["ecpr_entity_expansion.xml", "ecpr_external_entity.xml"])
def test_dtds_and_entities_are_refused(walsh, name):
    with pytest.raises(InvalidInput, match="DTD or entities"):
        upload(walsh, (DATA / name).read_bytes())
    assert not Report.objects.exists()


def test_xml_that_is_not_an_ecpr_is_refused(walsh):
    with pytest.raises(InvalidInput, match="not an eCPR"):
        upload(walsh, b"<?xml version='1.0'?><invoice><total>3</total></invoice>")


def test_malformed_xml_is_refused_with_its_line(walsh):
    with pytest.raises(InvalidInput, match="near line 2"):
        upload(walsh, b"<?xml version='1.0'?>\n<eCPR><payrollInfo></eCPR>")


def test_a_file_stating_no_work_and_listing_employees_is_refused(walsh):
    with pytest.raises(InvalidInput, match="statementOfNP"):
        upload(walsh, ecpr("2026-10-03", [ecpr_employee()], no_work=True))


def test_days_are_summed_when_totals_are_missing(walsh):
    employee = ecpr_employee()
    start = employee.index("<CPR:totHrs>")
    end = employee.index("</CPR:totHrs>") + len("</CPR:totHrs>")
    days = "".join(
        f'<CPR:day id="{i}"><CPR:date>2026-09-{26 + i:02d}</CPR:date>'
        "<CPR:straightTime>8</CPR:straightTime><CPR:overtime>1</CPR:overtime>"
        "<CPR:doubletime>0</CPR:doubletime></CPR:day>"
        for i in range(1, 6)
    )
    employee = (
        employee[:start] + f"<CPR:hrsWorkedEachDay>{days}</CPR:hrsWorkedEachDay>" + (employee[end:])
    )
    upload(walsh, ecpr("2026-10-03", [employee]))
    line_ = PayrollLine.objects.get()
    assert (line_.straight_hours, line_.overtime_hours) == (40, 5)


# The kept copy (SPEC §8): written from the parsed tree, so no splitting trick carries an SSN.


def digits_only(data: bytes) -> str:
    return re.sub(r"\D", "", data.decode())


def kept_copy_of(assignment, employee: str) -> bytes:
    report = upload(assignment, ecpr("2026-10-03", [employee])).report
    return report.source_file.read()


def rosa(ssn_element: str, name_id: str = "ROSA DIAZ") -> str:
    employee = ecpr_employee(ssn="765432109", name="Rosa Diaz")
    employee = employee.replace('id="765432109::ROSA DIAZ"', f'id="{name_id}"')
    return employee.replace("<CPR:ssn>765432109</CPR:ssn>", ssn_element)


def test_an_ssn_split_into_cdata_sections_is_read_and_not_kept(walsh, settings):
    kept = kept_copy_of(walsh, rosa("<CPR:ssn><![CDATA[765]]><![CDATA[432109]]></CPR:ssn>"))
    assert "765432109" not in digits_only(kept) and b"Rosa Diaz" in kept
    (worker,) = Worker.objects.all()
    assert worker.worker_key == worker_key_for_ssn("765432109", key=settings.WORKER_ID_KEY)


def test_an_ssn_split_by_comments_is_not_kept(walsh):
    kept = kept_copy_of(walsh, rosa("<CPR:ssn>765<!-- a -->43<!-- b -->2109</CPR:ssn>"))
    assert "765432109" not in digits_only(kept) and b"<!--" not in kept


def test_an_ssn_in_the_name_id_is_not_kept(walsh):
    kept = kept_copy_of(walsh, rosa("<CPR:ssn>765432109</CPR:ssn>", "876 54 3210::ROSA DIAZ"))
    digits = digits_only(kept)
    assert "876543210" not in digits and "765432109" not in digits
    assert b"id=" not in kept and b"ROSA DIAZ" not in kept


def test_street_addresses_are_not_kept_and_the_zip_is(walsh):
    employee = rosa("<CPR:ssn>765432109</CPR:ssn>").replace("1 Main St", "4417 Crenshaw Blvd")
    kept = kept_copy_of(walsh, employee)
    assert b"Crenshaw Blvd" not in kept and b"4417" not in kept and b"1 Industry Way" not in kept
    assert b"90002" in kept and b"Los Angeles" in kept


def test_an_ssn_in_any_other_element_is_masked_in_the_kept_copy(walsh):
    employee = rosa("<CPR:ssn>765432109</CPR:ssn>").replace(
        "<CPR:notes></CPR:notes>", "<CPR:notes>old SSN 567-89-0123</CPR:notes>"
    )
    kept = kept_copy_of(walsh, employee)
    assert "567890123" not in digits_only(kept) and b"***-**-0123" in kept
    assert b"951234567" in kept, "the contractor's employer number stays"


def test_an_ssn_typed_into_the_name_is_refused(walsh):
    employee = ecpr_employee(ssn="765432109", name="Rosa 765 43 2109")
    with pytest.raises(InvalidInput) as caught:
        upload(walsh, ecpr("2026-10-03", [employee]))
    (error,) = caught.value.errors
    assert "Social Security number" in error["message"] and error["value"] == "Rosa ***-**-2109"
    assert not Report.objects.exists()
