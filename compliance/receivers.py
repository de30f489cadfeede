"""Reactions to the pipeline's signals, connected when the app is ready."""

from django.dispatch import receiver

from compliance.enqueue import enqueue_evaluation
from compliance.evaluation.engine.measure import keep_report_aggregates
from compliance.evaluation.selectors.standing import report_snapshot
from compliance.signals import report_measuring, report_stored, report_submitted


@receiver(report_submitted, dispatch_uid="compliance.evaluate_after_report")
def evaluate_after_report(sender, report, user=None, **kwargs) -> None:
    """A submitted report is measured at once, in the background (SPEC §5: parse → validate
    → store → evaluate)."""
    enqueue_evaluation(report.assignment.project_id)


@receiver(report_measuring, dispatch_uid="compliance.measure_a_report")
def measure_a_report(sender, assignment, as_of, report=None, **kwargs) -> dict:
    """The contractor's figures measured afresh, for a check or a confirmation (issue 13)."""
    return report_snapshot(assignment=assignment, as_of=as_of, report=report)


@receiver(report_stored, dispatch_uid="compliance.keep_report_aggregates")
def keep_sums_of_report(sender, report, **kwargs) -> None:
    """A stored version's sums are made at once, in its transaction (issue 17)."""
    keep_report_aggregates(report)
