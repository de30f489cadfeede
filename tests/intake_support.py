"""Builders shared by the intake tests: payroll rows, workbooks and eCPR files made in memory."""

import datetime
import io
from decimal import Decimal

from openpyxl import Workbook

from compliance.reporting.intake.fields import COLUMNS

OCTOBER = datetime.date(2026, 10, 1)
# A day in November 2026, before the October report's due date (November 15).
BEFORE_DUE = datetime.datetime(2026, 11, 5, 10, 0, tzinfo=datetime.UTC)
AFTER_DUE = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)

HEADERS = [c.header for c in COLUMNS]


def line(**values) -> dict:
    """One valid JSON line for October 2026; keyword arguments override fields."""
    base = {
        "worker_id": "E1001",
        "worker_name": "Ana Flores",
        "home_zip": "90001",
        "craft": "Carpenter",
        "apprentice": "J",
        "apprentice_level": None,
        "week_ending": "2026-10-03",
        "straight_hours": "40",
        "overtime_hours": "2",
        "doubletime_hours": "0",
        "hourly_rate": "45.50",
        "fringe_rate": "20.25",
        "gross_pay": "1956.50",
        "gender": "F",
        "ethnicity": "Hispanic",
        "veteran": "N",
        "disadvantaged": "Y",
        "new_hire": "N",
    }
    base.update(values)
    return base


def lines(count: int, **values) -> list[dict]:
    """`count` distinct valid lines: workers E1..En, one week each, 40 straight hours."""
    weeks = ["2026-10-03", "2026-10-10", "2026-10-17", "2026-10-24", "2026-10-31"]
    return [
        line(
            **{
                "worker_id": f"E{i // len(weeks) + 1}",
                "week_ending": weeks[i % len(weeks)],
                "straight_hours": "40",
                "overtime_hours": "0",
                **values,
            }
        )
        for i in range(count)
    ]


def excel_value(field: str, value):
    if value is None:
        return None
    if field == "week_ending" and isinstance(value, str):
        return datetime.date.fromisoformat(value)
    if field.endswith(("_hours", "_rate", "_pay")) and isinstance(value, str):
        return float(Decimal(value))
    return value


def workbook(
    rows: list[dict],
    *,
    headers: list[str] | None = None,
    sheet: str = "Payroll",
    title_row: str | None = None,
    raw: bool = False,
    fields: list[str] | None = None,
) -> bytes:
    """An .xlsx with the given rows under the given headers (default: the SPEC's).

    Each header's column holds the row's value for the field of the same position in
    `fields` (default: the SPEC field whose header it is, else the header itself).
    """
    headers = headers or HEADERS
    spec_fields = [c.field for c in COLUMNS]
    if fields is None:
        fields = [spec_fields[HEADERS.index(h)] if h in HEADERS else h for h in headers]
    book = Workbook()
    ws = book.active
    ws.title = sheet
    if title_row:
        ws.append([title_row])
    ws.append(headers)
    for row in rows:
        ws.append([row.get(f) if raw else excel_value(f, row.get(f)) for f in fields])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ECPR_NS = "http://www.dir.ca.gov/dlse/CPR-Prod-Test/CPR.xsd"


