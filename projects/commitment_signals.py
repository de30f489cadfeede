"""The questions a commitment (or a policy's template) asks its kind.

A commitment's kind, and so its parameters, belong to the compliance engine
(compliance.evaluation.kinds), which this app must not import: the kinds answer these
signals. projects.models re-exports them.
"""

from django.dispatch import Signal

# Sent before every save, answered with the parameters checked and normalised.
commitment_check = Signal()
# Whether progress entries (SPEC §2) are a commitment's evidence.
commitment_takes_progress = Signal()
# And in words: {"description": the promise in a sentence, "unit": what it counts}.
commitment_words = Signal()
