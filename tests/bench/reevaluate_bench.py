"""Bench `reevaluate` (SPEC §9, issue 17): a re-evaluation after one new report.

The project of bench `evaluate` (40 contractors, 60 months, every kind of commitment scoped
per contractor and craft), its versions keeping their sums, is evaluated once; then one
contractor amends its last month through the intake (`report_submit`, which keeps the new
version's sums), and the operation timed is the evaluation that follows: every commitment
for every group, the new version's data-anomaly check, results stored and flags reconciled.
The results of the other contractors, whose reports did not change, are kept as stored
(`engine.inputs`); stderr adds, for comparison, the same evaluation measuring every group.
The floor is bench `evaluate`'s: one hand-written GROUP BY over the same current lines.
"""

import sys

from django_q.conf import Conf

from compliance.models import Report
from compliance.pipeline import evaluate_project
from compliance.reporting.intake.store import report_submit
from demo.generator import payroll_rows
from tests.bench import timed
from tests.bench.evaluate_bench import floor_query, stored

DEFAULT_LINES = 1_000_000


def run(*, lines: int) -> dict:
    project = stored(lines=lines, slug="bench-again")
    evaluate_project(project, project.end_date)
    last = Report.objects.filter(assignment__project=project, is_current=True).latest("period")
    size = max(last.line_count, 1)
    synchronous, Conf.SYNC = Conf.SYNC, False  # the evaluation the upload queues is timed below
    try:
        submitted, result = timed(
            lambda: report_submit(
                assignment=last.assignment,
                period=last.period,
                rows=list(
                    payroll_rows(
                        project=project,
                        assignment=last.assignment,
                        period=last.period,
                        lines=size,
                        seed=2,
                    )
                ),
                source=Report.Source.API,
            )
        )
    finally:
        Conf.SYNC = synchronous
    assert result.report.is_current and result.report.version == last.version + 1
    floor_query(project)
    floor_seconds, _ = timed(lambda: floor_query(project))
    # The tasks it queues (alerts, the public figures) run in a worker, apart from it.
    synchronous, Conf.SYNC = Conf.SYNC, False
    try:
        seconds, _ = timed(lambda: evaluate_project(project, project.end_date))
        # The same evaluation measuring every group again, for comparison.
        everything, _ = timed(lambda: evaluate_project(project, project.end_date, reuse=False))
    finally:
        Conf.SYNC = synchronous
    print(
        f"reevaluate: a new version of {result.report.line_count} lines stored in "
        f"{submitted:.2f} s; the evaluation after it took {seconds:.3f} s (measuring "
        f"that contractor's groups again), floor {floor_seconds:.3f} s; measuring every "
        f"group again took {everything:.3f} s.",
        file=sys.stderr,
    )
    return {"seconds": seconds, "floor_seconds": floor_seconds}
