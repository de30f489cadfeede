"""The project's Excel template (SPEC §5.1): sheets, headers, dropdowns, and a round trip."""

import datetime
import io

import pytest
import time_machine
from openpyxl import load_workbook

from compliance.models import PayrollLine
from compliance.reporting.intake.fields import COLUMNS
from compliance.reporting.intake.template import build_template
from compliance.reporting.intake.upload import report_upload
from tests.intake_support import BEFORE_DUE, OCTOBER


@pytest.fixture
def template(walsh):
    return load_workbook(io.BytesIO(build_template(assignment=walsh, period=OCTOBER)))


def test_it_has_the_payroll_lists_and_instructions_sheets(template):
    assert template.sheetnames == ["Payroll", "Payments", "Lists", "Instructions"]
    payroll = template["Payroll"]
    assert [c.value for c in payroll[2]] == [c.header for c in COLUMNS]
    assert payroll.freeze_panes == "A3"
    assert payroll.column_dimensions["B"].width == 24


def test_it_names_the_project_the_contractor_and_the_month(template):
    title = template["Payroll"]["A1"].value
    assert "Crenshaw/LAX Line" in title and "Walsh Shea" in title and "October 2026" in title
    instructions = "\n".join(
        str(c.value) for row in template["Instructions"].iter_rows() for c in row if c.value
    )
    assert "Contractor: Walsh Shea" in instructions and "due November 15, 2026" in instructions
    assert "Social Security" in instructions


def test_the_dropdowns_come_from_the_lists_sheet(template):
    lists = template["Lists"]
    assert [c.value for c in lists["A"][1:]] == [
        "Carpenter",
        "Electrician",
        "Laborer",
        "Operating Engineer",
    ]
    rules = {
        str(dv.sqref).split(":")[0][0]: dv
        for dv in template["Payroll"].data_validations.dataValidation
    }
    assert rules["D"].formula1 == "=Lists!$A$2:$A$5"  # Craft
    assert rules["E"].formula1 == "=Lists!$B$2:$B$3"  # J / RA
    assert rules["N"].formula1 == "=Lists!$D$2:$D$4"  # Gender
    assert {rules[c].formula1 for c in "PQR"} == {"=Lists!$C$2:$C$3"}  # Y / N
    assert rules["G"].type == "date" and "DATE(2026,10,31)" in rules["G"].formula2
    assert [lists[f"B{i}"].value for i in (2, 3)] == ["J", "RA"]


@time_machine.travel(BEFORE_DUE, tick=False)
def test_a_filled_in_template_is_accepted(walsh, template):
    sheet = template["Payroll"]
    values = [
        "E7",
        "Rosa Diaz",
        "90003",
        "Op Eng",
        "RA",
        2,
        datetime.date(2026, 10, 10),
        40,
        3,
        0,
        38.5,
        19,
        1713.25,
        "F",
        "Hispanic",
        "N",
        "Y",
        "Y",
    ]
    for column, value in enumerate(values, start=1):
        sheet.cell(row=3, column=column, value=value)
    buffer = io.BytesIO()
    template.save(buffer)
    result = report_upload(assignment=walsh, period=OCTOBER, content=buffer.getvalue())
    stored = PayrollLine.objects.select_related("craft", "worker").get()
    assert result.report.line_count == 1 and result.warnings == []
    assert stored.craft.name == "Operating Engineer" and stored.is_apprentice
    assert stored.apprentice_level == 2 and stored.hours == 43
    assert stored.worker.name == "Rosa Diaz" and stored.new_hire is True
