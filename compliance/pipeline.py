"""The pipeline's one orchestrating service: measure a project, then reconcile its flags
(which queue the alerts), in one transaction under the project's lock.

The engine (`compliance.evaluation.engine`) only measures and stores results; the flags
(`compliance.enforcement.flags.raising`) only turn findings into flags. Neither imports the
other: this module, above both, runs them in order (SPEC §3, §4). Evaluations of one project
take turns on its row's lock; reports filed meanwhile do not wait for them (the lock order
is in `compliance.locks.lock_rows`), and a deadlock is retried (`with_retry`).
"""

import datetime

from django.db import transaction
from django.utils import timezone

from compliance.bulk import collecting_later
from compliance.enforcement.cure import passed_cure_deadlines
from compliance.enforcement.flags.raising import (
    ALL_KINDS,
    REPORT_KINDS,
    anomaly_key,
    findings_for,
    sync_flags,
)
from compliance.enqueue import REFRESH_PUBLIC_FIGURES, enqueue_stamped
from compliance.evaluation.engine.measure import measure_project, measure_reporting
from compliance.evaluation.standings import standings_refresh
from compliance.locks import lock_rows, with_retry
from compliance.models import Evaluation
from projects.models import Project


@with_retry
def evaluate_project(
    project: Project, as_of: datetime.date | None = None, *, reuse: bool = True
) -> list[Evaluation]:
    """Evaluate every commitment of the project as of a date (default: today), store the
    results in place of the previous ones, and raise, update or resolve the flags. Results
    a re-evaluation as of the same day kept without measuring them again (their inputs
    unchanged, `engine.inputs`; `reuse=False` measures everything) keep their flags as they
    are. Returns the results it measured: every result, unless it kept some."""
    as_of = as_of or timezone.localdate()
    with transaction.atomic(), collecting_later():
        lock_rows(project_id=project.pk)
        measured = measure_project(project, as_of, reuse=reuse)
        # The dashboard's roll-up of each commitment, from the evaluations just stored.
        standings_refresh(project=project)
        findings = findings_for(
            ctx=measured.ctx,
            evaluations=measured.evaluations,
            anomalies=measured.anomalies,
            notices=list(passed_cure_deadlines(project, as_of)),
        )
        sync_flags(
            project=project,
            findings=findings,
            kinds=ALL_KINDS,
            now=measured.ctx.computed_at,
            only={"data_anomaly": {anomaly_key(a, m) for a, m in measured.anomaly_months}},
            kept=measured.kept,
        )
        enqueue_stamped(REFRESH_PUBLIC_FIGURES, project.pk)
    return measured.evaluations


@with_retry
def evaluate_reporting(project: Project, as_of: datetime.date | None = None) -> list[Evaluation]:
    """Only the reporting obligation and its flags: the frequent missing-report check."""
    as_of = as_of or timezone.localdate()
    with transaction.atomic():
        lock_rows(project_id=project.pk)
        measured = measure_reporting(project, as_of)
        findings = findings_for(
            ctx=measured.ctx, evaluations=measured.evaluations, anomalies=[], notices=[]
        )
        sync_flags(
            project=project,
            findings=findings,
            kinds=REPORT_KINDS,
            now=measured.ctx.computed_at,
        )
    return measured.evaluations
