"""The `Payments` sheet of a workbook, and the `payments` list of a JSON report, read into a
Table (SPEC §3.7, §7.3): what a prime paid each subcontractor this month.

Runs in the parse child too (compliance.reporting.intake.sandbox): it imports nothing of
Django. The checks (a date in the report's month, an amount above 0, a subcontractor of the
project) are compliance.reporting.intake.payments'.
"""

import io

from python_calamine import CalamineError, CalamineWorkbook

from cba.errors import InvalidInput
from compliance.reporting.intake.fields import Column, normalize_header
from compliance.reporting.intake.table import Table, problem, refuse

SHEET = "Payments"
# The sheet's name in each language's template; either is read.
SHEET_NAMES = {"en": SHEET, "es": "Pagos"}
# Payments a month's report may list: more is a sheet filled with something else.
MAX_PAYMENTS = 5000
HEADER_SEARCH_ROWS = 20

PAYMENT_COLUMNS: tuple[Column, ...] = (
    Column(
        "date",
        "Date",
        True,
        "The day the payment was made, a date in the report's month (e.g. 5/15/2026).",
        ("Payment Date", "Date Paid"),
        12,
        "Fecha",
        ("Fecha de pago",),
    ),
    Column(
        "subcontractor",
        "Subcontractor",
        True,
        "The subcontractor paid, by its name as listed on the Lists sheet.",
        ("Subcontractor Name", "Paid To", "Payee"),
        32,
        "Subcontratista",
        ("Pagado a",),
    ),
    Column(
        "amount",
        "Amount",
        True,
        "Dollars paid, above 0 (e.g. 100000.00).",
        ("Amount Paid", "Payment", "Dollars"),
        14,
        "Monto",
        ("Importe", "Monto pagado"),
    ),
)
PAYMENT_FIELDS = tuple(c.field for c in PAYMENT_COLUMNS)
PAYMENT_HEADER_TO_FIELD = {
    normalize_header(name): c.field
    for c in PAYMENT_COLUMNS
    for name in (c.header, c.field, *c.aliases, c.spanish, *c.spanish_aliases)
}


def payment_column(field: str) -> str:
    """The name an error gives a payment column: "Payments: Amount"."""
    header = next(c.header for c in PAYMENT_COLUMNS if c.field == field)
    return f"{SHEET}: {header}"


def read_payments_sheet(content: bytes) -> Table | None:
    """The workbook's Payments sheet as a Table (row numbers as Excel shows them), or None
    when the workbook has no such sheet or it lists no payment."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        known = {n.casefold() for n in SHEET_NAMES.values()}
        name = next((n for n in workbook.sheet_names if n.strip().casefold() in known), None)
        if name is None:
            return None
        sheet = workbook.get_sheet_by_name(name)
        if sheet.end is None:
            return None
        if sheet.end[0] + 1 > MAX_PAYMENTS + HEADER_SEARCH_ROWS:
            raise too_many_payments(sheet.end[0] + 1)
        rows = sheet.to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError, UnicodeDecodeError):
        raise refuse(
            "The Payments sheet could not be read. Open the workbook in Excel, save it again "
            "as .xlsx and upload it."
        ) from None
    header_index = next(
        (
            i
            for i, row in enumerate(rows[:HEADER_SEARCH_ROWS])
            if sum(1 for cell in row if normalize_header(cell) in PAYMENT_HEADER_TO_FIELD) >= 2
        ),
        None,
    )
    if header_index is None:
        if any(cell != "" for row in rows for cell in row):
            raise refuse(
                "The Payments sheet has no header row with Date, Subcontractor and Amount. "
                "Copy your payments into the Payments sheet of the project's template."
            )
        return None
    columns, headers = {}, {}
    for index, cell in enumerate(rows[header_index]):
        field = PAYMENT_HEADER_TO_FIELD.get(normalize_header(cell)) if cell != "" else None
        if field is not None and field not in columns:
            columns[field] = index
            headers[field] = f"{SHEET}: {str(cell).strip()}"
    missing = [c for c in PAYMENT_COLUMNS if c.field not in columns]
    if missing:
        raise InvalidInput(
            "The header row of the Payments sheet needs fixing; nothing was stored.",
            errors=[
                problem(
                    row=header_index + 1,
                    column=payment_column(c.field),
                    value="",
                    message=f"The Payments sheet needs a “{c.header}” column. Add it to the "
                    "header row, or copy your payments into the project's template.",
                )
                for c in missing
            ],
        )
    data, numbers = [], []
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        if any(cell != "" for cell in row):
            data.append([row[columns[f]] if columns[f] < len(row) else "" for f in PAYMENT_FIELDS])
            numbers.append(index + 1)
    if not data:
        return None
    if len(data) > MAX_PAYMENTS:
        raise too_many_payments(len(data))
    return Table(
        columns={f: i for i, f in enumerate(PAYMENT_FIELDS)},
        headers=headers,
        rows=data,
        row_numbers=numbers,
    )


def read_payments_json(payments) -> Table:
    """The JSON `payments` list as a Table; row numbers count from 1."""
    if not isinstance(payments, list):
        raise refuse(
            "“payments” must be a list of objects such as "
            '{"date": "2026-05-15", "subcontractor": "slug", "amount": "100000.00"}.'
        )
    if len(payments) > MAX_PAYMENTS:
        raise too_many_payments(len(payments))
    errors, rows = [], []
    for number, payment in enumerate(payments, start=1):
        if not isinstance(payment, dict):
            errors.append(
                problem(
                    row=number,
                    column="payments",
                    value=payment,
                    message="Each payment must be an object such as "
                    '{"date": "2026-05-15", "subcontractor": "slug", "amount": "100000.00"}.',
                )
            )
            continue
        errors += [
            problem(
                row=number,
                column=f"payments.{key}",
                value=payment[key],
                message=f"“{key}” is not a field of a payment: use date, subcontractor, amount.",
            )
            for key in payment
            if key not in PAYMENT_FIELDS
        ]
        rows.append([_plain(payment.get(name)) for name in PAYMENT_FIELDS])
    if errors:
        raise InvalidInput("Some payments need fixing; nothing was stored.", errors=errors)
    return Table(
        columns={f: i for i, f in enumerate(PAYMENT_FIELDS)},
        headers={f: f"payments.{f}" for f in PAYMENT_FIELDS},
        rows=rows,
        row_numbers=list(range(1, len(rows) + 1)),
    )


def _plain(value):
    """A JSON list or object where one value belongs is kept as text, and refused as such."""
    return str(value)[:80] if isinstance(value, list | dict) else value


def too_many_payments(count: int) -> InvalidInput:
    return refuse(
        f"{count:,} payments; a month's report may list at most {MAX_PAYMENTS:,}. "
        "Check that only this month's payments to subcontractors are listed."
    )
