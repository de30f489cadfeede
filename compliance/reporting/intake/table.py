"""What every reader hands the validator: rows of raw values under canonical field names.

Imports nothing of Django: the readers that build a Table run in the parse child
(compliance.reporting.intake.sandbox).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from cba.errors import InvalidInput
from compliance.ssn import mask_ssns


@dataclass
class Table:
    """Rows read from one input, before validation.

    `columns` maps a canonical field (SPEC §5.3) to its position in each row; `headers` to
    the column header as the user wrote it, so errors name what the user sees. A row's
    number is the one the user sees: the Excel row, the JSON line (from 1), the eCPR
    employee (from 1). `rules` replaces a field's rule where a reader knows better (the
    eCPR worker ID is a keyed hash, not a typed ID).
    """

    columns: dict[str, int]
    headers: dict[str, str]
    rows: list[list]
    row_numbers: list[int]
    warnings: list[dict] = field(default_factory=list)
    rules: dict[str, Callable] = field(default_factory=dict)
    # A workbook's Payments sheet (compliance.reporting.intake.payments_sheet), when it has one.
    payments: "Table | None" = None


def refuse(message: str) -> InvalidInput:
    """The whole input refused: one error, about no row in particular."""
    return InvalidInput(message, errors=[problem(row=None, column="", value="", message=message)])


def problem(*, row: int | None, column: str, value, message: str) -> dict:
    """One error or warning as every door shows it: row, column, value given, what to do.

    A full SSN in the value or message is masked: an error never shows one back.
    """
    return {
        "row": row,
        "column": mask_ssns(column),
        "value": display_value(value),
        "message": mask_ssns(message),
    }


def display_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    text = mask_ssns(text)
    return text if len(text) <= 80 else text[:77] + "..."
