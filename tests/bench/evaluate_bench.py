"""Bench `evaluate` (SPEC §9): a full evaluation of one project against its floor.

The project has 40 contractors, 60 months and every kind of commitment, scoped per
contractor and craft (`demo.generator.build_project`); `write_lines` gives it the
lines. The operation is `evaluate_project` as of the project's expected completion: every
commitment for every group, the reporting obligation of every contractor, the data-anomaly
check of every report, the evaluations stored and the flags raised. The floor is one
hand-written SQL sum of hours grouped by contractor and craft over the same current lines,
timed in the same run after one untimed pass has brought the table into memory.

The generator writes lines straight to the database, so each version is then given the sums
the intake keeps when it stores one (`keep_report_aggregates`, issue 17), untimed: that is the
import's work. For comparison the bench also times, on stderr, an evaluation of the same
data whose versions keep no sums (it makes them, as after an upgrade).

The tasks an evaluation queues (the alerts, the public figures' refresh) run in a worker in
production, apart from it: while the evaluations are timed they are queued, not run (the
harness otherwise runs tasks at once). The public figures' refresh is timed apart, on stderr.
"""

import sys

from django.db import connection, transaction
from django_q.conf import Conf

from compliance.evaluation.engine.measure import keep_report_aggregates
from compliance.evaluation.public.figures import public_figures_refresh
from compliance.models import Evaluation, Flag, PayrollLine, Report, ReportSum, ReportWorker
from compliance.pipeline import evaluate_project
from demo.generator import build_project, write_lines
from tests.bench import settle, timed

DEFAULT_LINES = 1_000_000


def floor_query(project) -> list:
    table = connection.ops.quote_name(PayrollLine._meta.db_table)
    # The table name comes from the model's metadata, quoted; the project id is a parameter.
    sql = (
        f"SELECT assignment_id, craft_id, SUM(hours) FROM {table} "  # noqa: S608
        "WHERE project_id = %s AND is_current GROUP BY assignment_id, craft_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [project.pk])
        return cursor.fetchall()


def keep_sums(project) -> int:
    """Each current version's sums, made one version at a time as the intake makes them."""
    reports = Report.objects.filter(assignment__project=project, is_current=True)
    for report in reports.select_related("assignment__project"):
        with transaction.atomic():  # the store's transaction, in which the intake makes them
            keep_report_aggregates(report)
    return reports.count()


def stored(*, lines: int, slug: str = "bench"):
    """The bench's project, its lines written and each version's sums kept."""
    project = build_project(slug=slug, contractors=40, months=60)
    write_lines(project=project, lines=lines)
    made, versions = timed(lambda: keep_sums(project))
    print(
        f"evaluate: the sums of {versions} versions, made one by one as the intake makes "
        f"them, took {made:.2f} s ({1000 * made / max(versions, 1):.1f} ms a version).",
        file=sys.stderr,
    )
    settle()
    return project


def run(*, lines: int) -> dict:
    project = stored(lines=lines)
    floor_query(project)
    floor_seconds, _ = timed(lambda: floor_query(project))
    synchronous, Conf.SYNC = Conf.SYNC, False
    try:
        seconds, _ = timed(lambda: evaluate_project(project, project.end_date))
        # What the nightly run does: a new day changes every result's inputs, so every
        # group is measured again (`reuse=False` does the same as of the same day).
        again, _ = timed(lambda: evaluate_project(project, project.end_date, reuse=False))
        same_day, _ = timed(lambda: evaluate_project(project, project.end_date))
        ReportSum.objects.all().delete()
        ReportWorker.objects.all().delete()
        settle()
        without, _ = timed(lambda: evaluate_project(project, project.end_date, reuse=False))
    finally:
        Conf.SYNC = synchronous
    refresh, _ = timed(lambda: public_figures_refresh(project=project))
    print(
        f"evaluate: {Evaluation.objects.filter(project=project).count()} results, "
        f"{Flag.objects.filter(project=project).count()} flags; floor {floor_seconds:.3f} s; "
        f"the first evaluation took {seconds:.3f} s (it also checks every report for data "
        f"anomalies), a re-evaluation measuring every group {again:.3f} s "
        f"({again / floor_seconds:.2f}× the floor), one the same day with nothing new "
        f"{same_day:.3f} s; "
        f"one of versions keeping no sums (it makes them) {without:.3f} s; the public "
        f"figures' refresh the evaluation queues {refresh:.3f} s.",
        file=sys.stderr,
    )
    return {"seconds": seconds, "floor_seconds": floor_seconds}
