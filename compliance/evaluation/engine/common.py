"""What every commitment kind shares: the lines that count, months, groups and series.

Only current report versions count, and only lines whose week ends on or before the as-of
date (SPEC §3). A group is where a target must hold: the whole project, one contractor
(assignment), one craft, or one contractor's craft; its key ("project", "a12", "c3",
"a12-c3") is what evaluations and flags are stored under.
"""

import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db.models import DecimalField, QuerySet

from compliance.models import PayrollLine, Report
from compliance.months import month_start
from compliance.numbers import CENT, percent, round2
from projects.models import Assignment, Craft, Project, normalize_craft_name

ZERO = Decimal(0)
HUNDRED = Decimal(100)
# Sums over a million lines outgrow the line fields' own precision.
TOTAL = DecimalField(max_digits=20, decimal_places=2)


# Labels of the months seen so far: an evaluation asks for each month's label once per
# group and per result, hundreds of times each.
_LABELS: dict[datetime.date, str] = {}


def month_label(month: datetime.date) -> str:
    """A month as series and the reporting obligation name it: "2026-10"."""
    label = _LABELS.get(month)
    if label is None:
        label = _LABELS[month] = f"{month.year:04d}-{month.month:02d}"
    return label


def as_month(value) -> datetime.date:
    """A month as the database returned it ("2026-10", a date or a datetime) → its first day."""
    if isinstance(value, str):
        return datetime.date(int(value[:4]), int(value[5:7]), 1)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.replace(day=1)


def current_lines(project: Project, as_of: datetime.date) -> QuerySet[PayrollLine]:
    """The lines that count: current report versions, week ending on or before as-of."""
    return PayrollLine.objects.filter(project=project, is_current=True, week_ending__lte=as_of)


def dec(value) -> Decimal:
    """A database total (None when nothing was summed) as a Decimal."""
    if value is None:
        return ZERO
    return value if isinstance(value, Decimal) else Decimal(str(value))


def text(value: Decimal | None) -> str | None:
    return None if value is None else fixed(value)


SCOPE_FIELDS = {
    "project": (),
    "contractor": ("assignment_id",),
    "craft": ("craft_id",),
    "contractor_craft": ("assignment_id", "craft_id"),
}


def per_contractor(scope: str) -> bool:
    """Whether every group of this scope is one contractor's."""
    return "assignment_id" in SCOPE_FIELDS[scope]


def group_key(scope: str, assignment_id: int | None, craft_id: int | None) -> str:
    if scope == "contractor":
        return f"a{assignment_id}"
    if scope == "craft":
        return f"c{craft_id}"
    if scope == "contractor_craft":
        return f"a{assignment_id}-c{craft_id}"
    return "project"


@dataclass(frozen=True)
class Group:
    key: str
    assignment_id: int | None = None
    craft_id: int | None = None


# Every cell of the pass asks once per commitment; groups are immutable, so shared.
@functools.lru_cache(maxsize=65536)
def group_of(scope: str, assignment_id: int | None, craft_id: int | None) -> Group:
    fields = SCOPE_FIELDS[scope]
    a = assignment_id if "assignment_id" in fields else None
    c = craft_id if "craft_id" in fields else None
    return Group(group_key(scope, a, c), a, c)


@dataclass
class Monthly:
    """A group's figures month by month: the month's own and the running (cumulative) ones."""

    numerator: dict = field(default_factory=dict)
    denominator: dict = field(default_factory=dict)
    # For distinct counts the cumulative figure is not the sum of the months: a worker who
    # works three months counts once. When these are empty, cumulative = running sum.
    cumulative_numerator: dict = field(default_factory=dict)
    cumulative_denominator: dict = field(default_factory=dict)

    def add(self, month, numerator: Decimal, denominator: Decimal) -> None:
        self.numerator[month] = self.numerator.get(month, ZERO) + numerator
        self.denominator[month] = self.denominator.get(month, ZERO) + denominator


def fixed(value: Decimal) -> str:
    """A figure as the series stores it: a string with two decimals (`round2`'s rounding,
    written out here: thousands of figures a run)."""
    return str(Decimal.quantize(value, CENT, ROUND_HALF_UP))


