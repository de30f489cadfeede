"""Signals between the stages of the pipeline, so intake need not import the engine."""

from django.dispatch import Signal

# Sent by the intake after a report version is stored, once its transaction commits.
# Arguments: report (the new current Report), user (who submitted, or None).
report_submitted = Signal()
