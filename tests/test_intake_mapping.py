"""A contractor's own payroll export, mapped once (SPEC §5.4): columns and codes of its own,
a mapping saved for the contractor and used on later uploads, the same rules as the template."""

import codecs
import datetime
import io
import os
import time
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from cba.errors import InvalidInput
from compliance.models import ExportMapping, PayrollLine, Report
from compliance.reporting.intake.csvfile import decode, read_csv_rows
from compliance.reporting.intake.mapping import SHIPPED, MappingNeeded, guess_field
from compliance.reporting.intake.saved_mappings import mapping_save
from compliance.reporting.intake.upload import report_upload
from projects import access
from tests.conftest import PASSWORD
from tests.intake_support import BEFORE_DUE, OCTOBER

NOVEMBER = datetime.date(2026, 11, 1)
SPANISH_FIELDS = {
    "worker_id",
    "worker_name",
    "home_zip",
    "craft",
    "apprentice",
    "week_ending",
    "straight_hours",
    "hourly_rate",
}
# Walsh's payroll program: its own headers, classification codes and apprentice codes.
HEADERS = [
    "Emp #",
    "Employee",
    "Home Zip",
    "Class",
    "Status",
    "W/E Date",
    "Reg Hrs",
    "OT Hrs",
    "Base Rate",
    "Gross",
]
WALSH_COLUMNS = {
    "worker_id": "Emp #",
    "worker_name": "Employee",
    "home_zip": "Home Zip",
    "craft": "Class",
    "apprentice": "Status",
    "week_ending": "W/E Date",
    "straight_hours": "Reg Hrs",
    "overtime_hours": "OT Hrs",
    "hourly_rate": "Base Rate",
    "gross_pay": "Gross",
}
WALSH_CODES = {
    "craft": {"CARP-J": "Carpenter", "LAB-1": "Laborer"},
    "apprentice": {"Journeyman": "J", "APP": "RA"},
}


def export_rows(week: datetime.date) -> list[list]:
    return [
        ["1001", "Maria Lopez", "90002", "CARP-J", "Journeyman", week, 40, 2, 48, 2064],
        ["1002", "James Carter", "90301", "CARP-J", "APP", week, 32, 0, 29.5, 944],
        ["1003", "Lin Wu", "91001", "LAB-1", "Journeyman", week, 40, 0, 38, 1520],
    ]


