"""The project's Excel template for one contractor and month (SPEC §5.1).

Sheet `Payroll`: a title line naming the project, contractor and month, then the header
row (frozen), one column per SPEC field, with dropdowns for craft, J/RA, Y/N and gender fed
from the `Lists` sheet, and date and number checks. Sheet `Payments`: a prime's payments to
its subcontractors (date, subcontractor from a dropdown, amount). `Instructions` explains
each column.

In the reader's language (the active one): English, or Spanish with the sheets, headers,
instructions and list values in Spanish ("Oficial"/"Aprendiz", "Sí"/"No"); uploads accept
either language's headers and values (intake.fields and intake.validate). The `Payments`
sheet keeps its English name and headers in both, as the reader looks for them.
"""

import datetime
import io

from django.conf import settings
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from compliance.formatting import long_date, long_month
from compliance.reporting.intake.fields import COLUMNS
from compliance.reporting.intake.payments_sheet import MAX_PAYMENTS, PAYMENT_COLUMNS, SHEET_NAMES
from compliance.reporting.intake.store import due_date
from projects import access
from projects.models import Assignment

HEADER_ROW = 2
FIRST_DATA_ROW = HEADER_ROW + 1
HEADER_FILL = PatternFill("solid", fgColor="DCE6F2")
NUMBER_FORMATS = {
    "worker_id": "@",
    "home_zip": "@",
    "week_ending": "m/d/yyyy",
    "straight_hours": "0.00",
    "overtime_hours": "0.00",
    "doubletime_hours": "0.00",
    "hourly_rate": "#,##0.00",
    "fringe_rate": "#,##0.00",
    "gross_pay": "#,##0.00",
}


def template_filename(assignment: Assignment, period: datetime.date) -> str:
    return f"{assignment.project.slug}-{assignment.contractor.slug}-{period:%Y-%m}-payroll.xlsx"


def build_template(*, assignment: Assignment, period: datetime.date) -> bytes:
    project = assignment.project
    crafts = list(project.crafts.order_by("name"))
    language = get_language() or settings.LANGUAGE_CODE
    workbook = Workbook()
    payroll = workbook.active
    payroll.title = pgettext("sheet", "Payroll")
    lists = workbook.create_sheet(pgettext("sheet", "Lists"))
    instructions = workbook.create_sheet(pgettext("sheet", "Instructions"))
    title = _("Payroll report · {project} · {contractor} · {month}").format(
        project=project.name, contractor=assignment.contractor.name, month=long_month(period)
    )
    workbook.properties.title = title
    workbook.properties.creator = "CBA Monitor"

    payroll["A1"] = title
    payroll["A1"].font = Font(bold=True, size=12)
    for index, column in enumerate(COLUMNS, start=1):
        cell = payroll.cell(row=HEADER_ROW, column=index, value=column.heading(language))
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        rule = _(column.rule)
        cell.comment = Comment(
            _("Required. {rule}").format(rule=rule) if column.required else rule, "CBA Monitor"
        )
        letter = get_column_letter(index)
        payroll.column_dimensions[letter].width = column.width
        if column.field in NUMBER_FORMATS:
            payroll.column_dimensions[letter].number_format = NUMBER_FORMATS[column.field]
    payroll.freeze_panes = f"A{FIRST_DATA_ROW}"

    fill_lists(lists, crafts)
    add_validations(payroll, crafts, period, lists=lists.title)
    add_payments_sheet(workbook, lists, assignment, period, language=language)
    fill_instructions(instructions, assignment, period, title, language=language)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def fill_lists(sheet, crafts) -> None:
    columns = {
        "A": (_("Craft"), [c.name for c in crafts]),
        "B": (
            _("Apprentice"),
            [pgettext("journeyworker", "J"), pgettext("registered apprentice", "RA")],
        ),
        "C": (_("Yes / No"), [pgettext("yes", "Y"), pgettext("no", "N")]),
        "D": (_("Gender"), ["F", "M", "X"]),
        "E": (_("Craft names also accepted"), [", ".join(c.aliases) for c in crafts]),
    }
    for letter, (header, values) in columns.items():
        sheet[f"{letter}1"] = header
        sheet[f"{letter}1"].font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            sheet[f"{letter}{row}"] = value
        sheet.column_dimensions[letter].width = 26 if letter in "AE" else 12


