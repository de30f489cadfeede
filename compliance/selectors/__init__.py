"""Reads behind the coalition workspace: the portfolio dashboard, the project page, the flags.

Each page is a fixed handful of queries whatever the number of projects, contractors,
months or flags (SPEC §9): evaluations are aggregated in the database, and the large JSON
columns (`series`, `details`) are read only for the rows a page draws.
"""

from compliance.selectors.flags import (
    AGES,
    FLAG_SORTS,
    STATUS_FILTERS,
    flag_filter_choices,
    flag_page,
    flag_queue,
)
from compliance.selectors.portfolio import DASHBOARD_SORTS, portfolio
from compliance.selectors.project import project_page

__all__ = [
    "AGES",
    "DASHBOARD_SORTS",
    "FLAG_SORTS",
    "STATUS_FILTERS",
    "flag_filter_choices",
    "flag_page",
    "flag_queue",
    "portfolio",
    "project_page",
]
