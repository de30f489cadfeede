"""Hostile and broken files (SPEC §8): each refused with a clear message, quickly, without
reading more than it must."""

import io
import time
import zipfile

import pytest
import time_machine
from openpyxl import Workbook

from cba.errors import InvalidInput
from compliance.intake.upload import report_upload
from compliance.models import Report, Worker
from tests.intake_support import BEFORE_DUE, HEADERS, OCTOBER, line, lines, workbook


@pytest.fixture(autouse=True)
def before_due():
    with time_machine.travel(BEFORE_DUE, tick=False):
        yield


def refused(assignment, content: bytes, filename="report.xlsx") -> InvalidInput:
    started = time.perf_counter()
    with pytest.raises(InvalidInput) as caught:
        report_upload(assignment=assignment, period=OCTOBER, content=content, filename=filename)
    assert time.perf_counter() - started < 3, "a hostile file is refused quickly"
    assert not Report.objects.exists()
    assert caught.value.errors, "the error list names the problem"
    return caught.value


def test_a_file_over_the_size_limit_is_refused(walsh, settings):
    settings.UPLOAD_MAX_BYTES = 10_000
    error = refused(walsh, workbook(lines(300)))
    assert "the limit is" in error.message


def test_an_empty_file_is_refused(walsh):
    assert "empty" in refused(walsh, b"").message


def test_more_rows_than_the_limit_are_refused(walsh, settings):
    settings.UPLOAD_MAX_ROWS = 50
    error = refused(walsh, workbook(lines(80)))
    assert "at most 50" in error.message


def test_the_row_limit_counts_filled_rows(walsh, settings):
    settings.UPLOAD_MAX_ROWS = 10
    result = report_upload(assignment=walsh, period=OCTOBER, content=workbook(lines(10)))
    assert result.report.line_count == 10


def test_a_pdf_named_xlsx_is_refused_as_what_it_is(walsh):
    assert "is a PDF" in refused(walsh, b"%PDF-1.7\n...", "report.xlsx").message


def test_a_csv_named_xlsx_is_refused_with_what_to_do(walsh):
    error = refused(walsh, b"Worker ID,Craft\nE1,Carpenter\n", "report.xlsx")
    assert "CSV" in error.message and "template" in error.message


def test_an_old_xls_is_refused_with_what_to_do(walsh):
    error = refused(walsh, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500, "report.xls")
    assert ".xlsx" in error.message


def test_a_zip_that_is_not_a_workbook_is_refused(walsh):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payroll.csv", "a,b\n")
    assert "not an Excel workbook" in refused(walsh, buffer.getvalue()).message


def test_a_zip_bomb_is_refused_before_it_is_unzipped(walsh, settings):
    settings.UPLOAD_MAX_UNZIPPED_BYTES = 5 * 1024 * 1024
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    content = buffer.getvalue()
    assert len(content) < 200_000
    error = refused(walsh, content)
    assert "once opened" in error.message and "50.0 MB" in error.message


def test_a_truncated_workbook_is_refused_as_damaged(walsh):
    content = workbook(lines(20))
    assert "damaged" in refused(walsh, content[: len(content) // 2]).message


def test_a_workbook_with_a_broken_sheet_is_refused_as_unreadable(walsh):
    original = zipfile.ZipFile(io.BytesIO(workbook(lines(3))))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]
            archive.writestr(info, data)
    error = refused(walsh, buffer.getvalue())
    assert "could not be read" in error.message or "damaged" in error.message


def test_an_empty_sheet_is_refused(walsh):
    book = Workbook()
    book.active.title = "Payroll"
    buffer = io.BytesIO()
    book.save(buffer)
    assert "sheet is empty" in refused(walsh, buffer.getvalue()).message


def test_a_sheet_with_headers_and_no_lines_is_refused(walsh):
    assert "no payroll lines" in refused(walsh, workbook([])).message


def test_missing_required_columns_are_each_named(walsh):
    headers = [h for h in HEADERS if h not in {"Craft", "Week Ending"}]
    error = refused(walsh, workbook([line()], headers=headers))
    missing = [e["column"] for e in error.errors]
    assert missing == ["Craft", "Week Ending"]
    assert "Classification" in error.errors[0]["message"]


def test_two_columns_for_one_field_are_refused(walsh):
    error = refused(walsh, workbook([line()], headers=[*HEADERS, "Zip"]))
    assert "both" in error.errors[0]["message"]


def test_a_full_ssn_as_worker_id_is_refused_and_not_stored(walsh):
    error = refused(walsh, workbook([line(worker_id="078-05-1120")]))
    (problem,) = error.errors
    assert problem["value"] == "***-**-1120" and "Social Security" in problem["message"]
    assert not Worker.objects.exists()


def test_a_thousand_bad_rows_list_the_first_errors_and_count_them_all(walsh, monkeypatch):
    from compliance.intake import validate

    monkeypatch.setattr(validate, "MAX_LISTED_ERRORS", 50)
    error = refused(walsh, workbook(lines(1000, craft="Plumber", hourly_rate="0")))
    assert "2,000 problems" in error.message and "first 50" in error.message
    assert len(error.errors) == 50
    assert [e["row"] for e in error.errors[:4]] == [2, 2, 3, 3]


def test_a_formula_cell_is_read_as_its_value_not_run(walsh):
    content = workbook([line(ethnicity='=HYPERLINK("http://x","y")')], raw=True)
    report_upload(assignment=walsh, period=OCTOBER, content=content)
    assert Report.objects.get().line_count == 1
