"""The Excel export of a project (SPEC §7.1, §8): evaluations, monthly series, payroll lines
without worker names, flags, and the enforcement ledger with each contractor's balance.

Written with openpyxl in write-only mode, row by row from database iterators, so a
1,000,000-line project exports without holding it in memory. Text that a spreadsheet would
read as a formula (it begins with =, +, -, @, a tab or a carriage return) is written as a
text cell with Excel's quote prefix: it shows as typed and never runs. Control characters,
which the file format cannot hold, are written as "�" (`compliance.text.printable`).
"""

import datetime
import json
from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from compliance.evaluation.damages import damages_label
from compliance.evaluation.kinds import KINDS
from compliance.models import Flag, LedgerEntry, PayrollLine
from compliance.status import Severity, Status
from compliance.text import printable
from projects import access
from projects.models import Project

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 5000


def _as_text(ws, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def _cell(ws, value):
    """A value as the export writes it: text cleaned of control characters, and text that
    looks like a formula kept as text."""
    if not isinstance(value, str):
        return value
    value = printable(value)
    return _as_text(ws, value) if value.startswith(FORMULA_STARTS) else value


def _row(ws, values: Iterable) -> list:
    return [_cell(ws, v) for v in values]


def _header(ws, names: list[str]) -> None:
    bold = Font(bold=True)
    cells = []
    for name in names:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        cells.append(cell)
    ws.append(cells)
    ws.freeze_panes = "A2"


def _yn(value) -> str:
    return "" if value is None else ("Y" if value else "N")


def lines_for_export(*, user, project: Project):
    """Payroll lines of a project for the export, as tuples, never with worker names."""
    return (
        access.lines_for(user)
        .filter(project=project, is_current=True)
        .order_by("assignment_id", "week_ending", "id")
        .values_list(
            "report__period",
            "report__version",
            "assignment__contractor__name",
            "worker__worker_key",
            # The line's reported columns, its trade by name.
            *("craft__name" if c == "craft_id" else c for c in PayrollLine.REPORTED_COLUMNS),
            # As open data reports them (blank on other doors' lines).
            "reported_resident",
            "person_of_color",
        )
    )


LINE_COLUMNS = [
    "Report month",
    "Report version",
    "Contractor",
    "Worker ID",
    "Week ending",
    "Craft",
    "Home ZIP",
    "Apprentice",
    "Apprentice level",
    "Straight hours",
    "Overtime hours",
    "Double-time hours",
    "Hours",
    "Hourly rate",
    "Fringe rate",
    "Gross pay",
    "Gender",
    "Ethnicity",
    "Veteran",
    "Disadvantaged",
    "New hire",
    "Resident (as reported)",
    "Person of color (as reported)",
]


EVALUATION_COLUMNS = [
    "Commitment",
    "Kind",
    "Group",
    "Contractor",
    "Craft",
    "As of",
    "Counted",
    "Out of",
    "Actual %",
    "Target %",
    "Shortfall",
    "Projected %",
    "Status",
    "Liquidated damages",
    "Damages are",
]
SERIES_COLUMNS = [
    "Commitment",
    "Group",
    "Contractor",
    "Craft",
    "Month",
    "Counted",
    "Out of",
    "Percent",
    "Cumulative percent",
]
FLAG_KIND_LABELS = dict(Flag.Kind.choices)
FLAG_STATUS_LABELS = dict(Flag.Status.choices)
FLAG_COLUMNS = [
    "Flag",
    "Kind",
    "Severity",
    "Status",
    "Commitment",
    "Group",
    "Contractor",
    "Craft",
    "Month",
    "Title",
    "Raised",
    "Updated",
    "Resolved",
    "Figures",
]


LEDGER_COLUMNS = [
    "Entry",
    "Contractor",
    "Date",
    "Kind",
    "Commitment",
    "Calculation",
    "Amount",
    "Settles entry",
    "Reference",
    "Note",
]
BALANCE_COLUMNS = [
    "Contractor",
    "Assessed",
    "Settled off",
    "Owed",
    "Paid",
    "Withheld",
    "Collected",
    "Balance outstanding",
]
LEDGER_KIND_LABELS = dict(LedgerEntry.Kind.choices)


def _ledger_sheet(wb: Workbook, *, user, project: Project) -> None:
    """Every ledger entry the user reads, then each contractor's balance and the total, by
    the rule of `LedgerQuerySet.balances` (summed in the database)."""
    entries = access.ledger_entries_for(user).filter(project=project)
    ws = wb.create_sheet("Ledger")
    _header(ws, LEDGER_COLUMNS)
    for row in (
        entries.order_by("assignment__contractor__name", "date", "id")
        .values_list(
            "id",
            "assignment__contractor__name",
            "date",
            "kind",
            "commitment_label",
            "calculation",
            "amount",
            "settles_id",
            "reference",
            "note",
        )
        .iterator(chunk_size=CHUNK)
    ):
        values = list(row)
        values[3] = LEDGER_KIND_LABELS.get(values[3], values[3])
        ws.append(_row(ws, values))
    ws.append([])
    ws.append(_row(ws, BALANCE_COLUMNS))
    fields = ["assessed", "settled_off", "owed", "paid", "withheld", "collected", "balance"]
    for row in entries.balances("assignment__contractor__name").order_by(
        "assignment__contractor__name"
    ):
        ws.append(_row(ws, [row["assignment__contractor__name"], *(row[f] for f in fields)]))
    for row in entries.balances("project"):
        ws.append(_row(ws, ["All contractors", *(row[f] for f in fields)]))


def _naive(value: datetime.datetime | None):
    """Excel has no time zones: local wall-clock time."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None)


def _group(contractor: str | None, craft: str | None) -> str:
    """ "Harbor Line Builders · Laborer", "Whole project": a group as users name it."""
    return " · ".join(part for part in (contractor, craft) if part) or "Whole project"


def _commitment(clause: str | None, title: str | None) -> str:
    return f"{clause or ''} {title}".strip() if title else "Reporting obligation"


def _kind(name: str) -> str:
    return KINDS[name].label if name in KINDS else "Reporting"


def _decimal_or_none(value):
    return None if value is None else Decimal(str(value))


def write_project_workbook(*, user, project: Project, path: str) -> None:
    """Write the project's export for this user to `path` (an .xlsx file)."""
    wb = Workbook(write_only=True)
    evaluations = access.evaluations_for(user).filter(project=project)

    ws = wb.create_sheet("Evaluations")
    _header(ws, EVALUATION_COLUMNS)
    for row in (
        evaluations.order_by("commitment_key", "group_key")
        .values_list(
            "commitment__clause",
            "commitment__title",
            "kind",
            "assignment__contractor__name",
            "craft__name",
            "as_of",
            "numerator",
            "denominator",
            "actual_percent",
            "target_percent",
            "shortfall",
            "projected_percent",
            "status",
            "details__liquidated_damages",
            "details__damages_standing",
            "details__damages_stands_at",
        )
        .iterator(chunk_size=CHUNK)
    ):
        clause, title, kind, contractor, craft, *figures, status, amount, standing, at = row
        ws.append(
            _row(
                ws,
                [
                    _commitment(clause, title),
                    _kind(kind),
                    _group(contractor, craft),
                    contractor,
                    craft,
                    *figures,
                    Status.label(status),
                    _decimal_or_none(amount),
                    ""
                    if amount is None
                    else damages_label({"damages_standing": standing, "damages_stands_at": at}),
                ],
            )
        )

    ws = wb.create_sheet("Monthly series")
    _header(ws, SERIES_COLUMNS)
    for clause, title, contractor, craft, series in (
        evaluations.exclude(kind="reporting")
        .order_by("commitment_key", "group_key")
        .values_list(
            "commitment__clause",
            "commitment__title",
            "assignment__contractor__name",
            "craft__name",
            "series",
        )
        .iterator(chunk_size=500)
    ):
        key, group = _commitment(clause, title), _group(contractor, craft)
        for point in series or []:
            ws.append(
                _row(
                    ws,
                    [
                        key,
                        group,
                        contractor,
                        craft,
                        point.get("month"),
                        _decimal_or_none(point.get("numerator")),
                        _decimal_or_none(point.get("denominator")),
                        _decimal_or_none(point.get("percent")),
                        _decimal_or_none(point.get("cumulative_percent")),
                    ],
                )
            )

    ws = wb.create_sheet("Payroll lines")
    _header(ws, LINE_COLUMNS)
    for line in lines_for_export(user=user, project=project).iterator(chunk_size=CHUNK):
        values = list(line)
        values[0] = values[0].strftime("%Y-%m")
        values[7] = "RA" if values[7] else "J"
        values[18:23] = [_yn(v) for v in values[18:23]]
        ws.append(_row(ws, values))

    ws = wb.create_sheet("Flags")
    _header(ws, FLAG_COLUMNS)
    for row in (
        access.flags_for(user)
        .filter(project=project)
        .order_by("raised_at", "id")
        .values_list(
            "id",
            "kind",
            "severity",
            "status",
            "commitment__clause",
            "commitment__title",
            "assignment__contractor__name",
            "craft__name",
            "month",
            "title",
            "raised_at",
            "updated_at",
            "resolved_at",
            "figures",
        )
        .iterator(chunk_size=CHUNK)
    ):
        values = list(row)
        values[1] = FLAG_KIND_LABELS.get(values[1], values[1])
        values[2] = Severity.LABELS.get(values[2], values[2])
        values[3] = FLAG_STATUS_LABELS.get(values[3], values[3])
        values[4] = _commitment(values[4], values[5]) if values[5] else "—"
        values[5] = _group(values[6], values[7])
        values[8] = values[8].strftime("%Y-%m") if values[8] else None
        values[10:13] = [_naive(v) for v in values[10:13]]
        values[13] = json.dumps(values[13], sort_keys=True, default=str)
        ws.append(_row(ws, values))

    _ledger_sheet(wb, user=user, project=project)

    ws = wb.create_sheet("About")
    for row in [
        ["Project", project.name],
        ["Exported", _naive(timezone.now())],
        ["Exported by", user.get_username()],
        ["Worker names", "Omitted: workers are identified by their contractor's worker ID."],
    ]:
        ws.append(_row(ws, row))
    wb.save(path)
