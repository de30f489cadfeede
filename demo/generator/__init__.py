"""Realistic payroll data, written straight into the database, for the demo, tests and benchmark.

A project here looks like a Los Angeles public-works job: seven building trades, workers who
live in ~80 ZIP codes of the region (20 of them a targeted, economically disadvantaged area),
15-25% registered apprentices at levels 1-5, pay around the prevailing wage with a small
share of lines below the project's wage floor, overtime at 1.5x and double time at 2x.
Each contractor keeps a stable crew that turns over slowly, so the same worker IDs recur
month after month. Everything is drawn from `random.Random` seeded with strings, so the same
seed gives the same data on every machine.

- `build_project` sets up a project with every kind of commitment and N contractors.
- `payroll_rows` yields one month of one contractor's lines in the intake's field names.
- `write_lines` writes current reports and their lines for a whole project, fast: workers
  and reports in bulk, lines by COPY on PostgreSQL and by one executemany per 5,000 lines
  elsewhere (no model instance per line).
"""

from compliance.months import add_months
from demo.generator.payroll import (
    Profile,
    contractor_profile,
    month_index,
    payroll_rows,
    saturdays,
)
from demo.generator.project import build_project
from demo.generator.reference import (
    CRAFT_SCALE,
    LA_CITY_ZIPS,
    OTHER_ZIPS,
    TARGETED_ZIPS,
    ensure_crafts,
)
from demo.generator.writer import write_lines

__all__ = [
    "CRAFT_SCALE",
    "LA_CITY_ZIPS",
    "OTHER_ZIPS",
    "TARGETED_ZIPS",
    "Profile",
    "add_months",
    "build_project",
    "contractor_profile",
    "ensure_crafts",
    "month_index",
    "payroll_rows",
    "saturdays",
    "write_lines",
]