def build_series(monthly: Monthly, months: list[datetime.date]) -> tuple[list[dict], list, list]:
    """The monthly series kept for charts and memos, with the cumulative figures behind it.

    Returns (series, cumulative numerators, cumulative denominators), one per month.
    """
    numerators, denominators = monthly.numerator, monthly.denominator
    if monthly.cumulative_denominator:
        grow_num, grow_den = monthly.cumulative_numerator, monthly.cumulative_denominator
    else:
        grow_num, grow_den = numerators, denominators
    series, cum_num, cum_den = [], [], []
    total_num = total_den = ZERO
    # The hot loop of an evaluation (every group × every month): rounding inlined, and a
    # month without figures reuses the texts already made for zero and for the running total.
    quantize, cent, hundred, up = Decimal.quantize, CENT, HUNDRED, ROUND_HALF_UP
    zero_text = fixed(ZERO)
    cumulative = None
    get_num, get_den = numerators.get, denominators.get
    get_grown_num, get_grown_den = grow_num.get, grow_den.get
    for month in months:
        num = get_num(month, ZERO)
        den = get_den(month, ZERO)
        grown_num = get_grown_num(month, ZERO)
        grown_den = get_grown_den(month, ZERO)
        if grown_num or grown_den or cumulative is None:
            total_num += grown_num
            total_den += grown_den
            cumulative = (
                str(quantize(hundred * total_num / total_den, cent, up)) if total_den else None
            )
        cum_num.append(total_num)
        cum_den.append(total_den)
        series.append(
            {
                "month": month_label(month),
                "numerator": str(quantize(num, cent, up)) if num else zero_text,
                "denominator": str(quantize(den, cent, up)) if den else zero_text,
                "percent": str(quantize(hundred * num / den, cent, up)) if den else None,
                "cumulative_percent": cumulative,
            }
        )
    return series, cum_num, cum_den


def projected_totals(
    *,
    cum_num: list[Decimal],
    cum_den: list[Decimal],
    has_data: list[bool],
    months: list[datetime.date],
    end_month: datetime.date,
    complete: bool,
) -> tuple[Decimal, Decimal] | None:
    """The numerator and denominator a group will have at the project's expected completion
    (SPEC §3.1), or None where nothing is projected.

    The average monthly numerator and denominator of the last three months (the three
    calendar months ending with the latest month that has data; for distinct workers, the
    growth of the cumulative counts, so nobody is counted twice) are applied to every month
    left from then to the expected completion. Nothing is projected when the project is
    complete, no month is left, or fewer than three months have data.
    """
    if not months or not cum_den[-1] or complete or sum(has_data) < 3:
        return None
    last = max(i for i, flag in enumerate(has_data) if flag)
    remaining = (end_month.year - months[last].year) * 12 + end_month.month - months[last].month
    if remaining <= 0:
        return None
    before = last - 3
    grown_num = cum_num[last] - (cum_num[before] if before >= 0 else ZERO)
    grown_den = cum_den[last] - (cum_den[before] if before >= 0 else ZERO)
    numerator = cum_num[last] + grown_num / 3 * remaining
    denominator = cum_den[last] + grown_den / 3 * remaining
    return numerator, denominator


def projected_percent(
    *,
    cum_num: list[Decimal],
    cum_den: list[Decimal],
    has_data: list[bool],
    months: list[datetime.date],
    end_month: datetime.date,
    complete: bool,
) -> Decimal | None:
    """The percent the group will reach at the project's expected completion (SPEC §3.1):
    the projected totals' percent (`projected_totals`), or the actual percent where nothing
    is projected."""
    actual = percent(cum_num[-1], cum_den[-1]) if months else None
    if actual is None:
        return None
    totals = projected_totals(
        cum_num=cum_num,
        cum_den=cum_den,
        has_data=has_data,
        months=months,
        end_month=end_month,
        complete=complete,
    )
    return actual if totals is None else percent(*totals)


