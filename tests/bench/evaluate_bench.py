"""Bench `evaluate` (SPEC §9): a full evaluation of one project against its floor.

The project has 40 contractors, 60 months and every kind of commitment, scoped per
contractor and craft (`demo.generator.build_project`); `write_lines` gives it the
lines. The operation is `evaluate_project` as of the project's expected completion: every
commitment for every group, the reporting obligation of every contractor, the data-anomaly
check of every report, the evaluations stored and the flags raised. The floor is one
hand-written SQL sum of hours grouped by contractor and craft over the same current lines,
timed in the same run after one untimed pass has brought the table into memory.
"""

import sys

from django.db import connection

from compliance.models import Evaluation, Flag, PayrollLine
from compliance.pipeline import evaluate_project
from demo.generator import build_project, write_lines
from tests.bench import timed

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


def run(*, lines: int) -> dict:
    project = build_project(slug="bench", contractors=40, months=60)
    write_lines(project=project, lines=lines)
    with connection.cursor() as cursor:
        # Planner statistics, as autovacuum would gather them after a bulk load.
        cursor.execute("ANALYZE")
    floor_query(project)
    floor_seconds, _ = timed(lambda: floor_query(project))
    seconds, _ = timed(lambda: evaluate_project(project, project.end_date))
    again, _ = timed(lambda: evaluate_project(project, project.end_date))
    print(
        f"evaluate: {Evaluation.objects.filter(project=project).count()} results, "
        f"{Flag.objects.filter(project=project).count()} flags; the first evaluation took "
        f"{seconds:.2f} s (it also checks every report for data anomalies), "
        f"a re-evaluation {again:.2f} s.",
        file=sys.stderr,
    )
    return {"seconds": seconds, "floor_seconds": floor_seconds}
