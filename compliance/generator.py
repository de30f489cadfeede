"""Realistic payroll data, written straight into the database, for the demo, tests and benchmark.

A project here looks like a Los Angeles public-works job: seven building trades, workers who
live in ~80 ZIP codes of the region (20 of them a targeted, economically disadvantaged area),
15-25% registered apprentices at levels 1-5, pay around the prevailing wage with a small
share of lines below the project's wage floor, overtime at 1.5x and double time at 2x.
Each contractor keeps a stable crew that turns over slowly, so the same worker IDs recur
month after month. Everything is drawn from `random.Random` seeded with strings, so the same
seed gives the same data on every machine.

- `build_project` sets up a project with every kind of commitment and N contractors.
- `payroll_rows` yields one month of one contractor's lines in the intake's field names.
- `write_lines` writes current reports and their lines for a whole project, fast: workers
  and reports in bulk, lines by COPY on PostgreSQL and by one executemany per 5,000 lines
  elsewhere (no model instance per line).
"""

import datetime
import hashlib
import math
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from compliance.models import PayrollLine, ProgressEntry, Report, Worker
from compliance.numbers import round2
from projects.models import (
    Agreement,
    Area,
    Assignment,
    Commitment,
    Craft,
    Monitoring,
    Organization,
    Project,
)

# A targeted area: South LA, Watts, Boyle Heights, East LA, Compton, Inglewood.
TARGETED_ZIPS = [
    "90001", "90002", "90003", "90011", "90016", "90018", "90022", "90023", "90033", "90037",
    "90043", "90044", "90047", "90059", "90061", "90062", "90063", "90220", "90255", "90301",
]  # fmt: skip
# The rest of the region workers commute from, Inland Empire included.
OTHER_ZIPS = [
    "90004", "90005", "90006", "90007", "90008", "90010", "90012", "90013", "90014", "90015",
    "90017", "90019", "90020", "90021", "90024", "90025", "90026", "90027", "90028", "90029",
    "90031", "90032", "90034", "90035", "90036", "90039", "90041", "90042", "90045", "90046",
    "90048", "90049", "90056", "90057", "90064", "90065", "90066", "90201", "90230", "90240",
    "90242", "90250", "90260", "90262", "90280", "90501", "90601", "90650", "90703", "90706",
    "90731", "90744", "90805", "90813", "91101", "91204", "91331", "91342", "91710", "92335",
]  # fmt: skip
# ZIPs inside the City of Los Angeles, for a citywide local-hire rule.
LA_CITY_ZIPS = sorted(
    [z for z in TARGETED_ZIPS + OTHER_ZIPS if "90001" <= z <= "90068"]
    + ["90731", "90744", "91331", "91342"]
)

# Craft: (journeyworker base rate, fringe rate, aliases): LA County scale, 2025.
CRAFT_SCALE = {
    "Carpenter": ("52.50", "36.80", ["Carp"]),
    "Laborer": ("41.20", "30.40", ["Labor"]),
    "Electrician": ("63.10", "40.25", ["Inside Wireman"]),
    "Operating Engineer": ("60.70", "36.95", ["Op Eng"]),
    "Ironworker": ("51.35", "41.10", ["Iron Worker"]),
    "Plumber": ("57.90", "35.60", ["Pipefitter"]),
    "Cement Mason": ("46.80", "32.70", ["Finisher"]),
}
# An apprentice earns a rising share of the journeyworker rate as they advance.
APPRENTICE_PERCENT = {1: "0.60", 2: "0.66", 3: "0.72", 4: "0.80", 5: "0.88"}
# Crews by trade: craft weights.
TRADES = {
    "general": {"Carpenter": 4, "Laborer": 4, "Operating Engineer": 1, "Cement Mason": 1},
    "concrete": {"Cement Mason": 4, "Laborer": 3, "Carpenter": 2},
    "electrical": {"Electrician": 9, "Laborer": 1},
    "excavation": {"Operating Engineer": 5, "Laborer": 4},
    "steel": {"Ironworker": 8, "Laborer": 1},
    "plumbing": {"Plumber": 8, "Laborer": 1},
    "framing": {"Carpenter": 7, "Laborer": 2},
}
ETHNICITIES = [
    ("Hispanic or Latino", 52),
    ("White", 20),
    ("Black or African American", 12),
    ("Asian", 7),
    ("Two or more races", 4),
    ("American Indian or Alaska Native", 1),
    ("Native Hawaiian or Pacific Islander", 1),
    ("", 3),
]
FIRST_NAMES = (
    "Jose Maria Luis Ana Carlos Rosa Juan Guadalupe Miguel Carmen Jesus Elena Marcus Keisha "
    "Darnell Tanya Andre Latoya James Mary Robert Linda Michael Sarah David Karen Kevin Nicole "
    "Minh Linh Hyun Ji Ahmed Fatima Tavita Leilani Oscar Veronica Ricardo Yesenia"
).split()
LAST_NAMES = (
    "Garcia Hernandez Lopez Martinez Gonzalez Rodriguez Perez Sanchez Ramirez Flores Torres "
    "Rivera Gomez Diaz Cruz Reyes Morales Ortiz Johnson Williams Brown Jones Jackson Washington "
    "Robinson Harris Smith Miller Davis Wilson Anderson Nguyen Tran Kim Park Lee Chen Khan "
    "Tuilagi Kahale"
).split()
CONTRACTOR_NAMES = (
    "Alameda Pacific Rancho Sepulveda Figueroa Slauson Vermont Crenshaw Manchester Florence "
    "Normandie Western Imperial Harbor Mission Sunset Olympic Century Arroyo Topanga"
).split()
TRADE_WORDS = {
    "general": "Builders",
    "concrete": "Concrete",
    "electrical": "Electric",
    "excavation": "Grading",
    "steel": "Steel",
    "plumbing": "Plumbing",
    "framing": "Framing",
}

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


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


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