@dataclass
class Context:
    """What one evaluation run knows before any commitment is measured."""

    project: Project
    as_of: datetime.date
    computed_at: datetime.datetime
    assignments: dict[int, Assignment]
    # The project's crafts; `every_craft` holds every craft (lines may name one the project
    # no longer lists), when the run loaded them.
    crafts: dict[int, Craft]
    every_craft: dict[int, Craft] = field(default_factory=dict)
    # The pass over the lines: one dict per (report, craft) with the report's assignment and
    # month; a line's month is its report's month (SPEC §5.1: week ending in the month).
    cells: list[dict] = field(default_factory=list)
    # report id → (assignment id, month) for every report whose lines count.
    reports: dict[int, tuple] = field(default_factory=dict)
    months: list[datetime.date] = field(default_factory=list)
    # Set when only some contractors' lines are read (`measure_as_of(assignment_id=)`, or a
    # re-evaluation measuring only the contractors whose reports changed): only their
    # lines, their reports' sums and first weeks.
    assignment_ids: frozenset[int] | None = None
    # Set when a re-evaluation measures only some groups (`engine.inputs`): the contractors
    # whose groups are measured again, and whether the groups of no contractor (the
    # project, a craft) are; the others' stored results hold.
    changed: frozenset[int] | None = None
    wide: bool = True
    # Read every figure from the lines rather than what versions keep (the test of the latter).
    from_lines: bool = False

    @property
    def end_month(self) -> datetime.date:
        return month_start(self.project.end_date)

    @property
    def complete(self) -> bool:
        return self.project.status == Project.Status.COMPLETE

    def load_reports(self, ids: Iterable[int]) -> None:
        """Learn the assignment and month of these reports (those not known yet)."""
        missing = set(ids) - set(self.reports)
        if missing:
            self.reports.update(
                (pk, (assignment_id, period))
                for pk, assignment_id, period in Report.objects.filter(pk__in=missing).values_list(
                    "pk", "assignment_id", "period"
                )
            )

    def current_reports(self) -> QuerySet[Report]:
        """The current report versions whose kept sums and first weeks count (of some
        contractors only when `assignment_ids` is set)."""
        reports = Report.objects.filter(assignment__project=self.project, is_current=True)
        if self.assignment_ids is not None:
            reports = reports.filter(assignment_id__in=sorted(self.assignment_ids))
        return reports

    def lines(self) -> QuerySet[PayrollLine]:
        lines = current_lines(self.project, self.as_of)
        if self.assignment_ids is not None:
            lines = lines.filter(assignment_id__in=sorted(self.assignment_ids))
        return lines

    def measures_scope(self, scope: str) -> bool:
        """Whether this run measures any group of a commitment of this scope."""
        if self.changed is None:
            return True
        return bool(self.changed) if per_contractor(scope) else self.wide

    def measured_only(self, scope: str) -> frozenset[int] | None:
        """The contractors whose lines a commitment of this scope needs, None for all: only
        those measured again, when its groups are each one contractor's."""
        if self.changed is None or not per_contractor(scope):
            return None
        return self.changed

    def measures(self, assignment_id: int | None) -> bool:
        """Whether this run measures the groups of this contractor (None: the groups of no
        contractor); those it does not keep their stored results (`engine.inputs`)."""
        if self.changed is None:
            return True
        if assignment_id is None:
            return self.wide
        return assignment_id in self.changed

    def craft_ids_named(self, names: Iterable[str]) -> set[int]:
        """The crafts a list of names or aliases means, ignoring case and spaces."""
        wanted = {normalize_craft_name(n) for n in names}
        return {cid for cid, craft in self.crafts.items() if craft.match_keys() & wanted}


def share_status(
    *,
    actual: Decimal | None,
    projected: Decimal | None,
    denominator: Decimal,
    target: Decimal,
    margin: Decimal,
    min_base: Decimal,
) -> str:
    """SPEC §3.1's status rule, on the rounded percents."""
    if not denominator or denominator < min_base or actual is None:
        return "no_data"
    if actual >= target:
        if projected is not None and projected < target:
            return "at_risk"
        return "met"
    if actual >= target - margin:
        return "at_risk"
    return "shortfall"


class ShareFigures(NamedTuple):
    series: list
    numerator: Decimal
    denominator: Decimal
    actual: Decimal | None
    projected: Decimal | None
    status: str
    shortfall: Decimal
    damages: Decimal | None


def share_figures(
    monthly,
    months: list,
    ctx,
    *,
    target: Decimal,
    margin: Decimal,
    min_base: Decimal,
    penalty: Decimal | None,
    no_data: bool = False,
) -> ShareFigures:
    """SPEC §3.1 for any share (hours, workers, contract dollars): cumulative numerator and
    denominator, actual and projected percents, status, shortfall = max(0, target% ×
    denominator − numerator), and damages = shortfall × penalty; `no_data` forces that
    status (a count the data cannot make)."""
    series, cum_num, cum_den = build_series(monthly, months)
    numerator = cum_num[-1] if months else ZERO
    denominator = cum_den[-1] if months else ZERO
    actual = percent(numerator, denominator)
    projected = (
        projected_percent(
            cum_num=cum_num,
            cum_den=cum_den,
            has_data=[bool(monthly.denominator.get(m)) for m in months],
            months=months,
            end_month=ctx.end_month,
            complete=ctx.complete,
        )
        if months
        else None
    )
    status = share_status(
        actual=actual,
        projected=projected,
        denominator=denominator,
        target=target,
        margin=margin,
        min_base=min_base,
    )
    if no_data:
        status = "no_data"
    shortfall = round2(ZERO)
    if status != "no_data":
        shortfall = round2(max(ZERO, target / 100 * denominator - numerator))
    damages = round2(shortfall * penalty) if penalty is not None and status != "no_data" else None
    return ShareFigures(
        series, numerator, denominator, actual, projected, status, shortfall, damages
    )
