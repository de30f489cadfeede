"""One contractor's crew and one month of its payroll lines."""

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import NamedTuple

from compliance.numbers import round2
from demo.generator.reference import (
    APPRENTICE_PERCENT,
    CRAFT_SCALE,
    ETHNICITIES,
    FIRST_NAMES,
    LAST_NAMES,
    OTHER_ZIPS,
    TARGETED_ZIPS,
    TRADES,
)
from projects.models import Agreement, Assignment, Project

ZERO = Decimal("0")
HALF = Decimal("0.5")
OVERTIME = Decimal("1.5")
DOUBLE = Decimal("2")
STRAIGHT_CHOICES = [Decimal(h) for h in ("8", "16", "24", "32", "36", "38.5")]
OVERTIME_CHOICES = [Decimal(h) for h in ("2", "4", "5.5", "8", "10")]
DOUBLETIME_CHOICES = [Decimal(h) for h in ("4", "8")]
SPLIT_CHOICES = [Decimal(h) for h in ("8", "16", "24", "32")]
PREMIUMS = [Decimal(p) for p in ("0", "0", "0", "0.25", "0.50", "1.00", "2.50")]
UNDERPAY_CUTS = [Decimal(c) for c in ("0.50", "1.25", "2.50", "4.00", "6.00")]
FORTY = Decimal("40")
DEFAULT_FLOOR = Decimal("38.00")


def month_index(start: datetime.date, period: datetime.date) -> int:
    return (period.year - start.year) * 12 + period.month - start.month


def saturdays(period: datetime.date) -> list[datetime.date]:
    """The week endings of a month: its Saturdays."""
    first = period.replace(day=1)
    day = first + datetime.timedelta(days=(5 - first.weekday()) % 7)
    weeks = []
    while day.month == first.month:
        weeks.append(day)
        day += datetime.timedelta(days=7)
    return weeks


@dataclass(frozen=True)
class Profile:
    """How one contractor's crew looks. Shares are of workers unless said otherwise."""

    trade: str
    size: float  # relative share of the project's hours
    local_share: float  # living in the targeted area
    apprentice_share: float
    disadvantaged_share: float
    woman_share: float
    veteran_share: float
    new_hire_share: float
    underpaid_share: float  # share of worker-months paid below the wage floor
    overtime_share: float  # share of lines with overtime
    churn: float  # workers replaced per month
    uses_aliases: bool  # writes "Op Eng" rather than "Operating Engineer"


def contractor_profile(
    slug: str, *, tier: str = "sub", overrides: dict | None = None, seed: int = 1
) -> Profile:
    """A plausible crew for a contractor, the same for the same slug and seed."""
    rng = random.Random(f"profile:{seed}:{slug}")
    trade = "general" if tier == "prime" else rng.choice(sorted(set(TRADES) - {"general"}))
    profile = Profile(
        trade=trade,
        size=1.8 if tier == "prime" else round(rng.uniform(0.5, 1.3), 2),
        local_share=round(rng.uniform(0.30, 0.55), 2),
        apprentice_share=round(rng.uniform(0.15, 0.25), 2),
        disadvantaged_share=round(rng.uniform(0.08, 0.18), 2),
        woman_share=round(rng.uniform(0.04, 0.12), 2),
        veteran_share=round(rng.uniform(0.04, 0.10), 2),
        new_hire_share=round(rng.uniform(0.10, 0.30), 2),
        underpaid_share=round(rng.uniform(0.0, 0.01), 3),
        overtime_share=round(rng.uniform(0.10, 0.30), 2),
        churn=round(rng.uniform(0.5, 2.0), 2),
        uses_aliases=rng.random() < 0.3,
    )
    return replace(profile, **(overrides or {}))


class _Worker(NamedTuple):
    key: str
    name: str
    home_zip: str
    craft: str
    second_craft: str | None
    start_level: int | None  # None for a journeyworker
    gender: str
    ethnicity: str
    veteran: bool
    disadvantaged: bool
    new_hire: bool
    premium: Decimal
    attendance: float


class _Line(NamedTuple):
    worker: _Worker
    week: datetime.date
    craft: str
    level: int | None
    straight: Decimal
    overtime: Decimal
    doubletime: Decimal
    hours: Decimal
    rate: Decimal
    fringe: Decimal
    gross: Decimal


