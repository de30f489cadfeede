"""Reads California's eCPR certified payroll XML (SPEC §5.2) into a Table.

One file is one payroll week. Mapping: worker ID = HMAC-SHA256 of the SSN keyed by
settings.WORKER_ID_KEY (the SSN itself is never stored, shown or logged); `name` → worker
name; `address/zip` → home ZIP; `workClass` → craft, once the word "Apprentice" is taken out
(its presence marks the line RA); `totHrs` → straight / overtime / double-time hours (the
days' sum when totHrs is absent); `hrlyPayRate/hrlyPayRateStraightTime` → hourly rate;
the hourly fringe contributions of `deductionsContribPay` (vacation/holiday, health and
welfare, pension, training: DIR asks for them as hourly amounts) → fringe rate;
`grossAmountEarned/thisProject` → gross pay; `forWeekEnding` → week ending;
`statementOfNP` true → a week without work. DTDs and entities are refused.
The integrity checks of SPEC §5.5 run on each employee (compliance.reporting.intake.integrity):
daily hours against `totHrs`, the days' dates, `grossAmountEarned` this project against all
work, and the deductions against their `total`.

This runs in the parse child (compliance.reporting.intake.sandbox), so it imports nothing of Django
and takes its limits and the worker ID key as arguments.
"""

import datetime
import hashlib
import hmac
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from compliance.reporting.intake import integrity
from compliance.reporting.intake.table import Table, refuse
from compliance.ssn import contains_ssn, mask_ssns

NAMESPACE = "http://www.dir.ca.gov/dlse/CPR-Prod-Test/CPR.xsd"
FRINGE_ELEMENTS = ("vacationHoliday", "healthWelfare", "pension", "training")
# Within deductionsContribPay: what is neither a deduction nor a contribution.
NOT_DEDUCTIONS = {"total", "notes"}
APPRENTICE_WORD = re.compile(r"\bapprentice\b", re.IGNORECASE)
# Left out of the kept copy: SSNs and street addresses.
WITHHELD_ELEMENTS = {"ssn", "street"}
# The contractor's federal employer number: nine digits that are not an SSN.
EMPLOYER_NUMBER = "contractorFEIN"

ElementTree.register_namespace("CPR", NAMESPACE)

COLUMNS = (
    ("worker_id", "ssn"),
    ("worker_name", "name"),
    ("home_zip", "address/zip"),
    ("craft", "workClass"),
    ("apprentice", "workClass"),
    ("week_ending", "forWeekEnding"),
    ("straight_hours", "totHrs/totHrsStraightTime"),
    ("overtime_hours", "totHrs/totHrsOvertime"),
    ("doubletime_hours", "totHrs/totHrsDoubletime"),
    ("hourly_rate", "hrlyPayRate/hrlyPayRateStraightTime"),
    ("fringe_rate", "deductionsContribPay"),
    ("gross_pay", "grossAmountEarned/thisProject"),
)


@dataclass
class EcprWeek:
    """One eCPR file: its week, whether it states no work, its lines, and a copy to keep."""

    week_ending: datetime.date
    no_work: bool
    table: Table
    kept: bytes


def worker_key_for_ssn(ssn: str, *, key: str) -> str:
    """The stored worker ID of an eCPR worker: a keyed hash (settings.WORKER_ID_KEY), so the
    SSN cannot be recovered."""
    return hmac.new(key.encode(), ssn.encode(), hashlib.sha256).hexdigest()


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def child(element, name: str):
    if element is None:
        return None
    for sub in element:
        if local(sub.tag) == name:
            return sub
    return None


def children(element) -> list:
    return [] if element is None else list(element)


def text_at(element, path: str) -> str:
    node = element
    for name in path.split("/"):
        node = child(node, name)
        if node is None:
            return ""
    return (node.text or "").strip()


