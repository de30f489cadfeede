"""What every reader hands the validator: rows of raw values under canonical field names."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field


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


def problem(*, row: int | None, column: str, value, message: str) -> dict:
    """One error or warning as every door shows it: row, column, value given, what to do."""
    return {"row": row, "column": column, "value": display_value(value), "message": message}


def display_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."