class _Crew:
    """A contractor's roster: worker i is always the same person; drawn lazily."""

    def __init__(self, slug: str, profile: Profile, crafts: list[str], zips: tuple[list, list]):
        self.slug = slug
        self.profile = profile
        weights = TRADES[profile.trade]
        self.crafts = [c for c in weights if c in crafts] or list(crafts)
        self.weights = [weights.get(c, 1) for c in self.crafts]
        self.local_zips, self.other_zips = zips
        code = "".join(ch for ch in slug.split("-")[-1].upper() if ch.isalnum())[:4] or "W"
        self.code = code if not code.isdigit() else f"W{code}"
        self.workers: list[_Worker] = []

    def __getitem__(self, i: int) -> _Worker:
        while len(self.workers) <= i:
            self.workers.append(self._draw(len(self.workers)))
        return self.workers[i]

    def _draw(self, i: int) -> _Worker:
        p = self.profile
        rng = random.Random(f"worker:{self.slug}:{i}")
        local = rng.random() < p.local_share
        craft = rng.choices(self.crafts, self.weights)[0]
        others = [c for c in self.crafts if c != craft]
        second = rng.choice(others) if others and rng.random() < 0.06 else None
        gender = rng.choices(["F", "M", "X", ""], [p.woman_share, 1 - p.woman_share, 0.005, 0.02])
        disadvantaged = rng.random() < p.disadvantaged_share * (1.6 if local else 0.6)
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" if rng.random() < 0.9 else ""
        return _Worker(
            key=f"{self.code}-{i + 1:04d}",
            name=name,
            home_zip=rng.choice(self.local_zips if local else self.other_zips),
            craft=craft,
            second_craft=second,
            start_level=rng.randint(1, 4) if rng.random() < p.apprentice_share else None,
            gender=gender[0],
            ethnicity=rng.choices([e for e, _ in ETHNICITIES], [w for _, w in ETHNICITIES])[0],
            veteran=rng.random() < p.veteran_share,
            disadvantaged=disadvantaged,
            new_hire=rng.random() < p.new_hire_share,
            premium=rng.choice(PREMIUMS),
            attendance=rng.uniform(0.88, 1.0),
        )


class PayrollContext:
    """What the generator needs to know about a project, read once."""

    def __init__(self, project: Project):
        self.project = project
        self.crafts = {c.name: c for c in project.crafts.all()}
        if not self.crafts:
            raise ValueError(f"Project {project.slug} has no crafts: add some before payroll.")
        commitments = list(project.commitments.select_related("area"))
        areas = [
            c.area
            for c in commitments
            if c.kind == "workforce_share" and c.params.get("qualifier") == "area_resident"
        ]
        local = list(min(areas, key=lambda a: len(a.zips)).zips) if areas else TARGETED_ZIPS
        other = [z for z in TARGETED_ZIPS + OTHER_ZIPS if z not in set(local)] or OTHER_ZIPS
        self.zips = (local, other)
        self.floor_tables = [c.params["rates"] for c in commitments if c.kind == "wage_floor"]
        # The primary agreement's due day governs the monthly reports (governing_agreement).
        self.agreement = project.agreement or Agreement(report_due_day=15)
        self._floors: dict = {}
        self._scales: dict = {}
        self.crews: dict[str, _Crew] = {}

    def crew(self, slug: str, profile: Profile) -> _Crew:
        if slug not in self.crews:
            self.crews[slug] = _Crew(slug, profile, list(self.crafts), self.zips)
        return self.crews[slug]

    def floor(self, craft: str, week: datetime.date) -> Decimal:
        """The highest wage floor for a craft on a week: per commitment, the latest row in
        effect, the craft's own rows before "any" rows (SPEC §3.2); $38 without a floor."""
        key = (craft, week)
        if key not in self._floors:
            day = week.isoformat()
            required = []
            for rates in self.floor_tables:
                for wanted in (craft, "any"):
                    rows = [r for r in rates if r["craft"] == wanted and r["effective_from"] <= day]
                    if rows:
                        required.append(
                            Decimal(max(rows, key=lambda r: r["effective_from"])["base"])
                        )
                        break
            self._floors[key] = max(required, default=DEFAULT_FLOOR)
        return self._floors[key]

    def scale(self, craft: str, level: int | None, year: int) -> tuple[Decimal, Decimal]:
        """The scale rate and fringe for a craft and level, rising about 3% a year."""
        key = (craft, level, year)
        if key not in self._scales:
            base, fringe, _ = CRAFT_SCALE.get(craft, ("45.00", "30.00", []))
            factor = Decimal(1) + Decimal("0.03") * (year - 2025)
            share = Decimal(APPRENTICE_PERCENT[level]) if level else Decimal(1)
            self._scales[key] = (
                round2(Decimal(base) * factor * share),
                round2(Decimal(fringe) * factor * (share if level else 1)),
            )
        return self._scales[key]