def ecpr_employee(
    *,
    ssn: str = "123456789",
    name: str = "Maria Lopez",
    zip_code: str = "90002",
    work_class: str = "Carpenter",
    straight: str = "40",
    overtime: str = "0",
    doubletime: str = "0",
    rate: str = "48.00",
    gross: str = "1920.00",
) -> str:
    return f"""
    <CPR:employee>
      <CPR:name id="{ssn}::{name.upper()}">{name}</CPR:name>
      <CPR:address><CPR:street>1 Main St</CPR:street><CPR:city>Los Angeles</CPR:city>
        <CPR:state>CA</CPR:state><CPR:zip>{zip_code}</CPR:zip></CPR:address>
      <CPR:ssn>{ssn}</CPR:ssn>
      <CPR:numWithholdingExemp>1</CPR:numWithholdingExemp>
      <CPR:workClass>{work_class}</CPR:workClass>
      <CPR:payroll>
        <CPR:totHrs><CPR:totHrsStraightTime>{straight}</CPR:totHrsStraightTime>
          <CPR:totHrsOvertime>{overtime}</CPR:totHrsOvertime>
          <CPR:totHrsDoubletime>{doubletime}</CPR:totHrsDoubletime></CPR:totHrs>
        <CPR:hrlyPayRate><CPR:hrlyPayRateStraightTime>{rate}</CPR:hrlyPayRateStraightTime>
          <CPR:hrlyPayRateOvertime>72.00</CPR:hrlyPayRateOvertime>
          <CPR:hrlyPayRateDoubletime>96.00</CPR:hrlyPayRateDoubletime></CPR:hrlyPayRate>
        <CPR:grossAmountEarned><CPR:thisProject>{gross}</CPR:thisProject>
          <CPR:allWork>{gross}</CPR:allWork></CPR:grossAmountEarned>
        <CPR:deductionsContribPay><CPR:fedTax>100.00</CPR:fedTax><CPR:FICA>50.00</CPR:FICA>
          <CPR:stateTax>20.00</CPR:stateTax><CPR:SDI>10.00</CPR:SDI>
          <CPR:vacationHoliday>2.50</CPR:vacationHoliday><CPR:healthWelfare>10.00</CPR:healthWelfare>
          <CPR:pension>8.00</CPR:pension><CPR:training>1.00</CPR:training>
          <CPR:fundAdmin>0.50</CPR:fundAdmin><CPR:dues>30</CPR:dues><CPR:travelSubs>0</CPR:travelSubs>
          <CPR:savings>0</CPR:savings><CPR:other>0</CPR:other><CPR:total>232.00</CPR:total>
          <CPR:notes></CPR:notes></CPR:deductionsContribPay>
      </CPR:payroll>
    </CPR:employee>"""


def ecpr(
    week_ending: str, employees: list[str], *, no_work: bool = False, prolog: str = ""
) -> bytes:
    """An eCPR certified payroll file for one week, as California's DIR schema lays it out."""
    return f"""<?xml version="1.0" encoding="utf-8"?>{prolog}
<CPR:eCPR xmlns:CPR="{ECPR_NS}">
  <CPR:contractorInfo>
    <CPR:contractorName>Walsh Shea</CPR:contractorName>
    <CPR:contractorLicense><CPR:licenseType>CSLB</CPR:licenseType>
      <CPR:licenseNum>123456</CPR:licenseNum></CPR:contractorLicense>
    <CPR:contractorPWCR>1000012345</CPR:contractorPWCR>
    <CPR:contractorFEIN>951234567</CPR:contractorFEIN>
    <CPR:contractorAddress><CPR:street>1 Industry Way</CPR:street><CPR:city>Los Angeles</CPR:city>
      <CPR:state>CA</CPR:state><CPR:zip>90012</CPR:zip></CPR:contractorAddress>
    <CPR:insuranceNum>WC-1</CPR:insuranceNum>
    <CPR:contractorEmail>payroll@walsh.example</CPR:contractorEmail>
  </CPR:contractorInfo>
  <CPR:projectInfo>
    <CPR:awardingBody>Metro</CPR:awardingBody><CPR:contractAgency>Metro</CPR:contractAgency>
    <CPR:projectName>Crenshaw/LAX Line</CPR:projectName><CPR:projectID>42</CPR:projectID>
    <CPR:awardingBodyID></CPR:awardingBodyID><CPR:projectNum></CPR:projectNum>
    <CPR:contractID></CPR:contractID>
  </CPR:projectInfo>
  <CPR:payrollInfo>
    <CPR:statementOfNP>{"true" if no_work else "false"}</CPR:statementOfNP>
    <CPR:payrollNum></CPR:payrollNum>
    <CPR:amendmentNum></CPR:amendmentNum>
    <CPR:forWeekEnding>{week_ending}</CPR:forWeekEnding>
    <CPR:employees>{"".join(employees)}
    </CPR:employees>
  </CPR:payrollInfo>
</CPR:eCPR>
""".encode()
