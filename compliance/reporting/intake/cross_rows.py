"""The rules across rows (SPEC §5.1), after each cell passed its own: one line per (worker,
week ending, craft), and at most 100 hours per worker per week, all crafts together."""

import datetime
from collections import Counter
from decimal import Decimal

from django.utils.translation import gettext as _

from compliance.reporting.intake.fields import COLUMN_BY_FIELD, COLUMNS
from compliance.reporting.intake.table import problem

MAX_WEEKLY_HOURS = Decimal(100)


class CrossRows:
    """The rules across rows (SPEC §5.1): one line per (worker, week ending, craft), and at
    most 100 hours per worker per week, all crafts together. Rows whose worker, week or
    craft failed their own rule are left out of these checks."""

    def __init__(self, table, converted, raw, hours, failed_fields, errors):
        self.table = table
        self.numbers = table.row_numbers
        self.workers = converted["worker_id"]
        self.weeks = converted["week_ending"]
        self.crafts = converted["craft"]
        self.raw_crafts = raw["craft"]
        self.hours = hours
        self.errors = errors
        self.clean = not failed_fields & {"worker_id", "week_ending", "craft"}
        fields = [c.field for c in COLUMNS]
        self.craft_order = fields.index("craft")
        self.hours_order = fields.index("straight_hours")

    def header(self, field: str) -> str:
        return self.table.headers.get(field, COLUMN_BY_FIELD[field].header)

    def usable(self, index: int) -> bool:
        return (
            self.workers[index].__class__ is str
            and self.weeks[index].__class__ is datetime.date
            and self.crafts[index].__class__ is int
        )

    def check(self) -> None:
        keys = list(zip(self.workers, self.weeks, self.crafts, strict=True))
        if not self.clean or len(set(keys)) < len(keys):
            self.report_duplicates(keys)
        pairs = list(zip(self.workers, self.weeks, strict=True))
        # Most workers have one line a week: only weeks with several lines need adding up.
        shared = {pair for pair, lines in Counter(pairs).items() if lines > 1}
        weekly: dict = {}
        for pair, total in zip(pairs, self.hours, strict=True):
            if total is not None and (pair in shared or total > MAX_WEEKLY_HOURS):
                weekly[pair] = weekly.get(pair, 0) + total
        over = {pair for pair, total in weekly.items() if total > MAX_WEEKLY_HOURS}
        if not self.clean:
            over = {pair for pair in over if pair[0].__class__ is str}
            over = {pair for pair in over if pair[1].__class__ is datetime.date}
        if over:
            self.report_long_weeks(over, weekly)

    def report_duplicates(self, keys: list[tuple]) -> None:
        first_row: dict[tuple, int] = {}
        for index, key in enumerate(keys):
            if not self.clean and not self.usable(index):
                continue
            if key not in first_row:
                first_row[key] = index
                continue
            worker, week, _craft = key
            self.errors.add(
                index,
                self.craft_order,
                problem(
                    row=self.numbers[index],
                    column=self.header("craft"),
                    value=self.raw_crafts[index],
                    message=_(
                        "Worker {worker} already has a line for the week ending {week} in "
                        "this craft (row {row}). Put the week's hours on one line and delete "
                        "the other."
                    ).format(
                        worker=worker, week=f"{week:%m/%d/%Y}", row=self.numbers[first_row[key]]
                    ),
                ),
            )

    def report_long_weeks(self, over: set, weekly: dict) -> None:
        running: dict = {}
        reported = set()
        for index, pair in enumerate(zip(self.workers, self.weeks, strict=True)):
            total = self.hours[index]
            if pair not in over or pair in reported or total is None:
                continue
            running[pair] = running.get(pair, 0) + total
            if running[pair] > MAX_WEEKLY_HOURS:
                reported.add(pair)
                worker, week = pair
                self.errors.add(
                    index,
                    self.hours_order,
                    problem(
                        row=self.numbers[index],
                        column=self.header("straight_hours"),
                        value=str(weekly[pair]),
                        message=_(
                            "Worker {worker} has {hours} hours in the week ending {week}, all "
                            "crafts together; at most {limit} are possible. Check this "
                            "worker's hours and week endings."
                        ).format(
                            worker=worker,
                            hours=weekly[pair],
                            week=f"{week:%m/%d/%Y}",
                            limit=MAX_WEEKLY_HOURS,
                        ),
                    ),
                )
