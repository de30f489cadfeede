"""Data anomalies worth a person's look (SPEC §4), found in the current lines.

- The same worker ID with two (or more) home ZIPs in one month: residency decides the
  targeted-hire figures, so a worker who seems to move mid-month may be miscounted.
- One worker over 60 hours in one week across the project (all crafts together).
Each is reported per contractor and month, listing the workers behind it.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Max, Min, Sum

from compliance.engine.common import TOTAL, Context, as_month, month_label, month_of
from compliance.models import Worker
from compliance.numbers import round2

WEEKLY_HOURS_LIMIT = Decimal(60)


@dataclass
class Anomaly:
    """What looks wrong in one contractor's month."""

    assignment_id: int
    month: datetime.date
    two_home_zips: list[dict] = field(default_factory=list)
    over_60_hours: list[dict] = field(default_factory=list)

    def figures(self) -> dict:
        return {
            "month": month_label(self.month),
            "two_home_zips": self.two_home_zips,
            "over_60_hours": self.over_60_hours,
        }


def find_anomalies(ctx: Context) -> list[Anomaly]:
    lines = ctx.lines()
    found: dict[tuple[int, datetime.date], Anomaly] = {}

    def anomaly(assignment_id, month) -> Anomaly:
        key = (assignment_id, month)
        if key not in found:
            found[key] = Anomaly(assignment_id=assignment_id, month=month)
        return found[key]

    moved = list(
        lines.values("assignment_id", "worker_id", month=month_of())
        .annotate(first_zip=Min("home_zip"), last_zip=Max("home_zip"))
        .filter(first_zip__lt=F("last_zip"))
        .order_by()
    )
    busy = list(
        lines.values("assignment_id", "worker_id", "week_ending")
        .annotate(total=Sum("hours", output_field=TOTAL))
        .filter(total__gt=WEEKLY_HOURS_LIMIT)
        .order_by()
    )
    if not moved and not busy:
        return []
    worker_ids = {row["worker_id"] for row in moved} | {row["worker_id"] for row in busy}
    keys = dict(Worker.objects.filter(pk__in=worker_ids).values_list("pk", "worker_key"))
    zips: dict[tuple[int, datetime.date], set[str]] = defaultdict(set)
    if moved:
        for row in (
            lines.filter(worker_id__in={row["worker_id"] for row in moved})
            .values("worker_id", "home_zip", month=month_of())
            .distinct()
            .order_by()
        ):
            zips[(row["worker_id"], as_month(row["month"]))].add(row["home_zip"])
    for row in moved:
        month = as_month(row["month"])
        anomaly(row["assignment_id"], month).two_home_zips.append(
            {"worker": keys[row["worker_id"]], "zips": sorted(zips[(row["worker_id"], month)])}
        )
    for row in busy:
        anomaly(row["assignment_id"], row["week_ending"].replace(day=1)).over_60_hours.append(
            {
                "worker": keys[row["worker_id"]],
                "week_ending": row["week_ending"].isoformat(),
                "hours": str(round2(row["total"])),
            }
        )
    for item in found.values():
        item.two_home_zips.sort(key=lambda w: w["worker"])
        item.over_60_hours.sort(key=lambda w: (w["week_ending"], w["worker"]))
    return [found[key] for key in sorted(found)]
