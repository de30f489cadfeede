"""Data anomalies worth a person's look (SPEC §4), found in the current lines.

- The same worker ID with two (or more) home ZIPs in one month: residency decides the
  targeted-hire figures, so a worker who seems to move mid-month may be miscounted.
- One worker over 60 hours in one week across the project (all crafts together).
- The integrity warnings stored with the report at upload (SPEC §5.5: daily hours that do
  not add up, gross pay below hours × rate, and the rest; see
  compliance/reporting/intake/integrity.py).
- The same hashed worker (eCPR's or New York's keyed hash, the same person at every
  contractor) in two contractors' reports over 60 hours in one week.
Each is reported per contractor and month, listing the workers or lines behind it.

A worker ID belongs to one contractor and a week to one month, so both checks look at one
report (one contractor's month) at a time, and a report version's lines never change: each
current version is checked once, by the first evaluation after its month has ended, and
marked checked. What one version's lines alone can show is found when the version is stored
(`check_version`, issue 17) and kept; that evaluation reads it, and reads lines only for a
version stored without it. One pass over the reports being checked groups their lines by worker;
only the few workers it finds with a second ZIP, a second craft or a line over 60 hours
have their lines looked at month by month or week by week.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, JSONField, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Length

from compliance.evaluation.engine.common import TOTAL, Context, month_label
from compliance.models import PayrollLine, Report, ReportCheck, Worker
from compliance.months import month_start
from compliance.numbers import round2
from projects.models import Assignment

WEEKLY_HOURS_LIMIT = Decimal(60)


@dataclass
class Anomaly:
    """What looks wrong in one contractor's month."""

    assignment_id: int
    month: datetime.date
    two_home_zips: list[dict] = field(default_factory=list)
    over_60_hours: list[dict] = field(default_factory=list)
    integrity: list[dict] = field(default_factory=list)
    shared_over_60: list[dict] = field(default_factory=list)

    def figures(self) -> dict:
        found = {
            "month": month_label(self.month),
            "two_home_zips": self.two_home_zips,
            "over_60_hours": self.over_60_hours,
        }
        if self.integrity:
            found["integrity"] = self.integrity
        if self.shared_over_60:
            found["shared_over_60"] = self.shared_over_60
        return found


@dataclass
class Checked:
    """The anomalies found in the reports checked by this evaluation, and which contractor
    months those reports cover (their flags are reconciled; other months' stay as they are)."""

    anomalies: list[Anomaly]
    months: set[tuple[int, datetime.date]]


def check_new_reports(ctx: Context) -> Checked:
    """Check the current reports not checked yet whose month has ended by the as-of date."""
    ended_before = month_start(ctx.as_of + datetime.timedelta(days=1))
    # Each version with the warnings it was stored with and what its own check found.
    found = ReportCheck.objects.filter(report_id=OuterRef("pk")).values("found")[:1]
    unchecked, warnings, kept = {}, {}, {}
    for pk, assignment_id, period, stored_with, checked in (
        Report.objects.filter(
            assignment__project=ctx.project,
            is_current=True,
            anomalies_checked_at__isnull=True,
            period__lt=ended_before,
        )
        .annotate(found=Subquery(found, output_field=JSONField()))
        .values_list("pk", "assignment_id", "period", "warnings", "found")
    ):
        unchecked[pk] = (assignment_id, period)
        warnings[pk] = stored_with
        if checked is not None:
            kept[pk] = checked
    if not unchecked:
        return Checked(anomalies=[], months=set())
    ctx.reports.update(unchecked)
    lines = PayrollLine.objects.filter(
        project=ctx.project, is_current=True, report_id__in=sorted(unchecked)
    )
    fresh = sorted(set(unchecked) - set(kept))
    anomalies = _merge(
        _kept(ctx, kept),
        _find(ctx, lines.filter(report_id__in=fresh)) if fresh else [],
        _stored_warnings(ctx, warnings),
        _shared_workers(ctx, lines, set(unchecked)),
    )
    Report.objects.filter(pk__in=list(unchecked)).update(anomalies_checked_at=ctx.computed_at)
    return Checked(anomalies=anomalies, months=set(unchecked.values()))


