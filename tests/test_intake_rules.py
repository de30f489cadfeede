"""Every rule of SPEC §5.1, through the JSON door and the Excel door: the same errors."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from cba.errors import InvalidInput
from compliance.models import PayrollLine, Report, Worker
from compliance.reporting.intake.store import report_submit
from compliance.reporting.intake.upload import report_upload
from tests.intake_support import BEFORE_DUE, HEADERS, OCTOBER, line, lines, workbook


@pytest.fixture(autouse=True)
def before_due():
    with time_machine.travel(BEFORE_DUE, tick=False):
        yield


def submit(assignment, rows, user=None):
    return report_submit(assignment=assignment, period=OCTOBER, rows=rows, source="api", user=user)


def errors_for(assignment, rows) -> list[dict]:
    with pytest.raises(InvalidInput) as caught:
        submit(assignment, rows)
    assert not Report.objects.exists(), "a file with errors stores nothing"
    return caught.value.errors


def only_error(assignment, **values) -> dict:
    errors = errors_for(assignment, [line(**values)])
    assert len(errors) == 1, errors
    return errors[0]


def stored_line(assignment, **values) -> PayrollLine:
    submit(assignment, [line(**values)])
    return PayrollLine.objects.get()


def test_a_valid_line_is_stored_with_its_values(walsh, contractor, crafts):
    result = submit(walsh, [line()], user=contractor)
    stored = PayrollLine.objects.select_related("worker", "craft").get()
    assert result.report.version == 1 and result.report.is_current
    assert (stored.worker.worker_key, stored.worker.name) == ("E1001", "Ana Flores")
    assert stored.craft == crafts["Carpenter"]
    assert stored.week_ending == datetime.date(2026, 10, 3)
    assert (stored.straight_hours, stored.overtime_hours, stored.hours) == (
        Decimal("40.00"),
        Decimal("2.00"),
        Decimal("42.00"),
    )
    assert (stored.hourly_rate, stored.fringe_rate, stored.gross_pay) == (
        Decimal("45.50"),
        Decimal("20.25"),
        Decimal("1956.50"),
    )
    assert (stored.home_zip, stored.is_apprentice, stored.gender) == ("90001", False, "F")
    assert (stored.veteran, stored.disadvantaged, stored.new_hire) == (False, True, False)
    assert stored.project_id == walsh.project_id and stored.assignment_id == walsh.pk
    assert stored.is_current
    assert (result.report.line_count, result.report.total_hours, result.report.worker_count) == (
        1,
        Decimal("42.00"),
        1,
    )


def test_every_error_of_a_file_is_reported_not_only_the_first(walsh):
    errors = errors_for(
        walsh,
        [
            line(craft="Plumber"),
            line(worker_id="E2", home_zip="ABCDE", hourly_rate="0"),
            line(worker_id="E3", week_ending="2026-11-07"),
        ],
    )
    assert [(e["row"], e["column"]) for e in errors] == [
        (1, "craft"),
        (2, "home_zip"),
        (2, "hourly_rate"),
        (3, "week_ending"),
    ]
    assert all(e["message"] for e in errors)


# Worker ID


def test_it_requires_a_worker_id(walsh):
    error = only_error(walsh, worker_id="  ")
    assert error["column"] == "worker_id" and "Required" in error["message"]


def test_it_rejects_a_worker_id_over_40_characters(walsh):
    assert "40 characters" in only_error(walsh, worker_id="X" * 41)["message"]
    assert stored_line(walsh, worker_id="X" * 40).worker.worker_key == "X" * 40


@pytest.mark.parametrize("ssn", ["123456789", "123-45-6789", "123 45 6789", 123456789])
def test_it_rejects_a_full_ssn_and_never_echoes_it(walsh, ssn):
    error = only_error(walsh, worker_id=ssn)
    assert "Social Security number" in error["message"]
    assert error["value"] == "***-**-6789"
    assert not Worker.objects.exists()


SSN_VARIANTS = ["123.45.6789", "SSN 123-45-6789", "123\u200b456789", "123\u2060-45-6789"]
SSN_FIELDS = ["worker_id", "worker_name", "ethnicity"]


@pytest.mark.parametrize("field", SSN_FIELDS)
@pytest.mark.parametrize("ssn", SSN_VARIANTS)
def test_an_ssn_in_any_free_text_field_is_refused_through_json(walsh, field, ssn):
    error = only_error(walsh, **{field: ssn})
    assert error["column"] == field and "Social Security number" in error["message"]
    assert "***-**-6789" in error["value"] and "12345" not in error["value"]
    assert not Worker.objects.exists()


@pytest.mark.parametrize("field", SSN_FIELDS)
@pytest.mark.parametrize("ssn", SSN_VARIANTS)
def test_an_ssn_in_any_free_text_field_is_refused_through_excel(walsh, field, ssn):
    content = workbook([line(**{field: ssn})])
    with pytest.raises(InvalidInput) as caught:
        report_upload(assignment=walsh, period=OCTOBER, content=content, filename="a.xlsx")
    (error,) = caught.value.errors
    assert "Social Security number" in error["message"] and "12345" not in error["value"]
    assert not Report.objects.exists() and not Worker.objects.exists()


def test_ordinary_worker_ids_names_and_ethnicities_are_accepted(walsh):
    rows = [
        line(worker_id="W-1001", worker_name="Ana Flores", ethnicity="Hispanic"),
        line(worker_id="WAL-0042", worker_name="Lin Wu", ethnicity="Asian", home_zip="90001-1234"),
    ]
    assert submit(walsh, rows).report.line_count == 2


def test_it_accepts_other_numeric_worker_ids(walsh):
    assert stored_line(walsh, worker_id=12345678).worker.worker_key == "12345678"


# Worker name, home ZIP


def test_the_worker_name_is_optional(walsh):
    assert stored_line(walsh, worker_name="").worker.name == ""


@pytest.mark.parametrize("given, stored", [("90001-1234", "90001"), ("900011234", "90001")])
def test_a_zip_plus_4_is_cut_to_5_digits(walsh, given, stored):
    assert stored_line(walsh, home_zip=given).home_zip == stored


@pytest.mark.parametrize("given", ["9000", "ABCDE", "", "900012"])
def test_it_rejects_a_zip_that_is_not_5_digits(walsh, given):
    assert only_error(walsh, home_zip=given)["column"] == "home_zip"


# Craft


@pytest.mark.parametrize("given", ["Carpenter", "carpenter", "  CARP ", "Carp"])
def test_a_craft_matches_by_name_or_alias_ignoring_case_and_spaces(walsh, crafts, given):
    assert stored_line(walsh, craft=given).craft == crafts["Carpenter"]


def test_an_alias_with_spaces_matches_its_craft(walsh, crafts):
    assert stored_line(walsh, craft="op eng").craft == crafts["Operating Engineer"]


def test_it_rejects_a_craft_that_is_not_the_projects(walsh, project, crafts):
    project.crafts.remove(crafts["Electrician"])
    error = only_error(walsh, craft="Electrician")
    assert "Not a craft of this project" in error["message"]
    assert "Carpenter" in error["message"] and "Electrician" not in error["message"]


# Apprentice, level


@pytest.mark.parametrize(
    "given, apprentice",
    [
        ("J", False),
        ("Journey", False),
        ("journeyworker", False),
        ("N", False),
        ("RA", True),
        ("ra", True),
        ("Apprentice", True),
        ("Y", True),
    ],
)
def test_apprentice_accepts_the_listed_values(walsh, given, apprentice):
    assert stored_line(walsh, apprentice=given).is_apprentice is apprentice


def test_apprentice_is_required_and_checked(walsh):
    assert "Required" in only_error(walsh, apprentice="")["message"]
    assert only_error(walsh, apprentice="Helper")["column"] == "apprentice"


def test_the_apprentice_level_is_1_to_10(walsh):
    assert stored_line(walsh, apprentice="RA", apprentice_level="3").apprentice_level == 3
    PayrollLine.objects.all().delete()
    Report.objects.all().delete()
    for bad in ("0", "11", "2.5", "first"):
        assert only_error(walsh, apprentice_level=bad)["column"] == "apprentice_level"


# Week ending


@pytest.mark.parametrize("given", ["2026-10-31", "10/31/2026", "10/31/2026 ", "2026-10-31T00:00"])
def test_week_ending_accepts_iso_and_us_dates(walsh, given):
    assert stored_line(walsh, week_ending=given).week_ending == datetime.date(2026, 10, 31)


def test_week_ending_must_be_in_the_reports_month(walsh):
    error = only_error(walsh, week_ending="2026-09-26")
    assert "not in October 2026" in error["message"]


@pytest.mark.parametrize("given", ["", "31/10/2026", "October", "2026-02-30"])
def test_week_ending_must_be_a_date(walsh, given):
    assert only_error(walsh, week_ending=given)["column"] == "week_ending"


# Hours


def test_straight_hours_are_0_to_80(walsh):
    assert stored_line(walsh, straight_hours="80", overtime_hours="0").straight_hours == 80
    Report.objects.all().delete()
    PayrollLine.objects.all().delete()
    assert "At most 80" in only_error(walsh, straight_hours="80.5")["message"]
    assert "negative" in only_error(walsh, straight_hours="-1")["message"]
    assert "Required" in only_error(walsh, straight_hours="")["message"]


def test_overtime_and_double_time_are_optional_and_not_negative(walsh):
    stored = stored_line(walsh, overtime_hours=None, doubletime_hours="")
    assert (stored.overtime_hours, stored.doubletime_hours, stored.hours) == (0, 0, 40)
    Report.objects.all().delete()
    PayrollLine.objects.all().delete()
    assert only_error(walsh, overtime_hours="-2")["column"] == "overtime_hours"
    assert only_error(walsh, doubletime_hours="-0.5")["column"] == "doubletime_hours"


# Money


def test_the_hourly_rate_is_required_and_above_zero(walsh):
    assert "Required" in only_error(walsh, hourly_rate=None)["message"]
    assert "more than 0" in only_error(walsh, hourly_rate="0")["message"]


@pytest.mark.parametrize(
    "given, value", [("$1,234.50", "1234.50"), (" 45.5 ", "45.50"), (45, "45")]
)
def test_numbers_given_as_text_are_accepted_when_unambiguous(walsh, given, value):
    assert stored_line(walsh, hourly_rate=given).hourly_rate == Decimal(value)


@pytest.mark.parametrize("given", ["1.234,50", "45 dollars", "12,34", "(45.00)"])
def test_ambiguous_numbers_are_refused(walsh, given):
    assert only_error(walsh, hourly_rate=given)["column"] == "hourly_rate"


def test_fringe_and_gross_pay_are_optional_and_not_negative(walsh):
    stored = stored_line(walsh, fringe_rate="", gross_pay=None)
    assert (stored.fringe_rate, stored.gross_pay) == (0, None)
    Report.objects.all().delete()
    PayrollLine.objects.all().delete()
    assert only_error(walsh, fringe_rate="-1")["column"] == "fringe_rate"
    assert only_error(walsh, gross_pay="-1")["column"] == "gross_pay"


# Optional attributes


@pytest.mark.parametrize("given, stored", [("F", "F"), ("m", "M"), ("X", "X"), ("", "")])
def test_gender_is_f_m_x_or_blank(walsh, given, stored):
    assert stored_line(walsh, gender=given).gender == stored


def test_it_rejects_another_gender_value(walsh):
    assert only_error(walsh, gender="Q")["column"] == "gender"


def test_ethnicity_is_free_text(walsh):
    assert stored_line(walsh, ethnicity="Black / African American").ethnicity == (
        "Black / African American"
    )


@pytest.mark.parametrize("field", ["veteran", "disadvantaged", "new_hire"])
def test_yes_no_fields_take_y_n_or_blank(walsh, field):
    assert getattr(stored_line(walsh, **{field: "y"}), field) is True
    Report.objects.all().delete()
    PayrollLine.objects.all().delete()
    assert getattr(stored_line(walsh, **{field: ""}), field) is None
    Report.objects.all().delete()
    PayrollLine.objects.all().delete()
    assert only_error(walsh, **{field: "maybe"})["column"] == field


# Across rows


def test_one_line_per_worker_week_and_craft(walsh):
    errors = errors_for(walsh, [line(), line(worker_id="E2"), line(craft="Carp")])
    assert len(errors) == 1
    assert errors[0]["row"] == 3 and "row 1" in errors[0]["message"]


def test_the_same_worker_and_week_in_two_crafts_is_fine(walsh):
    submit(walsh, [line(straight_hours="20"), line(craft="Laborer", straight_hours="20")])
    assert PayrollLine.objects.count() == 2


def test_a_worker_has_at_most_100_hours_a_week_across_crafts(walsh):
    errors = errors_for(
        walsh,
        [
            line(straight_hours="40", overtime_hours="20"),
            line(craft="Laborer", straight_hours="40", overtime_hours="0.5"),
            line(worker_id="E2", straight_hours="80", overtime_hours="20"),
            line(worker_id="E3", straight_hours="80", overtime_hours="20", doubletime_hours="1"),
        ],
    )
    assert [e["row"] for e in errors] == [2, 4]
    assert "100.50 hours" in errors[0]["message"] and "101.00 hours" in errors[1]["message"]


# The Excel door


def test_an_excel_upload_reports_rows_as_excel_numbers_them(walsh):
    content = workbook([line(), line(worker_id="E2", craft="Plumber")], title_row="My title")
    with pytest.raises(InvalidInput) as caught:
        report_upload(assignment=walsh, period=OCTOBER, content=content, filename="oct.xlsx")
    (error,) = caught.value.errors
    assert (error["row"], error["column"], error["value"]) == (4, "Craft", "Plumber")


def test_headers_match_ignoring_case_spaces_punctuation_and_by_alias(walsh):
    headers = [
        "employee id",
        "WORKER NAME",
        "Zip Code",
        "Trade",
        "J/RA",
        "Apprentice Level",
        "week-ending",
        "Straight Hours",
        "Overtime Hours",
        "Double time hours",
        "Hourly Rate",
        "Fringe Rate",
        "Gross Pay",
        "Gender",
        "Ethnicity",
        "Veteran",
        "Disadvantaged",
        "New Hire",
    ]
    values = {field: value for field, value in line().items()}
    content = workbook([values], headers=headers, fields=list(values))
    result = report_upload(assignment=walsh, period=OCTOBER, content=content, filename="a.xlsx")
    assert result.report.line_count == 1
    assert PayrollLine.objects.get().doubletime_hours == 0


def test_columns_are_found_by_header_not_position(walsh):
    reordered = list(reversed(HEADERS))
    content = workbook([line()], headers=reordered)
    result = report_upload(assignment=walsh, period=OCTOBER, content=content, filename="a.xlsx")
    assert PayrollLine.objects.get().hourly_rate == Decimal("45.50")
    assert result.report.total_hours == Decimal("42.00")


def test_unknown_columns_are_ignored_with_a_warning(walsh):
    content = workbook([line()], headers=[*HEADERS, "Foreman"])
    result = report_upload(assignment=walsh, period=OCTOBER, content=content, filename="a.xlsx")
    (warning,) = result.warnings
    assert warning["column"] == "Foreman" and "ignored" in warning["message"]
    assert result.report.warnings == [warning]


def test_excel_dates_serials_and_text_numbers_are_read(walsh):
    rows = [
        line(week_ending=datetime.date(2026, 10, 3)),
        line(worker_id="E2", week_ending=46304),  # Excel serial for 2026-10-09
        line(worker_id="E3", week_ending="10/17/2026", straight_hours="40", hourly_rate="$50"),
    ]
    content = workbook(rows, raw=True)
    report_upload(assignment=walsh, period=OCTOBER, content=content, filename="a.xlsx")
    assert sorted(PayrollLine.objects.values_list("week_ending", flat=True)) == [
        datetime.date(2026, 10, 3),
        datetime.date(2026, 10, 9),
        datetime.date(2026, 10, 17),
    ]


def test_a_zip_typed_as_a_number_gets_its_leading_zero_back(walsh):
    content = workbook([line(home_zip=2134)], raw=True)
    report_upload(assignment=walsh, period=OCTOBER, content=content, filename="a.xlsx")
    assert PayrollLine.objects.get().home_zip == "02134"


def test_the_first_sheet_is_read_when_none_is_named_payroll(walsh):
    content = workbook(lines(3), sheet="October")
    result = report_upload(assignment=walsh, period=OCTOBER, content=content, filename="a.xlsx")
    assert result.report.line_count == 3


def test_a_report_for_a_month_not_yet_begun_is_refused(walsh):
    with pytest.raises(InvalidInput, match="has not started"):
        report_submit(
            assignment=walsh,
            period=datetime.date(2026, 12, 1),
            rows=[line()],
            source="api",
        )


def test_a_report_outside_the_assignments_months_is_refused(walsh):
    with pytest.raises(InvalidInput, match="reports on this project from"):
        report_submit(
            assignment=walsh, period=datetime.date(2023, 12, 1), rows=[line()], source="api"
        )


def test_validation_makes_no_query_per_row(walsh, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        submit(walsh, lines(500))
    assert PayrollLine.objects.count() == 500


def test_a_validated_line_names_the_columns_the_store_writes():
    from compliance.models import PayrollLine
    from compliance.reporting.intake.validate import ValidatedLine

    assert ValidatedLine._fields[:2] == ("row_number", "worker_key")
    assert ValidatedLine._fields[2:] == PayrollLine.REPORTED_COLUMNS


@pytest.mark.parametrize("column", ["convert_worker_id", "convert_name", "convert_ethnicity"])
def test_a_nul_character_in_a_text_cell_is_dropped(column):
    from compliance.reporting.intake import validate

    assert getattr(validate, column)("A\x00B") == "AB"
