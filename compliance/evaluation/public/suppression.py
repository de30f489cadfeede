"""Privacy by suppression (SPEC §8): a published figure resting on fewer than
`PUBLIC_MIN_WORKERS` distinct workers is not shown."""

from django.conf import settings


def min_workers() -> int:
    """The smallest number of distinct workers a published figure may rest on."""
    return settings.PUBLIC_MIN_WORKERS


def too_few(workers: int | None) -> bool:
    """Whether a figure resting on this many distinct workers must be suppressed. An
    unknown count (lines with no worker identity) is not a reason to suppress: such lines
    come from data the city itself publishes."""
    return workers is not None and 0 < workers < min_workers()