def parse(content: bytes, *, what: str = "eCPR file"):
    try:
        return fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise refuse(
            "The XML file declares a DTD or entities, which are refused for safety. Export the "
            f"{what} again from your payroll program (it should not contain <!DOCTYPE>)."
        ) from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else "?"
        raise refuse(
            f"The XML file is not well-formed (the problem is near line {line}). Export the "
            f"{what} again from your payroll program and upload the new file."
        ) from None


def read_ecpr(content: bytes, *, max_rows: int, worker_id_key: str) -> EcprWeek:
    return read_ecpr_tree(parse(content), max_rows=max_rows, worker_id_key=worker_id_key)


def read_ecpr_tree(root, *, max_rows: int, worker_id_key: str) -> EcprWeek:
    if local(root.tag) != "eCPR":
        raise refuse(
            f"This XML file is not an eCPR certified payroll: its root element is "
            f"<{local(root.tag)}>, not <eCPR>. Upload the file you file with California's DIR, "
            "or the project's Excel template."
        )
    payroll = child(root, "payrollInfo")
    if payroll is None:
        raise refuse(
            "The eCPR file has no <payrollInfo>. Export it again from your payroll program."
        )
    week_text = text_at(payroll, "forWeekEnding")
    try:
        week_ending = datetime.date.fromisoformat(week_text)
    except ValueError:
        raise refuse(
            f"The eCPR file's <forWeekEnding> is “{week_text}”, not a date like 2026-10-31. "
            "Export the file again from your payroll program."
        ) from None
    no_work = text_at(payroll, "statementOfNP").casefold() in {"true", "1"}
    employees = [e for e in children(child(payroll, "employees")) if local(e.tag) == "employee"]
    if no_work and employees:
        raise refuse(
            "The eCPR file states no work that week (<statementOfNP>true</statementOfNP>) but "
            "lists employees. Set it to false, or remove the employees."
        )
    if not no_work and not employees:
        raise refuse(
            "The eCPR file lists no employees. If nobody worked that week, set "
            "<statementOfNP>true</statementOfNP>; otherwise export the file again."
        )
    if len(employees) > max_rows:
        raise refuse(
            f"The eCPR file lists {len(employees):,} employees; at most "
            f"{max_rows:,} lines are accepted in one report."
        )
    rows = [employee_row(employee, week_text, worker_id_key) for employee in employees]
    warnings = []
    for number, employee in enumerate(employees, start=1):
        warnings += employee_warnings(employee, number, week_ending)
    table = Table(
        columns={name: i for i, (name, _) in enumerate(COLUMNS)},
        headers=dict(COLUMNS),
        rows=rows,
        row_numbers=list(range(1, len(rows) + 1)),
        warnings=warnings,
    )
    return EcprWeek(week_ending=week_ending, no_work=no_work, table=table, kept=kept_copy(root))


def employee_row(employee, week_text: str, worker_id_key: str) -> list:
    ssn = re.sub(r"[\s-]", "", text_at(employee, "ssn"))
    if re.fullmatch(r"\d{9}", ssn):
        worker_key = worker_key_for_ssn(ssn, key=worker_id_key)
    else:
        worker_key = ""
    work_class = " ".join((text_at(employee, "workClass")).split())
    apprentice = bool(APPRENTICE_WORD.search(work_class))
    craft = " ".join(APPRENTICE_WORD.sub(" ", work_class).split()).strip(" -,")
    payroll = child(employee, "payroll")
    straight, overtime, doubletime = hours(payroll)
    row = [
        worker_key,
        " ".join(text_at(employee, "name").split()),
        text_at(employee, "address/zip"),
        craft if work_class else "",
        ("RA" if apprentice else "J") if work_class else "",
        week_text,
        straight,
        overtime,
        doubletime,
        text_at(payroll, "hrlyPayRate/hrlyPayRateStraightTime"),
        fringe(payroll),
        text_at(payroll, "grossAmountEarned/thisProject"),
    ]
    return row