def check_version(report: Report) -> None:
    """Keep what the checks of one version's lines alone find (a worker's two home ZIPs in
    the month, a worker over 60 hours in a week: a worker ID is one contractor's, a week
    ending one month's), made when the version is stored, while its lines are in hand; the
    evaluation that first checks the version reads it (`_kept`) instead of the lines. The
    checks across contractors (a hashed worker shared) wait for that evaluation: the other
    contractors' reports of the month may not be in yet."""
    ctx = Context(
        project=report.assignment.project,
        as_of=report.period,
        computed_at=report.submitted_at,
        assignments={},
        crafts={},
        reports={report.pk: (report.assignment_id, report.period)},
    )
    found = _find(ctx, PayrollLine.objects.filter(report=report))
    figures = {"two_home_zips": [], "over_60_hours": []}
    for item in found:
        figures["two_home_zips"] += item.two_home_zips
        figures["over_60_hours"] += item.over_60_hours
    # Kept once: a version's lines, so its findings, never change.
    ReportCheck.objects.bulk_create(
        [ReportCheck(report=report, found=figures)], ignore_conflicts=True
    )


def _kept(ctx: Context, kept: dict[int, dict]) -> list[Anomaly]:
    """The findings versions were stored with (`check_version`)."""
    found = []
    for report_id, figures in sorted(kept.items()):
        if figures.get("two_home_zips") or figures.get("over_60_hours"):
            assignment_id, month = ctx.reports[report_id]
            found.append(
                Anomaly(
                    assignment_id=assignment_id,
                    month=month,
                    two_home_zips=list(figures.get("two_home_zips", [])),
                    over_60_hours=list(figures.get("over_60_hours", [])),
                )
            )
    return found


