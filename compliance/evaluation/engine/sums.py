"""Sums kept per report version (issue 17): an evaluation adds them up, it does not read lines.

Every hours-measured commitment asks the lines for sums of hours, each under a filter its
terms define (the population, the qualifying lines; all hours for a wage floor). Such a sum
is named by its signature, a hash of the filter, so commitments that ask the same share it
and an amended commitment whose terms filter the lines differently asks a new one. Sums are
kept per report version and craft (`ReportSum`): a version's lines never change, so its sums
hold for good and a month is a version's month whatever the as-of date.

They are made when a version is stored (`make_version_sums`, which the intake calls through
the `report_stored` signal, inside the store's transaction, while the version's lines are
fresh in the database's cache: one GROUP BY over that version's lines only). The intake
cannot import the engine, which knows the signatures, so the engine answers the signal; a
version stored another way (the demo generator, a migration) and a signature no version has
yet (terms amended since) are made by the first evaluation that needs them, in one pass over
the lines of the versions lacking them, and kept (`cells`).

An evaluation then reads the kept sums of the current versions, one row per version, craft
and signature, and reads lines only for a version with a week ending after the as-of date
(an evaluation as of a day inside that version's month), where only some of its lines count.
The figures are those of the one pass over the lines they replace, to the cent: both add up
the same per-version, per-craft sums (tests/test_aggregates.py compares the two paths).
"""

import hashlib
from collections import defaultdict
from itertools import islice

from django.db.models import Max, Sum

from compliance.bulk import insert_rows
from compliance.evaluation import kinds
from compliance.evaluation.engine.common import TOTAL, Context, dec
from compliance.models import PayrollLine, Report, ReportSum

ALL_HOURS = "all_hours"
CHUNK = 500


def all_hours() -> Sum:
    return Sum("hours", output_field=TOTAL)


def signature(aggregate: Sum) -> str:
    """The filter a sum puts on the lines, as a short stable key (its text, hashed)."""
    return hashlib.sha1(repr(aggregate).encode(), usedforsecurity=False).hexdigest()


def wanted(commitments, ctx: Context) -> dict[str, Sum]:
    """The sums the commitments (with their terms in force) ask of each version's lines,
    by the name their kind reads them under; all hours always."""
    aggregates = {ALL_HOURS: all_hours()}
    for commitment in commitments:
        aggregates.update(kinds.KINDS[commitment.kind].line_aggregates(commitment, ctx))
    return aggregates


def _by_signature(aggregates: dict[str, Sum]) -> dict[str, Sum]:
    return {signature(aggregate): aggregate for aggregate in aggregates.values()}


def make_sums(report_ids: list[int], aggregates: dict[str, Sum]) -> tuple[dict, list[tuple]]:
    """Make and keep these sums (by signature) for these versions, from their lines: one
    GROUP BY per few hundred versions. Returns each version's last week ending (None for a
    version without lines) and the rows kept, (version, craft, signature, hours). A sum
    another run made meanwhile is left as it is (it is the same)."""
    named = {f"s{i}": (key, aggregate) for i, (key, aggregate) in enumerate(aggregates.items())}
    every_line = signature(all_hours())
    last_weeks: dict[int, object] = dict.fromkeys(report_ids)
    rows, totals = [], defaultdict(dict)
    ids = iter(sorted(report_ids))
    while chunk := list(islice(ids, CHUNK)):
        cells = (
            PayrollLine.objects.filter(report_id__in=chunk)
            .values("report_id", "craft_id")
            .annotate(last_week=Max("week_ending"), **{n: a for n, (_, a) in named.items()})
            .order_by()
        )
        for cell in cells:
            report_id, last_week = cell["report_id"], cell["last_week"]
            if last_weeks[report_id] is None or last_week > last_weeks[report_id]:
                last_weeks[report_id] = last_week
            for name, (key, _) in named.items():
                value = cell[name]
                # Every cell keeps its all-hours row (it says the craft has lines); a zero
                # sum of another signature is left out: nothing to add.
                if value or key == every_line:
                    rows.append((report_id, cell["craft_id"], key, dec(value)))
                    total = totals[report_id]
                    total[key] = total.get(key, dec(None)) + dec(value)
    made = [(*row, None) for row in rows]
    for report_id in report_ids:
        for key in aggregates:
            made.append(
                (report_id, None, key, totals[report_id].get(key, dec(None)), last_weeks[report_id])
            )
    insert_rows(
        ReportSum,
        ("report_id", "craft_id", "signature", "hours", "last_week"),
        made,
        ignore_conflicts=True,
    )
    return last_weeks, rows


