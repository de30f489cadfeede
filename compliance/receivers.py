"""Reactions to the pipeline's signals, connected when the app is ready."""

from django.dispatch import receiver

from compliance.enqueue import enqueue_evaluation
from compliance.signals import report_submitted


@receiver(report_submitted, dispatch_uid="compliance.evaluate_after_report")
def evaluate_after_report(sender, report, user=None, **kwargs) -> None:
    """A submitted report is measured at once, in the background (SPEC §5: parse → validate
    → store → evaluate)."""
    enqueue_evaluation(report.assignment.project_id)