def hours(payroll) -> tuple[str, str, str]:
    totals = child(payroll, "totHrs")
    if totals is not None:
        return (
            text_at(totals, "totHrsStraightTime"),
            text_at(totals, "totHrsOvertime"),
            text_at(totals, "totHrsDoubletime"),
        )
    days = [d for d in children(child(payroll, "hrsWorkedEachDay")) if local(d.tag) == "day"]
    sums = []
    for name in ("straightTime", "overtime", "doubletime"):
        try:
            sums.append(str(sum((Decimal(text_at(d, name) or 0) for d in days), Decimal(0))))
        except InvalidOperation:
            sums.append(next(text_at(d, name) for d in days if not is_number(text_at(d, name))))
    return sums[0], sums[1], sums[2]


def employee_warnings(employee, row: int, week_ending: datetime.date) -> list[dict]:
    """The integrity checks (SPEC §5.5) on one employee of the week."""
    payroll = child(employee, "payroll")
    found = []
    days = [d for d in children(child(payroll, "hrsWorkedEachDay")) if local(d.tag) == "day"]
    totals = child(payroll, "totHrs")
    if days and totals is not None:
        found += integrity.check_daily_hours(
            row=row,
            days=[
                (text_at(d, "straightTime"), text_at(d, "overtime"), text_at(d, "doubletime"))
                for d in days
            ],
            totals=(
                text_at(totals, "totHrsStraightTime"),
                text_at(totals, "totHrsOvertime"),
                text_at(totals, "totHrsDoubletime"),
            ),
            week=week_ending,
        )
    if days:
        found += integrity.check_consecutive_days(
            row=row, dates=[text_at(d, "date") for d in days], week_ending=week_ending
        )
    found += integrity.check_all_work_gross(
        row=row,
        this_project=text_at(payroll, "grossAmountEarned/thisProject"),
        all_work=text_at(payroll, "grossAmountEarned/allWork"),
        week=week_ending,
    )
    deductions = child(payroll, "deductionsContribPay")
    found += integrity.check_deductions(
        row=row,
        parts=[(d.text or "") for d in children(deductions) if local(d.tag) not in NOT_DEDUCTIONS],
        total=text_at(deductions, "total"),
        week=week_ending,
    )
    return found


def fringe(payroll) -> str:
    contributions = child(payroll, "deductionsContribPay")
    parts = [text_at(contributions, name) for name in FRINGE_ELEMENTS]
    total = Decimal(0)
    for part in parts:
        if not part:
            continue
        if not is_number(part):
            return part
        total += Decimal(part)
    return str(total)


def is_number(text: str) -> bool:
    try:
        return Decimal(text or 0).is_finite()
    except InvalidOperation:
        return False


def kept_copy(root, withheld: frozenset | set = WITHHELD_ELEMENTS) -> bytes:
    """The copy of the file we keep, written from the parsed tree, never by editing its text.

    Left out: the `<ssn>` and `<street>` elements, the `id` attribute
    of every element (DIR's `name id` repeats the SSN), and comments (the parser drops
    them). Any other text or attribute holding a full SSN (compliance.ssn) is masked,
    except the contractor's federal employer number. However an SSN was split in the
    file (CDATA sections, comments, entities), the tree holds it whole, so it goes.
    """
    for parent in root.iter():
        for element in list(parent):
            if local(element.tag) in withheld:
                parent.remove(element)
    for element in root.iter():
        for name in [n for n in element.attrib if local(n) == "id"]:
            del element.attrib[name]
        for name, value in element.attrib.items():
            if contains_ssn(value):
                element.attrib[name] = mask_ssns(value)
        if element.text and local(element.tag) != EMPLOYER_NUMBER and contains_ssn(element.text):
            element.text = mask_ssns(element.text)
        if element.tail and contains_ssn(element.tail):
            element.tail = mask_ssns(element.tail)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