def make_version_sums(report: Report, commitments, ctx: Context) -> None:
    """The sums the project's commitments (their latest terms) ask of a version just
    stored; the signal's receiver calls it with the version's project loaded."""
    make_sums([report.pk], _by_signature(wanted(commitments, ctx)))


def cells(ctx: Context, aggregates: dict[str, Sum]) -> list[dict]:
    """Totals by current version (so contractor and month) and craft, one entry per name of
    `aggregates`, as the one pass over the lines made them; from the kept sums (one query
    reading the current versions' rows of the signatures asked)."""
    keys = {name: signature(aggregate) for name, aggregate in aggregates.items()}
    by_key = {key: aggregates[name] for name, key in keys.items()}
    reports = {
        pk: (assignment_id, period)
        for pk, assignment_id, period in ctx.current_reports().values_list(
            "pk", "assignment_id", "period"
        )
    }
    ctx.reports.update(reports)
    # The kept rows as they are, one per version, craft and signature: turned into one entry
    # per version and craft here, by dictionary, rather than pivoted by the database (a
    # filtered sum per signature over every row costs it more than the rows cost to read).
    # Some contractors' versions by id, not by a subquery: the database then reads their
    # rows through the index instead of every row of the table (for all of them it must).
    versions = sorted(reports) if ctx.assignment_ids is not None else ctx.current_reports()
    kept = ReportSum.objects.filter(report_id__in=versions, signature__in=by_key).values_list(
        "report_id", "craft_id", "signature", "hours", "last_week"
    )
    last_weeks: dict[int, object] = {}
    made: dict[int, set] = defaultdict(set)
    sums: dict[tuple, dict] = {}
    for report_id, craft_id, key, hours, last_week in kept:
        if craft_id is None:
            made[report_id].add(key)
            last_weeks[report_id] = last_week
        else:
            entry = sums.get((report_id, craft_id))
            if entry is None:
                entry = sums[(report_id, craft_id)] = {}
            entry[key] = hours
    lacking = defaultdict(list)
    for report_id in ctx.reports:
        missing = frozenset(by_key.keys() - made.get(report_id, set()))
        if missing:
            lacking[missing].append(report_id)
    for missing, report_ids in lacking.items():
        made_now, rows = make_sums(report_ids, {key: by_key[key] for key in missing})
        last_weeks.update(made_now)
        for report_id, craft_id, key, hours in rows:
            sums.setdefault((report_id, craft_id), {})[key] = hours
    # A version with weeks after the as-of date counts only some of its lines: read them.
    partial = sorted(r for r, last in last_weeks.items() if last is not None and last > ctx.as_of)
    skipped = set(partial)
    every_line = keys[ALL_HOURS]
    found = []
    for (report_id, craft_id), values in sums.items():
        if report_id in skipped or values.get(every_line) is None:
            continue
        if report_id in ctx.reports and last_weeks.get(report_id) is not None:
            cell = {"report_id": report_id, "craft_id": craft_id}
            for name, key in keys.items():
                cell[name] = values.get(key)
            found.append(cell)
    if partial:
        found += list(
            ctx.lines()
            .filter(report_id__in=partial)
            .values("report_id", "craft_id")
            .annotate(**aggregates)
            .order_by()
        )
    return found