def export_xlsx(rows: list[list], headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Payroll Export"
    sheet.append(["Walsh Shea payroll export"])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def before_due():
    with time_machine.travel(BEFORE_DUE, tick=False):
        yield


def log_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def walsh_url(name: str, **kwargs) -> str:
    return reverse(name, kwargs={"slug": "crenshaw", "contractor": "walsh", **kwargs})


def save_walsh_mapping(walsh, user=None) -> ExportMapping:
    return mapping_save(
        contractor=walsh.contractor,
        name="Walsh export",
        columns=WALSH_COLUMNS,
        codes=WALSH_CODES,
        user=user,
    )


def test_a_contractor_maps_its_export_once_and_next_month_uploads_without_mapping(
    client, contractor, walsh, crafts
):
    log_in(client, contractor)
    content = export_xlsx(export_rows(datetime.date(2026, 10, 10)))
    sent = client.post(
        walsh_url("report_upload"),
        {"period": "2026-10", "file": SimpleUploadedFile("payroll.xlsx", content)},
    )
    assert sent.status_code == 302 and "/mappings/new/?upload=" in sent.url
    assert not Report.objects.exists()

    page = client.get(sent.url)
    assert page.status_code == 200
    text = page.text
    for header in HEADERS:
        assert header in text
    assert "<code>Maria Lopez</code>" in text  # sample values
    # Guessed: "Home Zip" and "Class" by their headers, "W/E Date" by its dates.
    assert '<option value="home_zip" selected>' in text
    assert '<option value="week_ending" selected>' in text
    assert '<option value="craft" selected>' in text
    assert 'name="craft_0"' in text  # the codes of the column guessed to be the craft

    columns = {f"column_{i}": field for i, field in enumerate(WALSH_COLUMNS)}
    shown = client.post(sent.url, {**columns, "action": "refresh", "name": "Walsh export"})
    assert "CARP-J" in shown.text and "LAB-1" in shown.text and "APP" in shown.text
    codes = {"craft_0": "Carpenter", "craft_1": "Laborer"}
    codes.update({"apprentice_0": "J", "apprentice_1": "RA"})
    done = client.post(
        sent.url, {**columns, **codes, "action": "save", "name": "Walsh export"}, follow=True
    )
    assert "Stored version 1" in done.text
    assert "Mapping “Walsh export” saved" in done.text
    report = Report.objects.get()
    assert (report.source, report.line_count, report.total_hours) == ("export", 3, Decimal(114))
    james = PayrollLine.objects.select_related("craft").get(worker__worker_key="1002")
    assert james.craft == crafts["Carpenter"] and james.is_apprentice
    lin = PayrollLine.objects.select_related("craft").get(worker__worker_key="1003")
    assert lin.craft == crafts["Laborer"] and not lin.is_apprentice
    mapping = ExportMapping.objects.get()
    assert mapping.created_by == contractor and mapping.codes["craft"]["CARP-J"] == "Carpenter"

    november = export_xlsx(export_rows(datetime.date(2026, 11, 7)))
    again = client.post(
        walsh_url("report_upload"),
        {"period": "2026-11", "file": SimpleUploadedFile("payroll.xlsx", november)},
        follow=True,
    )
    assert "Stored version 1" in again.text
    stored = Report.objects.get(period=NOVEMBER)
    assert (stored.source, stored.line_count) == ("export", 3)


def test_a_csv_in_windows_1252_with_semicolons_reads_through_a_mapping(walsh, crafts):
    mapping_save(
        contractor=walsh.contractor,
        name="Plantilla",
        columns={
            f: headers[0]
            for f, headers in SHIPPED["Plantilla del proyecto (español)"].items()
            if f in SPANISH_FIELDS
        },
        codes={"craft": {"Carpintero": "Carpenter"}, "apprentice": {"Oficial": "J"}},
        user=None,
    )
    text = (
        "ID del trabajador;Nombre del trabajador;Código postal;Oficio;Aprendiz;Fin de semana;"
        "Horas normales;Tarifa por hora\r\n"
        "E-7;José Núñez;90001;Carpintero;Oficial;10/10/2026;40;48,00\r\n"
    ).replace("48,00", "48.00")
    content = text.encode("cp1252")
    assert decode(content) == text

    result = report_upload(assignment=walsh, period=OCTOBER, content=content, filename="n.csv")

    line = PayrollLine.objects.select_related("worker", "craft").get()
    assert result.report.source == "export"
    assert (line.worker.name, line.craft, line.hours) == ("José Núñez", crafts["Carpenter"], 40)
    assert line.week_ending == datetime.date(2026, 10, 10) and not line.is_apprentice


@pytest.mark.parametrize(
    "encoded",
    [
        "Worker ID\tCraft\nE1\tCarpintería\n".encode("utf-16"),
        codecs.BOM_UTF8 + "Worker ID|Craft\nE1|Carpintería\n".encode(),
        "Worker ID,Craft\nE1,Carpintería\n".encode(),
    ],
    ids=["utf-16 with tabs", "utf-8 BOM with pipes", "utf-8 with commas"],
)
def test_any_encoding_and_delimiter_is_read(encoded):
    assert read_csv_rows(encoded, max_rows=10) == [["Worker ID", "Craft"], ["E1", "Carpintería"]]


def test_a_bad_row_gives_the_usual_error_under_the_contractors_own_header(walsh, crafts):
    save_walsh_mapping(walsh)
    rows = export_rows(datetime.date(2026, 10, 10))
    rows[1][2] = "ABCDE"
    rows[2][3] = "PLUMB"

    with pytest.raises(InvalidInput) as refused:
        report_upload(assignment=walsh, period=OCTOBER, content=export_xlsx(rows))

    errors = refused.value.errors
    assert [(e["row"], e["column"], e["value"]) for e in errors] == [
        (4, "Home Zip", "ABCDE"),
        (5, "Class", "PLUMB"),
    ]
    assert "5-digit ZIP" in errors[0]["message"] and "Not a craft" in errors[1]["message"]
    assert not Report.objects.exists()


def test_check_only_through_a_mapping_stores_nothing(walsh, crafts):
    save_walsh_mapping(walsh)
    content = export_xlsx(export_rows(datetime.date(2026, 10, 10)))
    result = report_upload(assignment=walsh, period=OCTOBER, content=content, check_only=True)
    assert result.checked and result.report.line_count == 3
    assert not Report.objects.exists()


def test_another_contractor_can_neither_see_nor_use_the_mapping(
    client, walsh, pulice, contractor, other_contractor, crafts
):
    mapping = save_walsh_mapping(walsh, contractor)
    assert list(access.export_mappings_for(contractor)) == [mapping]
    assert not access.export_mappings_for(other_contractor).exists()
    content = export_xlsx(export_rows(datetime.date(2026, 10, 10)))

    with pytest.raises(InvalidInput, match="no mapping named “Walsh export”"):
        report_upload(assignment=pulice, period=OCTOBER, content=content, mapping="Walsh export")
    with pytest.raises(MappingNeeded):
        report_upload(assignment=pulice, period=OCTOBER, content=content)

    log_in(client, other_contractor)
    edit = walsh_url("export_mapping_edit", mapping_id=mapping.pk)
    assert client.get(edit).status_code == 404
    assert client.get(walsh_url("export_mappings")).status_code == 404
    pulice_edit = reverse(
        "export_mapping_edit",
        kwargs={"slug": "crenshaw", "contractor": "pulice", "mapping_id": mapping.pk},
    )
    assert client.get(pulice_edit).status_code == 404
    client.logout()
    log_in(client, contractor)  # Walsh, the prime above Pulice, reads Pulice's months only
    pulice_list = reverse("export_mappings", kwargs={"slug": "crenshaw", "contractor": "pulice"})
    assert client.get(pulice_list).status_code in (403, 404)


def test_the_api_takes_a_mapping_name(client, walsh, contractor, crafts):
    save_walsh_mapping(walsh, contractor)
    log_in(client, contractor)
    url = "/api/v1/projects/crenshaw/contractors/walsh/reports/upload"
    content = export_xlsx(export_rows(datetime.date(2026, 10, 10)), headers=HEADERS)

    answer = client.post(
        url,
        {
            "period": "2026-10",
            "mapping": "Walsh export",
            "file": SimpleUploadedFile("export.xlsx", content),
        },
    )

    assert answer.status_code == 201, answer.json()
    assert answer.json()["report"]["source"] == "export"


def test_an_unmapped_export_through_the_api_says_to_map_it(client, walsh, contractor, crafts):
    log_in(client, contractor)
    content = export_xlsx(export_rows(datetime.date(2026, 10, 10)))
    answer = client.post(
        "/api/v1/projects/crenshaw/contractors/walsh/reports/upload",
        {"period": "2026-10", "file": SimpleUploadedFile("export.xlsx", content)},
    )
    assert answer.status_code == 422
    assert "“Emp #”" in answer.json()["detail"] and "mapping" in answer.json()["detail"]


def test_a_mapping_is_edited_and_deleted_once_confirmed(client, walsh, contractor, crafts):
    mapping = save_walsh_mapping(walsh, contractor)
    log_in(client, contractor)
    listing = client.get(walsh_url("export_mappings"))
    assert "Walsh export" in listing.text and "WH-347 columns" in listing.text

    edit = walsh_url("export_mapping_edit", mapping_id=mapping.pk)
    page = client.get(edit)
    assert 'value="Emp #"' in page.text and 'value="CARP-J"' in page.text
    form = {f"column_{field}": header for field, header in WALSH_COLUMNS.items()}
    form.update(
        {
            "name": "Walsh export 2027",
            "craft_rows": "1",
            "craft_code_0": "CARP-J",
            "craft_0": "Laborer",
            "apprentice_rows": "0",
        }
    )
    assert client.post(edit, form).status_code == 302
    mapping.refresh_from_db()
    assert mapping.name == "Walsh export 2027"
    assert mapping.codes == {"craft": {"CARP-J": "Laborer"}}

    missing = dict(form, column_home_zip="")
    refused = client.post(edit, missing)
    assert refused.status_code == 422 and "Home ZIP" in refused.text

    delete = walsh_url("export_mapping_delete", mapping_id=mapping.pk)
    asked = client.post(delete)
    assert "Delete the mapping" in asked.text and ExportMapping.objects.exists()
    client.post(delete, {"confirm": "yes"})
    assert not ExportMapping.objects.exists()


def test_guesses_come_from_headers_and_values():
    assert guess_field("Zip", []) == "home_zip"
    assert guess_field("Reg Hrs", []) == "straight_hours"
    assert guess_field("OT Hrs", []) == "overtime_hours"
    assert guess_field("Col 3", ["90001", "02134"]) == "home_zip"
    assert guess_field("Col 4", [datetime.date(2026, 10, 10)]) == "week_ending"
    assert guess_field("Col 5", ["10/10/2026", "10/17/2026"]) == "week_ending"
    assert guess_field("Col 6", ["Journeyman", "APP"]) == "apprentice"
    assert guess_field("Col 7", ["Anything"]) == ""


def test_a_csv_with_the_templates_own_headers_needs_no_mapping(walsh, crafts):
    content = (
        b"Worker ID,Home ZIP,Craft,Apprentice,Week Ending,Straight Hours,Hourly Rate\n"
        b"E1,90001,Carp,J,10/10/2026,40,48.00\n"
    )
    result = report_upload(assignment=walsh, period=OCTOBER, content=content, filename="t.csv")
    assert (result.report.source, result.report.line_count) == ("export", 1)
    assert not ExportMapping.objects.exists()


def test_check_only_from_the_mapping_page_shows_the_check_and_stores_nothing(
    client, contractor, walsh, crafts
):
    log_in(client, contractor)
    content = export_xlsx(export_rows(datetime.date(2026, 10, 10)))
    sent = client.post(
        walsh_url("report_upload"),
        {
            "period": "2026-10",
            "file": SimpleUploadedFile("payroll.xlsx", content),
            "check_only": "1",
        },
    )
    columns = {f"column_{i}": field for i, field in enumerate(WALSH_COLUMNS)}
    codes = {"craft_0": "Carpenter", "craft_1": "Laborer"}
    codes.update({"apprentice_0": "J", "apprentice_1": "RA"})
    checked = client.post(sent.url, {**columns, **codes, "action": "save", "name": "Walsh"})
    assert checked.status_code == 200
    assert "Checked only; nothing was stored" in checked.text
    assert not Report.objects.exists() and ExportMapping.objects.count() == 1


def test_an_upload_left_unmapped_is_deleted_a_day_later(
    client, contractor, walsh, crafts, settings, tmp_path
):
    """A payroll export waits for its mapping only a day: the next upload kept after that
    deletes it (payroll files do not pile up in storage)."""
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = str(tmp_path)
    log_in(client, contractor)
    content = export_xlsx(export_rows(datetime.date(2026, 10, 10)))

    def upload() -> str:
        sent = client.post(
            walsh_url("report_upload"),
            {"period": "2026-10", "file": SimpleUploadedFile("payroll.xlsx", content)},
        )
        assert sent.status_code == 302
        return sent.url

    first = upload()
    (kept,) = default_storage.listdir("pending")[1]
    a_day_ago = time.time() - 25 * 3600
    os.utime(default_storage.path(f"pending/{kept}"), (a_day_ago, a_day_ago))
    second = upload()
    assert kept not in default_storage.listdir("pending")[1]
    assert len(default_storage.listdir("pending")[1]) == 1
    assert client.get(second).status_code == 200
    assert client.get(first).status_code == 302  # back to the upload page
