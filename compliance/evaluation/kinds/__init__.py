"""The commitment kinds (SPEC §3), one module each; adding a kind is one module and one
line here. Nothing outside this package asks a commitment's kind by name: it asks `kind_of`.
"""

from django.core.exceptions import ValidationError
from django.dispatch import receiver

from compliance.evaluation.kinds import (
    contracting_share,
    count_target,
    wage_floor,
    workforce_share,
)
from compliance.evaluation.kinds.base import Figure, Kind
from projects.models import (
    Commitment,
    commitment_check,
    commitment_takes_progress,
    commitment_words,
)

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        workforce_share.KIND,
        wage_floor.KIND,
        count_target.KIND,
        contracting_share.KIND,
    )
}

__all__ = ["KINDS", "Figure", "Kind", "clean_terms", "kind_of"]


def kind_of(commitment_or_name) -> Kind:
    """The kind of a commitment (or the kind of that name)."""
    name = getattr(commitment_or_name, "kind", commitment_or_name)
    return KINDS[name]


def clean_terms(*, kind: str, params, area=None) -> dict:
    """A commitment's parameters checked by its kind's typed terms and normalised; raises
    ValidationError keyed by parameter path ("target_percent", "rates[0].base")."""
    if kind not in KINDS:
        raise ValidationError({"kind": f"{kind!r} is not one of {', '.join(KINDS)}."})
    return KINDS[kind].clean(params, area=area)


@receiver(commitment_check, sender=Commitment)
def _check_commitment(sender, commitment: Commitment, **kwargs) -> dict:
    return clean_terms(kind=commitment.kind, params=commitment.params, area=commitment.area)


@receiver(commitment_takes_progress, sender=Commitment)
def _takes_progress(sender, commitment: Commitment, **kwargs) -> bool:
    kind = KINDS.get(commitment.kind)
    return kind is not None and kind.takes_progress


@receiver(commitment_words, sender=Commitment)
def _words(sender, commitment: Commitment, **kwargs) -> dict:
    kind = KINDS.get(commitment.kind)
    if kind is None:
        return {}
    return {"description": kind.describe(commitment), "unit": kind.unit(commitment)}
