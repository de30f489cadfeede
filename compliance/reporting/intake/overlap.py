"""The same worker in two contractors' reports over 60 hours in one week (SPEC §5.5).

Only the XML doors give a worker ID that means the same person at every contractor: a
keyed hash of the SSN (eCPR) or of the name and last four digits (New York). A template's
worker ID is the contractor's own employee number, which another contractor may reuse for
someone else, so it is not compared. At upload, the file's hashed workers are looked up in
the other contractors' current lines of the project for the same weeks; the engine checks
the same after (compliance/evaluation/engine/anomalies.py). The warning never names the
other contractor: a contractor reads no other company's name.
"""

import re
from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from compliance.models import PayrollLine
from compliance.reporting.intake.integrity import SHARED_WORKER, warning
from projects.models import Assignment

HASHED = re.compile(r"[0-9a-f]{64}")
WEEKLY_HOURS_LIMIT = Decimal(60)


def is_hashed(worker_key: str) -> bool:
    return bool(HASHED.fullmatch(worker_key))


def shared_worker_warnings(*, assignment: Assignment, lines: list) -> list[dict]:
    """A warning for each hashed worker and week whose hours here and at another contractor
    of the project add up to more than 60."""
    mine: dict[tuple, Decimal] = defaultdict(Decimal)
    first_row: dict[tuple, int] = {}
    for line in lines:
        if is_hashed(line.worker_key):
            key = (line.worker_key, line.week_ending)
            mine[key] += line.hours
            first_row.setdefault(key, line.row_number)
    if not mine:
        return []
    others = (
        PayrollLine.objects.filter(
            project_id=assignment.project_id,
            is_current=True,
            week_ending__in={week for _, week in mine},
            worker__worker_key__in={worker for worker, _ in mine},
        )
        .exclude(assignment__contractor_id=assignment.contractor_id)
        .values("worker__worker_key", "week_ending")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    found = []
    for row in others:
        key = (row["worker__worker_key"], row["week_ending"])
        combined = mine[key] + row["total"]
        if combined > WEEKLY_HOURS_LIMIT:
            found.append(
                warning(
                    SHARED_WORKER,
                    row=first_row[key],
                    column="worker",
                    value=_("%(hours)s hours") % {"hours": f"{combined:f}"},
                    week=key[1],
                    message=_(
                        "This worker is also in another contractor's report for the week ending "
                        "%(week)s: %(hours)s hours in all, over %(limit)s in one week. Check the "
                        "worker's hours and identity."
                    )
                    % {
                        "week": f"{key[1]:%m/%d/%Y}",
                        "hours": f"{combined:f}",
                        "limit": WEEKLY_HOURS_LIMIT,
                    },
                )
            )
    found.sort(key=lambda w: w["row"])
    return found