def month_lines(
    ctx: PayrollContext, crew: _Crew, period: datetime.date, lines: int, seed: int
) -> list[_Line]:
    """`lines` payroll lines of one crew for one month, worker by worker, week by week."""
    rng = random.Random(f"month:{seed}:{crew.slug}:{period:%Y-%m}")
    profile = crew.profile
    weeks = saturdays(period)
    months_in = max(0, month_index(ctx.project.start_date, period))
    out: list[_Line] = []
    i = int(months_in * profile.churn)
    while len(out) < lines:
        worker = crew[i]
        i += 1
        level = None
        if worker.start_level is not None:
            level = min(5, worker.start_level + months_in // 12)
        underpaid = rng.random() < profile.underpaid_share
        for week in weeks:
            if len(out) >= lines:
                break
            if rng.random() > worker.attendance:
                continue
            straight = FORTY if rng.random() < 0.7 else rng.choice(STRAIGHT_CHOICES)
            overtime = (
                rng.choice(OVERTIME_CHOICES) if rng.random() < profile.overtime_share else ZERO
            )
            doubletime = rng.choice(DOUBLETIME_CHOICES) if rng.random() < 0.03 else ZERO
            split = worker.second_craft and lines - len(out) >= 2 and rng.random() < 0.3
            if split:
                first = rng.choice(SPLIT_CHOICES)
                parts = [(worker.craft, first, overtime, doubletime)]
                parts.append((worker.second_craft, FORTY - first, ZERO, ZERO))
            else:
                parts = [(worker.craft, straight, overtime, doubletime)]
            for craft, st, ot, dt in parts:
                scale, fringe = ctx.scale(craft, level, week.year)
                floor = ctx.floor(craft, week)
                if underpaid:
                    rate = floor - rng.choice(UNDERPAY_CUTS)
                else:
                    rate = max(scale, floor + HALF) + worker.premium
                gross = round2(st * rate + ot * rate * OVERTIME + dt * rate * DOUBLE)
                out.append(
                    _Line(worker, week, craft, level, st, ot, dt, st + ot + dt, rate, fringe, gross)
                )
    return out


def _yn(value: bool) -> str:
    return "Y" if value else "N"


def payroll_rows(
    *,
    project: Project,
    assignment: Assignment,
    period: datetime.date,
    lines: int,
    seed: int = 1,
    profile: Profile | None = None,
) -> Iterator[dict]:
    """One month of one contractor's payroll in the intake's field names (SPEC §5.3).

    Valid against SPEC §5.1: one line per (worker, week ending, craft), week endings are the
    month's Saturdays, a worker's hours in a week are at most 58.
    """
    ctx = PayrollContext(project)
    slug = assignment.contractor.slug
    profile = profile or contractor_profile(slug, tier=assignment.tier, seed=seed)
    crew = ctx.crew(slug, profile)
    for line in month_lines(ctx, crew, period.replace(day=1), lines, seed):
        worker = line.worker
        craft = ctx.crafts[line.craft]
        label = craft.aliases[0] if profile.uses_aliases and craft.aliases else craft.name
        yield {
            "worker_id": worker.key,
            "worker_name": worker.name,
            "home_zip": worker.home_zip,
            "craft": label,
            "apprentice": "RA" if line.level else "J",
            "apprentice_level": line.level,
            "week_ending": line.week,
            "straight_hours": line.straight,
            "overtime_hours": line.overtime,
            "doubletime_hours": line.doubletime,
            "hourly_rate": line.rate,
            "fringe_rate": line.fringe,
            "gross_pay": line.gross,
            "gender": worker.gender,
            "ethnicity": worker.ethnicity,
            "veteran": _yn(worker.veteran),
            "disadvantaged": _yn(worker.disadvantaged),
            "new_hire": _yn(worker.new_hire),
        }
