"""A commitment's status and a flag's severity: their words and their one worst-first order.

A leaf: it imports nothing of ours, so the engine, the pages, the API, the export, e-mails
and documents all read the same order and the same labels from here.
"""

from collections.abc import Iterable, Mapping

from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Status:
    """What an evaluation says of a commitment (or of one group of it), worst first."""

    SHORTFALL = "shortfall"
    AT_RISK = "at_risk"
    ON_TRACK = "on_track"
    MET = "met"
    NO_DATA = "no_data"

    LABELS = {
        SHORTFALL: _("Shortfall"),
        AT_RISK: _("At risk"),
        ON_TRACK: _("On track"),
        MET: _("Met"),
        NO_DATA: _("No data"),
    }
    WORST_FIRST = [SHORTFALL, AT_RISK, ON_TRACK, MET, NO_DATA]
    choices = list(LABELS.items())

    @classmethod
    def label(cls, status: str | None) -> str:
        """The status in words; a commitment never evaluated reads "Not evaluated yet"."""
        if not status:
            return gettext("Not evaluated yet")
        label = cls.LABELS.get(status)
        return str(label) if label else status.replace("_", " ").capitalize()

    @classmethod
    def rank(cls, status: str | None) -> int:
        """Position in the worst-first order; unknown or missing statuses sort last."""
        try:
            return cls.WORST_FIRST.index(status)
        except ValueError:
            return len(cls.WORST_FIRST)


def commitment_status(group_statuses: Iterable[str] | Mapping[str, int]) -> str | None:
    """A commitment's status from its groups' (SPEC §3.5).

    The worst of its groups that have data, in the order shortfall, at risk, on track, met;
    `no_data` only when no group has data; None when it has no group at all (never
    evaluated). Accepts the groups' statuses, or a count of groups per status."""
    if isinstance(group_statuses, Mapping):
        present = {status for status, count in group_statuses.items() if count}
    else:
        present = set(group_statuses)
    for status in Status.WORST_FIRST:
        if status in present:
            return status
    return None


def status_order(field: str = "status") -> Case:
    """The worst-first order in SQL, for `order_by`."""
    return Case(
        *[When(**{field: s}, then=Value(rank)) for rank, s in enumerate(Status.WORST_FIRST)],
        default=Value(len(Status.WORST_FIRST)),
        output_field=IntegerField(),
    )


class Severity:
    """How urgent a flag is (SPEC §4), worst first."""

    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"

    LABELS = {CRITICAL: _("Critical"), WARNING: _("Warning"), INFO: _("Info")}
    WORST_FIRST = [CRITICAL, WARNING, INFO]
    RANK = {value: rank for rank, value in enumerate(WORST_FIRST)}


def severity_order(field: str = "severity") -> Case:
    """The worst-first severity order in SQL, for `order_by`."""
    return Case(
        *[When(**{field: s}, then=Value(rank)) for s, rank in Severity.RANK.items()],
        default=Value(len(Severity.WORST_FIRST)),
        output_field=IntegerField(),
    )
