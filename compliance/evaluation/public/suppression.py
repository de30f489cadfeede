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
- audit by elimination: no sum alone may give a suppressed cell away, but several together
  still can (a trade's apprentice hours as all its hours less its journeyworkers', summed
  across trades against the project's totals). So the whole published system is solved:
  the unknowns are the suppressed cells, each sum is a linear equation over them (published
  members are constants), and a suppressed cell can be worked out exactly when its unit
  vector lies in the span of the equations' rows over the unknowns (Gauss–Jordan
  elimination over exact fractions, `disclosed`). While some suppressed cell can, the
  smallest non-zero published member of a sum it is in is suppressed too, the
  complementary rule runs again, and the system is solved again.
- Lines that carry no worker identity (open data, which the city publishes already
  aggregated) count no workers: a cell of such lines only is not suppressed for them (its
  worker count is unknown and published as such); a cell that mixes them with identified
  workers is judged by those identified workers alone, since the open-data part is public
  elsewhere and the rest could be worked out from it.
Cells that are never published themselves (the hours that do not qualify, left implied by a
total and its qualifying part) take part in the sums like any other.
"""

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

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
    # While suppressing: the sums each cell is in, and each sum's suppressed members.
    _sums_of: dict[Hashable, list[int]] = field(default_factory=dict, init=False, repr=False)
    _hidden_count: list[int] = field(default_factory=list, init=False, repr=False)

    def add(self, key: Hashable, value: Decimal, workers: int | None) -> None:
        self.values[key] = value
        self.workers[key] = workers

    def tie(self, total: Hashable, addends: Iterable[Hashable]) -> None:
        """Declare that `total` is published as (or implied to be) the sum of `addends`."""
        members = tuple(a for a in addends if a in self.values)
        if total in self.values and members:
            self.sums.append((total, members))

    def suppress(self) -> set[Hashable]:
        """Apply the primary and complementary rules and the audit (module docstring); the
        suppressed ids."""
        self.suppressed = {k for k, w in self.workers.items() if too_few(w)}
        self._sums_of = {}
        self._hidden_count = []
        for i, (total, addends) in enumerate(self.sums):
            members = (total, *addends)
            for m in members:
                self._sums_of.setdefault(m, []).append(i)
            self._hidden_count.append(sum(1 for m in members if m in self.suppressed))
        self._complement([i for i, count in enumerate(self._hidden_count) if count == 1])
        self.audit()
        return self.suppressed

    def _hide(self, key: Hashable) -> list[int]:
        """Suppress one more cell; the sums it leaves with a lone suppressed member."""
        self.suppressed.add(key)
        lone = []
        for j in self._sums_of.get(key, ()):
            self._hidden_count[j] += 1
            if self._hidden_count[j] == 1:
                lone.append(j)
        return lone

    def _complement(self, pending: list[int]) -> None:
        """The complementary rule, one sum at a time: a work list of the sums with exactly
        one suppressed member, kept by counting each sum's suppressed members, so a large
        table costs about one pass over its sums."""
        while pending:
            i = pending.pop()
            if self._hidden_count[i] != 1:
                continue
            total, addends = self.sums[i]
            candidates = [m for m in addends if m not in self.suppressed and self.values[m] != 0]
            pick = min(candidates, key=self._order) if candidates else total
            if pick in self.suppressed:
                continue
            pending.extend(self._hide(pick))

    def _order(self, key: Hashable) -> tuple:
        return (self.values[key], repr(key))

    def audit(self) -> None:
        """The audit by elimination (module docstring): while some suppressed cell can be
        worked out by combining the sums, suppress one more cell of a sum it is in, then the
        complementary rule again. Sums tie suppressed cells into independent groups; each
        group is solved on its own, and a group unchanged since the last round keeps its
        answer."""
        known: dict[frozenset, set[Hashable]] = {}
        while True:
            picks = []
            for group, rows in self._groups():
                if group not in known:
                    known[group] = disclosed(rows)
                if known[group]:
                    pick = self._complement_of(known[group])
                    if pick is not None:
                        picks.append(pick)
            if not picks:
                return
            for pick in picks:
                if pick not in self.suppressed:
                    self._complement(self._hide(pick))

    def _complement_of(self, found: set[Hashable]) -> Hashable | None:
        """The cell to suppress for a worked-out one: the smallest non-zero published member
        of a sum it is in (failing that, of a sum any worked-out cell of its group is in; a
        zero member as a last resort)."""
        for cells in (sorted(found, key=self._order)[:1], sorted(found, key=self._order)):
            for allow_zero in (False, True):
                candidates = {
                    m
                    for k in cells
                    for i in self._sums_of.get(k, ())
                    for m in (self.sums[i][0], *self.sums[i][1])
                    if m not in self.suppressed and (allow_zero or self.values[m] != 0)
                }
                if candidates:
                    return min(candidates, key=self._order)
        return None

    def _groups(self):
        """The suppressed cells in groups tied by sums, each with its sums as rows over them
        (coefficient +1 for the total, −1 for an addend; published members are constants and
        drop out)."""
        parent: dict[Hashable, Hashable] = {k: k for k in self.suppressed}

        def find(k):
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        rows = []
        suppressed = self.suppressed
        for i, count in enumerate(self._hidden_count):
            if count == 0:
                continue
            total, addends = self.sums[i]
            row: dict[Hashable, int] = {}
            for a in addends:
                if a in suppressed:
                    row[a] = row.get(a, 0) - 1
            if total in suppressed:
                row[total] = row.get(total, 0) + 1
            row = {k: v for k, v in row.items() if v}
            if not row:
                continue
            rows.append(row)
            first, *rest = row
            root = find(first)
            for k in rest:
                other = find(k)
                if other != root:
                    parent[other] = root
        members: dict[Hashable, set] = defaultdict(set)
        for k in self.suppressed:
            members[find(k)].add(k)
        rows_of: dict[Hashable, list] = defaultdict(list)
        for row in rows:
            rows_of[find(next(iter(row)))].append(row)
        for root, group in members.items():
            yield frozenset(group), rows_of[root]

    def shown(self, key: Hashable) -> Decimal | None:
        """The published value, or None when suppressed (or unknown)."""
        if key not in self.values or key in self.suppressed:
            return None
        return self.values[key]


def disclosed(rows: list[dict[Hashable, int]]) -> set[Hashable]:
    """The unknowns that some combination of these equations pins down: those whose unit
    vector lies in the rows' span. Gauss–Jordan elimination over exact fractions to the
    reduced row echelon form, where such an unknown is exactly a row with one entry.

    Two unknowns whose columns are multiples of each other (the same rows, as a contractor's
    rows of the same trade and groups in different months are) are never pinned down: any
    combination that keeps one keeps the other. Such a set of columns is solved as one, which
    leaves the answer for the others unchanged and the system much narrower. The answer does
    not depend on the order of elimination either, so the pivot taken in each row is the
    unknown in the fewest rows so far (the least work to clear it from them)."""
    unique = []
    seen: set = set()
    for given in rows:
        signature = frozenset(given.items())
        if signature not in seen:
            seen.add(signature)
            unique.append(given)
    columns: dict[Hashable, list] = defaultdict(list)
    for i, given in enumerate(unique):
        for k, v in given.items():
            columns[k].append((i, v))
    alike: dict[tuple, list[Hashable]] = defaultdict(list)
    for k, column in columns.items():
        first = column[0][1]
        if first in (1, -1):  # 1 / first == first
            alike[tuple((i, v * first) for i, v in column)].append(k)
        else:
            alike[tuple((i, Fraction(v, first)) for i, v in column)].append(k)
    keep = {ks[0]: len(ks) == 1 for ks in alike.values()}
    rows = [{k: v for k, v in given.items() if k in keep} for given in unique]
    pivots: dict[Hashable, dict[Hashable, Fraction]] = {}
    holders: dict[Hashable, set[Hashable]] = defaultdict(set)  # unknown → pivots whose row has it
    for given in rows:
        row = {k: Fraction(v) for k, v in given.items()}
        for k in [k for k in row if k in pivots]:
            factor = row.get(k)
            if not factor:
                continue
            for kk, vv in pivots[k].items():
                value = row.get(kk, 0) - factor * vv
                if value:
                    row[kk] = value
                else:
                    row.pop(kk, None)
        if not row:
            continue
        lead = min(row, key=lambda k: len(holders[k]))
        scale = row[lead]
        row = {k: v / scale for k, v in row.items()}
        for p in list(holders[lead]):
            pivot_row = pivots[p]
            factor = pivot_row[lead]
            for kk, vv in row.items():
                value = pivot_row.get(kk, 0) - factor * vv
                if value:
                    if kk not in pivot_row:
                        holders[kk].add(p)
                    pivot_row[kk] = value
                else:
                    pivot_row.pop(kk, None)
                    holders[kk].discard(p)
        pivots[lead] = row
        for k in row:
            holders[k].add(lead)
    return {lead for lead, row in pivots.items() if len(row) == 1 and keep[lead]}
