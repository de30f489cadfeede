"""A report's payments to subcontractors (SPEC §3.7): checked like its lines, stored with its
version.

Each payment needs a date in the report's month, an amount above 0 dollars, and a
subcontractor: one under the filing contractor on the project (`access.payees_of`), named
by its slug or its name (case and spaces ignored). Every error is listed with its row,
column, the value given and what to do; with any error, nothing of the report is stored
(`report_submit` refuses it whole).
"""

import datetime
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from compliance.formatting import long_month, money
from compliance.models import Payment, Report
from compliance.reporting.intake.payments_sheet import PAYMENT_COLUMNS, payment_column
from compliance.reporting.intake.table import Table, problem
from compliance.reporting.intake.validate import (
    EXCEL_EPOCH,
    Problem,
    is_blank,
    parse_date_text,
    to_decimal,
)
from projects import access
from projects.models import Assignment

LARGEST_PAYMENT = Decimal(10**12)


class ValidatedPayment(NamedTuple):
    row_number: int
    date: datetime.date
    subcontractor_id: int
    amount: Decimal


def _key(text) -> str:
    return "".join(str(text).split()).casefold()


def subcontractors_of(assignment: Assignment) -> tuple[dict[str, int], list[str]]:
    """The firms the assignment may report paying (`access.payees_of`: its subcontractors),
    by slug and by name (case and spaces ignored), and their names in order."""
    found, names = {}, []
    payees = access.payees_of(assignment).values_list("pk", "contractor__slug", "contractor__name")
    for pk, slug, name in payees.order_by("contractor__name"):
        found[_key(slug)] = pk
        found.setdefault(_key(name), pk)
        names.append(name)
    return found, names


def _date_rule(period: datetime.date):
    month = long_month(period)

    def convert(raw):
        if is_blank(raw):
            return Problem(
                _("Required: enter the day the payment was made, a date in %(month)s.")
                % {"month": month}
            )
        day = None
        if isinstance(raw, datetime.datetime):
            day = raw.date()
        elif isinstance(raw, datetime.date):
            day = raw
        elif isinstance(raw, int | float) and not isinstance(raw, bool) and 1 <= raw < 2958466:
            day = EXCEL_EPOCH + datetime.timedelta(days=int(raw))
        elif isinstance(raw, str):
            day = parse_date_text(raw.strip())
        if day is None:
            return Problem(
                _("Not a date. Enter a date such as %(us)s or %(iso)s.")
                % {"us": f"{period:%m}/15/{period:%Y}", "iso": f"{period:%Y-%m}-15"}
            )
        if (day.year, day.month) != (period.year, period.month):
            return Problem(
                _(
                    "%(day)s is not in %(month)s, the month of this report. Report a payment in "
                    "the report of the month it was made."
                )
                % {"day": f"{day:%m/%d/%Y}", "month": month}
            )
        return day

    return convert


def _amount(raw):
    if is_blank(raw):
        return Problem(_("Required: enter the dollars paid, e.g. 100000.00."))
    if isinstance(raw, bool):
        return Problem(_("This is not an amount. Enter dollars and cents, e.g. 100000.00."))
    value = to_decimal(raw) if isinstance(raw, str | int | float | Decimal) else Problem("")
    if value.__class__ is Problem:
        return Problem(_("This is not an amount. Enter dollars and cents, e.g. 100000.00."))
    if value <= 0:
        return Problem(_("Must be more than 0. Enter the dollars paid to the subcontractor."))
    if value >= LARGEST_PAYMENT:
        return Problem(_("This amount is too large. Check the number (dollars, not cents)."))
    return value


def _subcontractor_rule(assignment: Assignment):
    known, names = subcontractors_of(assignment)
    listing = ", ".join(names) or _(
        "none recorded yet: ask the program administrator to add your subcontractors"
    )

    def convert(raw):
        if is_blank(raw):
            return Problem(
                _("Required: enter the subcontractor paid, one of: %(names)s.") % {"names": listing}
            )
        if _key(raw) not in known:
            return Problem(
                _("Not one of your subcontractors on this project. Use one of: %(names)s.")
                % {"names": listing}
            )
        return known[_key(raw)]

    return convert


def validate_payments(
    table: Table, *, assignment: Assignment, period: datetime.date
) -> tuple[list[ValidatedPayment], list[dict]]:
    """Every payment checked: (the payments, []) or ([], every error found)."""
    rules = {
        "date": _date_rule(period),
        "subcontractor": _subcontractor_rule(assignment),
        "amount": _amount,
    }
    payments, errors = [], []
    for number, row in zip(table.row_numbers, table.rows, strict=True):
        values = {}
        for column in PAYMENT_COLUMNS:
            raw = row[table.columns[column.field]]
            value = rules[column.field](raw)
            if value.__class__ is Problem:
                errors.append(
                    problem(
                        row=number,
                        column=table.headers.get(column.field, payment_column(column.field)),
                        value=raw,
                        message=value.message,
                    )
                )
            values[column.field] = value
        if not errors:
            payments.append(
                ValidatedPayment(number, values["date"], values["subcontractor"], values["amount"])
            )
    return ([], errors) if errors else (payments, [])


def insert_payments(report: Report, payments: list[ValidatedPayment]) -> None:
    Payment.objects.bulk_create(
        Payment(
            report=report,
            project_id=report.assignment.project_id,
            payer_id=report.assignment_id,
            subcontractor_id=payment.subcontractor_id,
            row_number=payment.row_number,
            date=payment.date,
            amount=payment.amount,
        )
        for payment in payments
    )


def retire_payments(report: Report) -> None:
    """A version that is no longer current: its payments stop counting."""
    Payment.objects.filter(report=report).update(is_current=False)


def copy_payments(*, source: Report, target: Report) -> None:
    """`source`'s payments copied to `target` (a restore, an eCPR week), current."""
    columns = ["project_id", "payer_id", "subcontractor_id", "row_number", "date", "amount"]
    quote = connection.ops.quote_name
    table = quote(Payment._meta.db_table)
    listed = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({quote('report_id')}, {quote('is_current')}, {listed}) "  # noqa: S608
            f"SELECT %s, %s, {listed} FROM {table} WHERE {quote('report_id')} = %s "
            f"ORDER BY {quote('id')}",
            [target.pk, True, source.pk],
        )


def payments_summary(count: int, total: Decimal) -> str:
    """ "3 payments to subcontractors, $1,000,000.00" """
    return ngettext(
        "{count} payment to subcontractors, {total}",
        "{count} payments to subcontractors, {total}",
        count,
    ).format(count=f"{count:,}", total=money(total))
