"""Hostile and broken files (SPEC §8): each refused with a clear message, quickly, without
reading more than it must."""

import io
import itertools
import struct
import sys
import threading
import time
import zipfile

import psutil
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from cba.errors import InvalidInput
from compliance.models import Report, Worker
from compliance.reporting.intake.upload import report_upload
from tests.conftest import PASSWORD
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
    from compliance.reporting.intake import validate

    monkeypatch.setattr(validate, "MAX_LISTED_ERRORS", 50)
    error = refused(walsh, workbook(lines(1000, craft="Plumber", hourly_rate="0")))
    assert "2,000 problems" in error.message and "first 50" in error.message
    assert len(error.errors) == 50
    assert [e["row"] for e in error.errors[:4]] == [2, 2, 3, 3]


def test_a_formula_cell_is_read_as_its_value_not_run(walsh):
    content = workbook([line(ethnicity='=HYPERLINK("http://x","y")')], raw=True)
    report_upload(assignment=walsh, period=OCTOBER, content=content)
    assert Report.objects.get().line_count == 1


# Files built to take the server down (SPEC §8): read in a child process with memory and time
# limits, refused before any reader allocates where they can be, always a 422.

WORKBOOK_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
        '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml"'
        ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'sharedStrings+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets><sheet name="Payroll" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        'Target="sharedStrings.xml"/></Relationships>'
    ),
}
SHEET = (
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main">{dimension}<sheetData>{rows}</sheetData></worksheet>'
)


def hand_made_workbook(*, dimension="", rows="", shared_strings=b"<sst/>") -> bytes:
    """A minimal .xlsx written part by part; `shared_strings` may be an iterable of chunks."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in WORKBOOK_PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", SHEET.format(dimension=dimension, rows=rows))
        with archive.open("xl/sharedStrings.xml", "w") as part:
            for chunk in [shared_strings] if isinstance(shared_strings, bytes) else shared_strings:
                part.write(chunk)
    return buffer.getvalue()


class MemoryWatch:
    """The most this process's resident memory grew while the block ran, sampled every 5 ms."""

    def __init__(self):
        self.process = psutil.Process()
        self.grew_mb = 0.0

    def __enter__(self):
        self.start = self.process.memory_info().rss
        self.running = True
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()
        return self

    def sample(self):
        while self.running:
            grew = (self.process.memory_info().rss - self.start) / 2**20
            self.grew_mb = max(self.grew_mb, grew)
            time.sleep(0.005)

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()


def refused_in_child(assignment, content: bytes, filename="report.xlsx") -> InvalidInput:
    """Refused with a 422, the web process alive and its memory not grown past 400 MB."""
    with MemoryWatch() as memory:
        with pytest.raises(InvalidInput) as caught:
            report_upload(assignment=assignment, period=OCTOBER, content=content, filename=filename)
    assert caught.value.status_code == 422 and caught.value.errors
    assert not Report.objects.exists()
    assert memory.grew_mb + psutil.Process().memory_info().rss / 2**20 < 400
    assert memory.grew_mb < 100, f"the web process grew {memory.grew_mb:.0f} MB"
    return caught.value


def test_a_cell_at_the_last_row_and_column_is_refused_with_words_that_say_so(walsh):
    # Read in the web process, python-calamine asks for 512 GiB and aborts it.
    content = hand_made_workbook(
        dimension='<dimension ref="A1:XFD1048576"/>',
        rows='<row r="1"><c r="A1"><v>1</v></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
    )
    assert len(content) < 3000
    error = refused_in_child(walsh, content)
    assert "reaches row 1,048,576" in error.message and "at most 200,000 rows" in error.message
    assert report_upload(assignment=walsh, period=OCTOBER, content=workbook(lines(2))).report


def test_a_cell_past_column_zz_is_refused(walsh):
    rows = '<row r="1"><c r="AAA1" t="inlineStr"><is><t>x</t></is></c></row>'
    assert "past column ZZ" in refused_in_child(walsh, hand_made_workbook(rows=rows)).message


def test_a_cell_past_the_row_limit_is_refused_without_a_dimension(walsh, settings):
    settings.UPLOAD_MAX_ROWS = 50
    rows = '<row r="71"><c r="A71" t="inlineStr"><is><t>x</t></is></c></row>'
    assert "reaches row 71" in refused_in_child(walsh, hand_made_workbook(rows=rows)).message