def ensure_crafts(names: Iterable[str] = CRAFT_SCALE) -> dict[str, Craft]:
    """The crafts, created with their aliases when missing (an existing craft is left alone)."""
    crafts = {}
    for name in names:
        crafts[name], _ = Craft.objects.get_or_create(
            name=name, defaults={"aliases": CRAFT_SCALE[name][2]}
        )
    return crafts


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


class _Context:
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
        agreement = Agreement.objects.filter(project=project).first()
        self.agreement = agreement or Agreement(report_due_day=15)
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


def _month_lines(
    ctx: _Context, crew: _Crew, period: datetime.date, lines: int, seed: int
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
    ctx = _Context(project)
    slug = assignment.contractor.slug
    profile = profile or contractor_profile(slug, tier=assignment.tier, seed=seed)
    crew = ctx.crew(slug, profile)
    for line in _month_lines(ctx, crew, period.replace(day=1), lines, seed):
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


def _periods(project: Project, months: int | Sequence[datetime.date] | None) -> list:
    start = project.start_date.replace(day=1)
    if months is None:
        months = month_index(start, project.end_date) + 1
    if isinstance(months, int):
        return [add_months(start, k) for k in range(months)]
    return sorted({m.replace(day=1) for m in months})


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights`, largest remainders first; sums to `total`."""
    whole = sum(weights)
    if not weights or whole <= 0:
        return [0] * len(weights)
    raw = [total * w / whole for w in weights]
    counts = [int(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda k: raw[k] - counts[k], reverse=True)
    for k in by_remainder[: total - sum(counts)]:
        counts[k] += 1
    return counts


def _ramp(k: int, total: int) -> float:
    """Crews build up over the first months of a project and wind down in the last ones."""
    return min(1.0, 0.5 + 0.5 * (k + 1) / 4, 0.6 + 0.4 * (total - k) / 3)


# The PayrollLine columns the generator fills, in the order `_row` builds them.
LINE_FIELDS = (
    "report_id",
    "project_id",
    "assignment_id",
    "is_current",
    "row_number",
    "worker_id",
    "week_ending",
    "craft_id",
    "home_zip",
    "is_apprentice",
    "apprentice_level",
    "straight_hours",
    "overtime_hours",
    "doubletime_hours",
    "hours",
    "hourly_rate",
    "fringe_rate",
    "gross_pay",
    "gender",
    "ethnicity",
    "veteran",
    "disadvantaged",
    "new_hire",
)


class _LineSink:
    """Collects line rows and writes them in batches: COPY on PostgreSQL, one multi-row
    executemany elsewhere."""

    BATCH = 5000

    def __init__(self):
        fields = [f for f in PayrollLine._meta.concrete_fields if not f.primary_key]
        # Fields added to PayrollLine later get their model default.
        extra = [f for f in fields if f.attname not in LINE_FIELDS]
        self.attnames = LINE_FIELDS + tuple(f.attname for f in extra)
        self.defaults = tuple(f.get_default() for f in extra)
        by_attname = {f.attname: f for f in fields}
        self.columns = [by_attname[a].column for a in self.attnames]
        self.copy = connection.vendor == "postgresql"
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, row: tuple) -> None:
        self.rows.append(row + self.defaults if self.defaults else row)
        if len(self.rows) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        table = connection.ops.quote_name(PayrollLine._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if self.copy:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                # The values are already the driver's types (Decimal, date, bool, int, str),
                # so one executemany does what bulk_create would, without building a model
                # instance and preparing every value of a million lines.
                marks = ", ".join(["%s"] * len(self.columns))
                # Identifiers come from the model's metadata, quoted; values are parameters.
                sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, self.rows)
        self.written += len(self.rows)
        self.rows = []


def _submitted_at(
    ctx: _Context, period: datetime.date, late: bool, rng: random.Random, now: datetime.datetime
) -> tuple[datetime.datetime, bool]:
    """When a report came in: by its due date, or 2-25 days after it when late; never in
    the future. Late means submitted after the agreement's due date (SPEC §3.4)."""
    due = ctx.agreement.report_due_date(period)
    if late:
        day = due + datetime.timedelta(days=rng.randint(2, 25))
    else:
        day = max(due - datetime.timedelta(days=rng.randint(0, 12)), add_months(period, 1))
    at = timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(rng.randint(7, 17), rng.randint(0, 59)))
    )
    if at > now:
        at = now - datetime.timedelta(minutes=rng.randint(5, 600))
    return at, timezone.localdate(at) > due


@transaction.atomic
def write_lines(
    *,
    project: Project,
    lines: int,
    months: int | Sequence[datetime.date] | None = None,
    seed: int = 1,
    late_share: float = 0.0,
    missing: Iterable[tuple[str, datetime.date]] = (),
    profiles: dict[str, dict] | None = None,
) -> int:
    """Write current reports with `lines` payroll lines in all, spread over the project's
    assignments and months; returns the number of lines written.

    `months`: None for every month of the project, a number for the first N months, or a
    list of months. Each assignment reports for the months inside its own dates; a month
    that gets no lines is a "no work this month" report. `late_share` of the reports come in
    after the due date; `missing` names (contractor slug, month) pairs left without a report;
    `profiles` overrides crew traits by contractor slug (see `Profile`). A month that already
    has a current report gets a new version (an amendment) that replaces it.
    """
    ctx = _Context(project)
    rng = random.Random(f"write:{seed}:{project.slug}")
    periods = _periods(project, months)
    span = month_index(project.start_date, project.end_date) + 1
    skip = {(slug, period.replace(day=1)) for slug, period in missing}
    assignments = list(
        project.assignments.select_related("contractor").prefetch_related("contacts").order_by("id")
    )
    profile_of = {
        a.id: contractor_profile(
            a.contractor.slug,
            tier=a.tier,
            overrides=(profiles or {}).get(a.contractor.slug),
            seed=seed,
        )
        for a in assignments
    }
    slots = [
        (a, period)
        for a in assignments
        for period in periods
        if a.start_date.replace(day=1) <= period <= (a.end_date or project.end_date)
        and (a.contractor.slug, period) not in skip
    ]
    weights = [
        profile_of[a.id].size
        * _ramp(month_index(project.start_date, period), span)
        * rng.uniform(0.85, 1.15)
        for a, period in slots
    ]
    counts = _allocate(lines, weights)
    sink = _LineSink()
    now = timezone.now()
    craft_ids = {name: craft.id for name, craft in ctx.crafts.items()}
    for a in assignments:
        months_of = [(period, n) for (b, period), n in zip(slots, counts, strict=True) if b is a]
        if not months_of:
            continue
        crew = ctx.crew(a.contractor.slug, profile_of[a.id])
        batches = [(period, _month_lines(ctx, crew, period, n, seed)) for period, n in months_of]
        worker_ids = _ensure_workers(a.contractor, batches)
        report_ids = _create_reports(ctx, a, batches, late_share, seed, now)
        for period, batch in batches:
            report_id = report_ids[period]
            for number, line in enumerate(batch, start=1):
                worker = line.worker
                sink.add(
                    (
                        report_id,
                        project.id,
                        a.id,
                        True,
                        number,
                        worker_ids[worker.key],
                        line.week,
                        craft_ids[line.craft],
                        worker.home_zip,
                        line.level is not None,
                        line.level,
                        line.straight,
                        line.overtime,
                        line.doubletime,
                        line.hours,
                        line.rate,
                        line.fringe,
                        line.gross,
                        worker.gender,
                        worker.ethnicity,
                        worker.veteran,
                        worker.disadvantaged,
                        worker.new_hire,
                    )
                )
    sink.flush()
    return sink.written


def _ensure_workers(contractor: Organization, batches: list) -> dict[str, int]:
    """The contractor's worker ids by worker key, creating the missing workers in bulk."""
    known = dict(Worker.objects.filter(contractor=contractor).values_list("worker_key", "id"))
    new = {}
    for _, batch in batches:
        for line in batch:
            if line.worker.key not in known:
                new[line.worker.key] = line.worker.name
    if new:
        Worker.objects.bulk_create(
            [Worker(contractor=contractor, worker_key=k, name=n) for k, n in new.items()],
            batch_size=2000,
        )
        known = dict(Worker.objects.filter(contractor=contractor).values_list("worker_key", "id"))
    return known


def _create_reports(
    ctx: _Context, assignment: Assignment, batches: list, late_share: float, seed: int, now
) -> dict[datetime.date, int]:
    """One new current report per month, replacing (as a new version) any current one."""
    periods = [period for period, _ in batches]
    replaced = Report.objects.filter(assignment=assignment, period__in=periods, is_current=True)
    versions = dict(replaced.values_list("period", "version"))
    if versions:
        PayrollLine.objects.filter(report__in=replaced).update(is_current=False)
        replaced.update(is_current=False)
    contact = next(iter(assignment.contacts.all()), None)
    reports = []
    for period, batch in batches:
        rng = random.Random(f"report:{seed}:{assignment.contractor.slug}:{period:%Y-%m}")
        submitted_at, is_late = _submitted_at(ctx, period, rng.random() < late_share, rng, now)
        digest = hashlib.sha256()
        for line in batch:
            digest.update(
                f"{line.worker.key}|{line.week}|{line.craft}|{line.hours}|{line.rate}\n".encode()
            )
        reports.append(
            Report(
                assignment=assignment,
                period=period,
                version=versions.get(period, 0) + 1,
                is_current=True,
                source=Report.Source.API if batch else Report.Source.NO_WORK,
                no_work=not batch,
                submitted_by=contact,
                submitted_at=submitted_at,
                is_late=is_late,
                sha256=digest.hexdigest(),
                line_count=len(batch),
                total_hours=sum((line.hours for line in batch), ZERO),
                worker_count=len({line.worker.key for line in batch}),
            )
        )
    Report.objects.bulk_create(reports, batch_size=500)
    return dict(
        Report.objects.filter(
            assignment=assignment, period__in=periods, is_current=True
        ).values_list("period", "id")
    )


def build_project(
    *,
    slug: str = "bench",
    contractors: int = 40,
    months: int = 60,
    start: datetime.date = datetime.date(2021, 1, 1),
    seed: int = 1,
) -> Project:
    """A project with every kind of commitment (all scoped per contractor and craft), a
    monitoring coalition and law center, and `contractors` assignments: one prime, the
    rest its subcontractors. Count targets get a few progress entries."""
    rng = random.Random(f"project:{seed}:{slug}")
    crafts = ensure_crafts()
    area, _ = Area.objects.update_or_create(
        slug=f"{slug}-targeted",
        defaults={"name": "Targeted ZIPs (economically disadvantaged)", "zips": TARGETED_ZIPS},
    )

    def org(suffix: str, name: str, kind: str) -> Organization:
        return Organization.objects.get_or_create(
            slug=f"{slug}-{suffix}", defaults={"name": name, "kind": kind}
        )[0]

    title = slug.replace("-", " ").title()
    owner = org("owner", f"{title} Development Authority", Organization.Kind.OWNER)
    start = start.replace(day=1)
    end = add_months(start, months) - datetime.timedelta(days=1)
    project = Project.objects.create(
        slug=slug,
        name=f"{title} Transit Corridor",
        location="Los Angeles, CA",
        owner=owner,
        start_date=start,
        end_date=end,
        status=Project.Status.ACTIVE,
    )
    project.crafts.set(crafts.values())
    Agreement.objects.create(
        project=project,
        title=f"{title} Community Benefits Agreement",
        effective_date=start,
        signatories=f"{owner.name}; {title} Community Coalition",
    )
    for suffix, name, kind in [
        ("coalition", f"{title} Community Coalition", Organization.Kind.COALITION),
        ("law-center", f"{title} Community Benefits Law Center", Organization.Kind.LAW_CENTER),
    ]:
        Monitoring.objects.create(project=project, organization=org(suffix, name, kind))

    years = max(1, math.ceil(months / 12))
    shares = {"scope": "contractor_craft"}
    specs = [
        ("targeted", "§3.1", "Targeted worker hours", "workforce_share",
         {**shares, "qualifier": "area_resident", "target_percent": "40",
          "penalty_per_unit": "25"}, area),
        ("disadvantaged", "§3.2", "Disadvantaged worker hours", "workforce_share",
         {**shares, "qualifier": "disadvantaged", "target_percent": "10"}, None),
        ("apprentice", "§3.3", "Apprentice hours", "workforce_share",
         {**shares, "qualifier": "apprentice", "target_percent": "20", "warning_margin": "2"},
         None),
        ("wage", "§5", "Prevailing wage floor", "wage_floor",
         {**shares, "basis": "base", "rates": [
             {"craft": "any", "effective_from": start.isoformat(), "base": "38.00", "fringe": "0"},
             {"craft": "Electrician", "effective_from": start.isoformat(), "base": "55.00",
              "fringe": "0"}]}, None),
        ("units", "§7", "Affordable units", "count_target",
         {"unit": "units", "target_quantity": "100", "start_date": start.isoformat(),
          "due_date": end.isoformat(), "max_ami_percent": "60",
          "milestones": [{"date": add_months(start, months // 2).isoformat(), "quantity": "40"},
                         {"date": end.isoformat(), "quantity": "100"}]}, None),
        ("funding", "§8", "Community fund payments", "count_target",
         {"unit": "dollars", "target_quantity": str(250_000 * years),
          "start_date": start.isoformat(),
          "due_date": (add_months(start, 12 * years) - datetime.timedelta(days=1)).isoformat(),
          "milestones": [
              {"date": (add_months(start, 12 * y) - datetime.timedelta(days=1)).isoformat(),
               "quantity": str(250_000 * y)} for y in range(1, years + 1)]}, None),
    ]  # fmt: skip
    commitments = {}
    for position, (key, clause, name, kind, params, commitment_area) in enumerate(specs):
        commitments[key] = Commitment.objects.create(
            project=project,
            key=key,
            clause=clause,
            title=name,
            kind=kind,
            params=params,
            area=commitment_area,
            position=position,
        )
    ProgressEntry.objects.bulk_create(
        [
            ProgressEntry(
                commitment=commitments["units"],
                date=add_months(start, 6 * k),
                quantity=Decimal(rng.choice([8, 12, 16, 20])),
                ami_percent=Decimal(rng.choice([30, 50, 60, 60, 80])),
                note="Units placed in service",
            )
            for k in range(1, months // 6 + 1)
        ]
        + [
            ProgressEntry(
                commitment=commitments["funding"],
                date=add_months(start, 12 * y) - datetime.timedelta(days=20),
                quantity=Decimal(250_000 if y % 3 else 180_000),
                note=f"Community fund payment, year {y}",
            )
            for y in range(1, years + 1)
        ]
    )

    prime = None
    for i in range(contractors):
        tier = Assignment.Tier.PRIME if i == 0 else Assignment.Tier.SUB
        slug_i = f"{slug}-c{i + 1:02d}"
        trade = contractor_profile(slug_i, tier=tier, seed=seed).trade
        company = CONTRACTOR_NAMES[i % len(CONTRACTOR_NAMES)]
        suffix = f" {i // len(CONTRACTOR_NAMES) + 1}" if i >= len(CONTRACTOR_NAMES) else ""
        contractor = Organization.objects.get_or_create(
            slug=slug_i,
            defaults={
                "name": f"{company} {TRADE_WORDS[trade]}{suffix}",
                "kind": Organization.Kind.CONTRACTOR,
            },
        )[0]
        assignment = Assignment.objects.create(
            project=project,
            contractor=contractor,
            tier=tier,
            parent=prime,
            scope_of_work="General contractor" if prime is None else f"{trade.title()} work",
            start_date=start,
        )
        prime = prime or assignment
    return project
