"""Reads the API's JSON lines (SPEC §5.3) into a Table: the same fields, in snake_case."""

from django.conf import settings

from cba.errors import InvalidInput
from compliance.reporting.intake.fields import FIELDS
from compliance.reporting.intake.table import Table, problem, refuse


class Unreadable:
    """A JSON list or object where one value belongs: hashable, and refused by every rule."""

    __slots__ = ("text",)

    def __init__(self, value):
        self.text = str(value)[:80]

    def __str__(self) -> str:
        return self.text


def read_lines(lines) -> Table:
    if not isinstance(lines, list):
        raise refuse("“lines” must be a list of objects, one per worker, week and craft.")
    if not lines:
        raise refuse(
            "“lines” is empty. Send one object per worker, week and craft, or "
            '{"period": "YYYY-MM", "no_work": true} for a month without work.'
        )
    if len(lines) > settings.UPLOAD_MAX_ROWS:
        raise refuse(
            f"{len(lines):,} lines; a month's report may have at most "
            f"{settings.UPLOAD_MAX_ROWS:,}. Check that only one month's lines are sent."
        )
    rows = []
    unknown: dict[str, int] = {}
    errors = []
    for number, line in enumerate(lines, start=1):
        if not isinstance(line, dict):
            errors.append(
                problem(
                    row=number,
                    column="",
                    value=line,
                    message="Each line must be an object such as "
                    '{"worker_id": "E1001", "craft": "Carpenter", ...}.',
                )
            )
            rows.append([None] * len(FIELDS))
            continue
        for key in line:
            if key not in FIELDS and key not in unknown:
                unknown[key] = number
        rows.append([hashable(line.get(name)) for name in FIELDS])
    if errors:
        raise InvalidInput("Some lines are not objects; nothing was stored.", errors=errors)
    warnings = [
        problem(
            row=number,
            column=key,
            value="",
            message=f"“{key}” is not a field we use; it was ignored.",
        )
        for key, number in unknown.items()
    ]
    return Table(
        columns={name: i for i, name in enumerate(FIELDS)},
        headers={name: name for name in FIELDS},
        rows=rows,
        row_numbers=list(range(1, len(rows) + 1)),
        warnings=warnings,
    )


def hashable(value):
    if isinstance(value, list | dict):
        return Unreadable(value)
    return value
