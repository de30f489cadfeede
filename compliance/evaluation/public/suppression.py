"""Privacy by suppression (SPEC §8): a published figure resting on fewer than
`PUBLIC_MIN_WORKERS` distinct workers is not shown, and neither is a second figure wherever a
published total would let the first be worked out.

The rule, as `suppress` applies it to a set of cells (hours of a group of lines) and the
sums that tie them (a total equals the sum of its addends):
- primary: a cell whose lines belong to 1 to N−1 distinct workers is suppressed;
- complementary: wherever a sum has exactly one suppressed member (the total or one of its
  addends), the smallest other member that is not zero is suppressed too (an addend before
  the total), and this is repeated until no sum has a lone suppressed member. A sum whose
  other members are all zero or suppressed gets its total suppressed.
- Lines that carry no worker identity (open data, which the city publishes already
  aggregated) count no workers: a cell of such lines only is not suppressed for them (its
  worker count is unknown and published as such); a cell that mixes them with identified
  workers is judged by those identified workers alone, since the open-data part is public
  elsewhere and the rest could be worked out from it.
Cells that are never published themselves (the hours that do not qualify, left implied by a
total and its qualifying part) take part in the sums like any other.
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings


def min_workers() -> int:
    """The smallest number of distinct workers a published figure may rest on."""
    return settings.PUBLIC_MIN_WORKERS


def too_few(workers: int | None) -> bool:
    """Whether a figure resting on this many distinct workers must be suppressed. An
    unknown count (lines with no worker identity) is not a reason to suppress: such lines
    come from data the city itself publishes."""
    return workers is not None and 0 < workers < min_workers()


@dataclass
class Cells:
    """Cells by id (value, distinct workers) and the sums among them."""

    values: dict[Hashable, Decimal] = field(default_factory=dict)
    workers: dict[Hashable, int | None] = field(default_factory=dict)
    sums: list[tuple[Hashable, tuple[Hashable, ...]]] = field(default_factory=list)
    suppressed: set[Hashable] = field(default_factory=set)

    def add(self, key: Hashable, value: Decimal, workers: int | None) -> None:
        self.values[key] = value
        self.workers[key] = workers

    def tie(self, total: Hashable, addends: Iterable[Hashable]) -> None:
        """Declare that `total` is published as (or implied to be) the sum of `addends`."""
        members = tuple(a for a in addends if a in self.values)
        if total in self.values and members:
            self.sums.append((total, members))

    def suppress(self) -> set[Hashable]:
        """Apply the primary and complementary rules (module docstring); the suppressed ids.

        A work list of the sums with exactly one suppressed member, kept by counting each
        sum's suppressed members, so a large table costs about one pass over its sums."""
        self.suppressed = {k for k, w in self.workers.items() if too_few(w)}
        sums_of: dict[Hashable, list[int]] = {}
        hidden_count = []
        for i, (total, addends) in enumerate(self.sums):
            members = (total, *addends)
            for m in members:
                sums_of.setdefault(m, []).append(i)
            hidden_count.append(sum(1 for m in members if m in self.suppressed))
        pending = [i for i, count in enumerate(hidden_count) if count == 1]
        while pending:
            i = pending.pop()
            if hidden_count[i] != 1:
                continue
            total, addends = self.sums[i]
            candidates = [m for m in addends if m not in self.suppressed and self.values[m] != 0]
            pick = min(candidates, key=lambda m: (self.values[m], repr(m))) if candidates else total
            if pick in self.suppressed:
                continue
            self.suppressed.add(pick)
            for j in sums_of[pick]:
                hidden_count[j] += 1
                if hidden_count[j] == 1:
                    pending.append(j)
        return self.suppressed

    def shown(self, key: Hashable) -> Decimal | None:
        """The published value, or None when suppressed (or unknown)."""
        if key not in self.values or key in self.suppressed:
            return None
        return self.values[key]
