"""Signals between the stages of the pipeline, so intake need not import the engine."""

from django.dispatch import Signal

# Sent by the intake after a report version is stored, once its transaction commits.
# Arguments: report (the new current Report), user (who submitted, or None).
report_submitted = Signal()

# Sent by the intake to learn what a report changes, before and after storing it (a check
# that stores nothing rolls the version back afterwards). Arguments: assignment, as_of, and
# report (the version just stored, or None for the figures before it). A receiver returns
# {"shares": {(commitment key, group key): {"title", "group", "target", "percent"}},
#  "underpaid": [one dict per line of that report under a wage floor, with "owed"]}.
report_measuring = Signal()

# Sent by the intake inside the transaction that stores a report version, its lines written,
# so the evaluation stage keeps the sums it will ask of them (compliance.evaluation.engine.
# sums). Arguments: report (the version just stored).
report_stored = Signal()