def column_range(field: str) -> str:
    index = next(i for i, c in enumerate(COLUMNS, start=1) if c.field == field)
    letter = get_column_letter(index)
    return f"{letter}{FIRST_DATA_ROW}:{letter}{FIRST_DATA_ROW + settings.UPLOAD_MAX_ROWS - 1}"


def add_validations(sheet, crafts, period: datetime.date, *, lists: str) -> None:
    last_day = (period.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - (
        datetime.timedelta(days=1)
    )
    rules = [
        (
            "craft",
            DataValidation(
                type="list",
                formula1=f"={lists}!$A$2:$A${max(len(crafts), 1) + 1}",
                error=_("Choose one of the project's crafts from the list."),
            ),
        ),
        (
            "apprentice",
            DataValidation(
                type="list",
                formula1=f"={lists}!$B$2:$B$3",
                error=_("J for a journeyworker, RA for a registered apprentice."),
            ),
        ),
        (
            "apprentice_level",
            DataValidation(
                type="whole",
                operator="between",
                formula1="1",
                formula2="10",
                error=_("A whole number from 1 to 10."),
            ),
        ),
        (
            "week_ending",
            DataValidation(
                type="date",
                operator="between",
                formula1=f"DATE({period.year},{period.month},1)",
                formula2=f"DATE({last_day.year},{last_day.month},{last_day.day})",
                error=_("A date in {month}, the month of this report.").format(
                    month=long_month(period)
                ),
            ),
        ),
        (
            "straight_hours",
            DataValidation(
                type="decimal",
                operator="between",
                formula1="0",
                formula2="80",
                error=_("0 to 80 straight-time hours; put the rest under overtime."),
            ),
        ),
        (
            "gender",
            DataValidation(type="list", formula1=f"={lists}!$D$2:$D$4", error=_("F, M or X.")),
        ),
    ]
    rules += [
        (
            field,
            DataValidation(type="list", formula1=f"={lists}!$C$2:$C$3", error=_("Y or N.")),
        )
        for field in ("veteran", "disadvantaged", "new_hire")
    ]
    for field, validation in rules:
        validation.allow_blank = True
        validation.showErrorMessage = True
        validation.errorTitle = _("Not accepted")
        validation.add(column_range(field))
        sheet.add_data_validation(validation)


def add_payments_sheet(
    workbook, lists, assignment: Assignment, period: datetime.date, *, language: str
) -> None:
    """Sheet `Payments` (SPEC §3.7): what a prime paid each subcontractor this month, the
    subcontractor chosen from those under it (column F of `Lists`)."""
    payments = workbook.create_sheet(SHEET_NAMES[language[:2]], index=1)
    payments["A1"] = _(
        "Payments to subcontractors · {contractor} · {month} (leave empty if you paid none)"
    ).format(contractor=assignment.contractor.name, month=long_month(period))
    payments["A1"].font = Font(bold=True, size=12)
    for index, column in enumerate(PAYMENT_COLUMNS, start=1):
        cell = payments.cell(row=HEADER_ROW, column=index, value=column.heading(language))
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.comment = Comment(_("Required.") + " " + _(column.rule), "CBA Monitor")
        payments.column_dimensions[get_column_letter(index)].width = column.width
    payments.column_dimensions["A"].number_format = "m/d/yyyy"
    payments.column_dimensions["C"].number_format = "#,##0.00"
    payments.freeze_panes = f"A{FIRST_DATA_ROW}"
    names = list(
        access.payees_of(assignment)
        .order_by("contractor__name")
        .values_list("contractor__name", flat=True)
    )
    lists["F1"] = PAYMENT_COLUMNS[1].heading(language)
    lists["F1"].font = Font(bold=True)
    for row, name in enumerate(names, start=2):
        lists[f"F{row}"] = name
    lists.column_dimensions["F"].width = 32
    last = FIRST_DATA_ROW + MAX_PAYMENTS - 1
    last_day = (period.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - (
        datetime.timedelta(days=1)
    )
    rules = [
        (
            "A",
            DataValidation(
                type="date",
                operator="between",
                formula1=f"DATE({period.year},{period.month},1)",
                formula2=f"DATE({last_day.year},{last_day.month},{last_day.day})",
                error=_("A date in {month}, the month of this report.").format(
                    month=long_month(period)
                ),
            ),
        ),
        (
            "B",
            DataValidation(
                type="list",
                formula1=f"='{lists.title}'!$F$2:$F${max(len(names), 1) + 1}",
                error=_("Choose one of the project's subcontractors from the list."),
            ),
        ),
        (
            "C",
            DataValidation(
                type="decimal",
                operator="greaterThan",
                formula1="0",
                error=_("Dollars paid, more than 0."),
            ),
        ),
    ]
    for letter, validation in rules:
        validation.allow_blank = True
        validation.showErrorMessage = True
        validation.errorTitle = _("Not accepted")
        validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last}")
        payments.add_data_validation(validation)


def fill_instructions(
    sheet, assignment: Assignment, period: datetime.date, title: str, *, language: str
) -> None:
    due = due_date(assignment, period)
    lines = [
        (title, True),
        (_("Project: {project}").format(project=assignment.project.name), False),
        (_("Contractor: {contractor}").format(contractor=assignment.contractor.name), False),
        (
            _("Month: {month} · due {due}").format(month=long_month(period), due=long_date(due)),
            False,
        ),
        ("", False),
        (_("How to fill in this report"), True),
        (
            _(
                "1. On the Payroll sheet, enter one row per worker, week ending and craft. "
                "Keep the header row as it is; you may add columns, they are ignored."
            ),
            False,
        ),
        (
            _(
                "2. Use the dropdowns for Craft, Apprentice, Gender and the Y/N columns. "
                "Week Ending is the last day of the pay week; it must be in the report's month."
            ),
            False,
        ),
        (
            _(
                "3. Never enter a Social Security number: use your own employee number as "
                "Worker ID."
            ),
            False,
        ),
        (
            _(
                "4. Save the file as .xlsx and upload it on the project's reports page. If a "
                "row has a problem, you will see every problem at once with its row and "
                "column; fix them and upload again. Nothing is stored until the whole file is "
                "right."
            ),
            False,
        ),
        (
            _(
                "5. To correct a report later, upload the whole month again: it becomes a new "
                "version and the old one stays in the history."
            ),
            False,
        ),
        (
            _("6. The headers may be in English or in Spanish: a file with either is accepted."),
            False,
        ),
        (
            _(
                "7. A prime contractor lists on the Payments sheet what it paid each "
                "subcontractor this month: the date, the subcontractor (from the dropdown) and "
                "the amount in dollars. A month's report may have payments and no payroll lines."
            ),
            False,
        ),
        ("", False),
        (_("Columns"), True),
    ]
    for row, (text, bold) in enumerate(lines, start=1):
        sheet.cell(row=row, column=1, value=text).font = Font(bold=bold)
    start = len(lines) + 1
    for col, header in enumerate((_("Column"), _("Required"), _("What to enter")), start=1):
        sheet.cell(row=start, column=col, value=header).font = Font(bold=True)
    for offset, column in enumerate(COLUMNS, start=1):
        sheet.cell(row=start + offset, column=1, value=column.heading(language))
        sheet.cell(
            row=start + offset,
            column=2,
            value=pgettext("required", "yes") if column.required else pgettext("required", "no"),
        )
        sheet.cell(row=start + offset, column=3, value=_(column.rule))
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = 90