def _find(ctx: Context, lines) -> list[Anomaly]:
    # First per worker, over all the reports being checked: the few workers who ever had a
    # second ZIP, a line over 60 hours or a second craft. Then only their lines, per month
    # or week: a worker who always gave one ZIP cannot have had two in a month, and one who
    # kept to one craft has one line a week.
    suspects = list(
        lines.values("worker_id")
        .annotate(
            first_zip=Min("home_zip"),
            last_zip=Max("home_zip"),
            longest=Max("hours"),
            first_craft=Min("craft_id"),
            last_craft=Max("craft_id"),
        )
        .filter(
            Q(first_zip__lt=F("last_zip"))
            | Q(longest__gt=WEEKLY_HOURS_LIMIT)
            | Q(first_craft__lt=F("last_craft"))
        )
        .order_by()
    )
    moved = _moved(lines, [s["worker_id"] for s in suspects if s["first_zip"] < s["last_zip"]])
    busy = _busy_weeks(
        lines,
        [
            s["worker_id"]
            for s in suspects
            if s["longest"] > WEEKLY_HOURS_LIMIT or s["first_craft"] < s["last_craft"]
        ],
    )
    if not moved and not busy:
        return []
    worker_ids = {worker_id for _, worker_id in moved} | {row["worker_id"] for row in busy}
    keys = dict(Worker.objects.filter(pk__in=worker_ids).values_list("pk", "worker_key"))

    found: dict[tuple, Anomaly] = {}

    def anomaly(report_id) -> Anomaly:
        assignment_id, month = ctx.reports[report_id]
        key = (assignment_id, month)
        if key not in found:
            found[key] = Anomaly(assignment_id=assignment_id, month=month)
        return found[key]

    for (report_id, worker_id), zips in moved.items():
        anomaly(report_id).two_home_zips.append({"worker": keys[worker_id], "zips": sorted(zips)})
    for row in busy:
        anomaly(row["report_id"]).over_60_hours.append(
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


def _merge(*groups: list[Anomaly]) -> list[Anomaly]:
    """One anomaly per contractor month, whichever check found it."""
    merged: dict[tuple, Anomaly] = {}
    for group in groups:
        for item in group:
            key = (item.assignment_id, item.month)
            if key not in merged:
                merged[key] = Anomaly(assignment_id=item.assignment_id, month=item.month)
            target = merged[key]
            target.two_home_zips += item.two_home_zips
            target.over_60_hours += item.over_60_hours
            target.integrity += item.integrity
            target.shared_over_60 += item.shared_over_60
    return [merged[key] for key in sorted(merged)]


def _stored_warnings(ctx: Context, stored: dict[int, list]) -> list[Anomaly]:
    """The integrity warnings each report version was stored with (those naming a check),
    by report version."""
    found = []
    for report_id, warnings in sorted(stored.items()):
        checks = [
            {
                "check": w["check"],
                "row": w.get("row"),
                "week_ending": w.get("week", ""),
                "message": w.get("message", ""),
            }
            for w in warnings or []
            if isinstance(w, dict) and w.get("check")
        ]
        if checks:
            assignment_id, month = ctx.reports[report_id]
            found.append(Anomaly(assignment_id=assignment_id, month=month, integrity=checks))
    return found


def _shared_workers(ctx: Context, lines, checking: set[int]) -> list[Anomaly]:
    """Hashed workers of the reports being checked who, in one week, worked for two
    contractors of the project more than 60 hours in all. Only hashed IDs (64 hex
    characters: no template worker ID is that long) name the same person everywhere; the
    project's few hashed workers known to two contractors are found first, so a project
    without any costs one query."""
    by_key = defaultdict(list)
    for pk, key in (
        Worker.objects.annotate(key_length=Length("worker_key"))
        .filter(
            key_length=64,
            contractor_id__in=Assignment.objects.filter(project=ctx.project).values(
                "contractor_id"
            ),
        )
        .values_list("pk", "worker_key")
    ):
        by_key[key].append(pk)
    # A worker is one contractor's: only a key two contractors' workers share can add up
    # hours across contractors.
    hashed = {pk: key for key, pks in by_key.items() if len(pks) > 1 for pk in pks}
    if not hashed:
        return []
    pairs = set(
        lines.filter(worker_id__in=list(hashed))
        .values_list("worker_id", "week_ending")
        .distinct()
        .order_by()
    )
    if not pairs:
        return []
    totals: dict[tuple, Decimal] = defaultdict(Decimal)
    contractors: dict[tuple, set] = defaultdict(set)
    reports: dict[tuple, set] = defaultdict(set)
    for row in (
        PayrollLine.objects.filter(
            project=ctx.project,
            is_current=True,
            worker_id__in=list(hashed),
            week_ending__in={week for _, week in pairs},
        )
        .values("worker_id", "week_ending", "report_id", "assignment__contractor_id")
        .annotate(total=Sum("hours", output_field=TOTAL))
        .order_by()
    ):
        key = (hashed[row["worker_id"]], row["week_ending"])
        totals[key] += row["total"]
        contractors[key].add(row["assignment__contractor_id"])
        reports[key].add(row["report_id"])
    found = []
    for key in sorted({(hashed[worker_id], week) for worker_id, week in pairs}):
        if len(contractors[key]) < 2 or totals[key] <= WEEKLY_HOURS_LIMIT:
            continue
        for report_id in sorted(reports[key] & checking):
            assignment_id, month = ctx.reports[report_id]
            found.append(
                Anomaly(
                    assignment_id=assignment_id,
                    month=month,
                    shared_over_60=[
                        {
                            "worker": key[0],
                            "week_ending": key[1].isoformat(),
                            "hours": str(round2(totals[key])),
                        }
                    ],
                )
            )
    return found


def _moved(lines, worker_ids: list[int]) -> dict[tuple[int, int], set[str]]:
    """The home ZIPs of these workers in each month (report) where they gave more than one."""
    if not worker_ids:
        return {}
    zips = defaultdict(set)
    for row in (
        lines.filter(worker_id__in=worker_ids)
        .values("report_id", "worker_id", "home_zip")
        .distinct()
        .order_by()
    ):
        zips[(row["report_id"], row["worker_id"])].add(row["home_zip"])
    return {key: found for key, found in zips.items() if len(found) > 1}


def _busy_weeks(lines, worker_ids: list[int]) -> list[dict]:
    """The weeks these workers worked over 60 hours, all crafts together."""
    if not worker_ids:
        return []
    return list(
        lines.filter(worker_id__in=worker_ids)
        .values("report_id", "worker_id", "week_ending")
        .annotate(total=Sum("hours", output_field=TOTAL))
        .filter(total__gt=WEEKLY_HOURS_LIMIT)
        .order_by()
    )