def test_380_mb_of_empty_shared_strings_are_refused_before_they_are_read(walsh):
    chunk = b"<si/>" * 200_000
    content = hand_made_workbook(
        rows='<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
        shared_strings=itertools.chain(
            [b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'],
            itertools.repeat(chunk, 380),
            [b"</sst>"],
        ),
    )
    assert len(content) < 2_000_000
    error = refused_in_child(walsh, content)
    assert "different texts" in error.message and "template" in error.message


def test_a_workbook_that_needs_more_memory_than_allowed_is_refused_not_fatal(walsh, settings):
    settings.UPLOAD_PARSE_MEMORY_MB = 256
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        '<row r="199000"><c r="ZZ199000" t="inlineStr"><is><t>x</t></is></c></row>'
    )
    error = refused_in_child(walsh, hand_made_workbook(rows=rows))
    assert "could not be read" in error.message and "template" in error.message


def test_19_mb_of_empty_xml_elements_is_refused(walsh):
    content = (
        b'<?xml version="1.0"?><eCPR><payrollInfo><forWeekEnding>2026-10-03</forWeekEnding>'
        b"<employees>" + b"<employee/>" * 1_750_000 + b"</employees></payrollInfo></eCPR>"
    )
    assert len(content) > 19_000_000
    error = refused_in_child(walsh, content, filename="week.xml")
    assert "1,750,000 employees" in error.message


def test_a_reader_that_runs_past_its_time_is_stopped(walsh, settings, monkeypatch):
    from compliance.reporting.intake import sandbox

    settings.UPLOAD_PARSE_SECONDS = 1
    spin = (
        "import sys; from compliance.reporting.intake.sandbox import lower_limits; "
        "lower_limits(memory_mb=256, seconds=1); sys.stdin.buffer.read()\nwhile True: pass"
    )
    monkeypatch.setattr(sandbox, "CHILD", [sys.executable, "-c", spin])
    error = refused_in_child(walsh, workbook(lines(2)))
    assert "took more than 1 seconds" in error.message


def test_the_upload_page_answers_a_hostile_workbook_with_the_error_list(client, contractor):
    content = hand_made_workbook(
        dimension='<dimension ref="A1:XFD1048576"/>',
        rows='<row r="1"><c r="A1"><v>1</v></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
    )
    assert client.login(username=contractor.username, password=PASSWORD)
    url = reverse("report_upload", kwargs={"slug": "crenshaw", "contractor": "walsh"})
    upload = SimpleUploadedFile("october.xlsx", content)
    with MemoryWatch() as memory:
        page = client.post(url, {"period": "2026-10", "file": upload})
    assert page.status_code == 422 and "reaches row 1,048,576" in page.text
    assert memory.grew_mb < 100 and not Report.objects.exists()


def broken_deflate_workbook() -> bytes:
    """A template workbook whose Payroll sheet's compressed bytes begin with an invalid
    deflate block (what a bad sector does): its zip directory is intact, so the type and
    unzipped-size checks pass, and decompressing the sheet raises zlib's own error."""
    content = bytearray(workbook(lines(50)))
    info = zipfile.ZipFile(io.BytesIO(bytes(content))).getinfo("xl/worksheets/sheet1.xml")
    header = info.header_offset
    name_length, extra_length = struct.unpack("<HH", content[header + 26 : header + 30])
    data = header + 30 + name_length + extra_length
    content[data : data + 8] = b"\xff" * 8  # block type 11: "invalid block type"
    return bytes(content)


def test_a_sheet_whose_compressed_data_is_damaged_is_refused(walsh):
    error = refused(walsh, broken_deflate_workbook())
    assert error.status_code == 422 and "could not be read" in error.message


def test_the_upload_page_answers_a_damaged_sheet_with_422(client, contractor):
    assert client.login(username=contractor.username, password=PASSWORD)
    url = reverse("report_upload", kwargs={"slug": "crenshaw", "contractor": "walsh"})
    upload = SimpleUploadedFile("october.xlsx", broken_deflate_workbook())
    page = client.post(url, {"period": "2026-10", "file": upload})
    assert page.status_code == 422 and "could not be read" in page.text
    assert not Report.objects.exists()


def test_a_csv_with_a_million_columns_is_refused_before_the_mapping_page(walsh):
    # Unrefused, the mapping page drew a choice of field for each column: minutes and
    # gigabytes in the web process for a 10 MB file.
    width = 10**6
    content = (
        ",".join(f"c{i}" for i in range(width)) + "\n" + ",".join("1" * width) + "\n"
    ).encode()
    error = refused(walsh, content, filename="export.csv")
    assert "The file has 1,000,000 columns; a payroll export has at most 200." in error.message
