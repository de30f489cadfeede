"""Evaluations and flags in the shapes the engine writes (the evaluation data contract), for
the coalition workspace's tests: the pages must be testable without running the engine."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache

from compliance.evaluation.kinds import kind_of
from compliance.evaluation.standings import standings_refresh
from compliance.models import Evaluation, Flag, FlagEvent
from compliance.numbers import percent
from projects.models import Agreement, Assignment, Monitoring, Organization, Project
from tests.conftest import make_commitment

AS_OF = datetime.date(2026, 10, 31)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The actors' passwords hash in microseconds: these tests are about pages, not hashing.
    Import it into a test module to apply it there."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache():
    """The project page caches sums over its evaluations; each test starts without them."""
    cache.clear()


def series(rows: list[tuple[str, str, str]]) -> list[dict]:
    """[(month, numerator, denominator)] → the engine's monthly series with percents."""
    out, cum_n, cum_d = [], Decimal(0), Decimal(0)
    for month, num, den in rows:
        n, d = Decimal(num), Decimal(den)
        cum_n += n
        cum_d += d
        pct, cum = percent(n, d), percent(cum_n, cum_d)
        out.append(
            {
                "month": month,
                "numerator": f"{n:.2f}",
                "denominator": f"{d:.2f}",
                "percent": None if pct is None else str(pct),
                "cumulative_percent": None if cum is None else str(cum),
            }
        )
    return out


def months(count: int, start: datetime.date = datetime.date(2024, 1, 1)) -> list[str]:
    out, year, month = [], start.year, start.month
    for _ in range(count):
        out.append(f"{year}-{month:02d}")
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out


def group_key(assignment=None, craft=None) -> str:
    parts = []
    if assignment is not None:
        parts.append(f"a{assignment.id}")
    if craft is not None:
        parts.append(f"c{craft.id}")
    return "-".join(parts) or "project"


def make_evaluation(project, commitment, *, assignment=None, craft=None, **fields) -> Evaluation:
    kind = commitment.kind if commitment is not None else "reporting"
    defaults = {
        "as_of": AS_OF,
        "status": "met",
        "target_percent": getattr(kind_of(commitment).terms(commitment), "target_percent", None)
        if commitment
        else None,
    }
    defaults.update(fields)
    evaluation = Evaluation.objects.create(
        project=project,
        commitment=commitment,
        commitment_key=commitment.key if commitment is not None else "reporting",
        kind=kind,
        group_key=group_key(assignment, craft),
        assignment=assignment,
        craft=craft,
        **defaults,
    )
    standings_refresh(project=project)  # as the pipeline does after storing evaluations
    return evaluation


def make_reporting(project, assignment, *, due, on_time, late, missing, month_rows=None):
    return make_evaluation(
        project,
        None,
        assignment=assignment,
        status="shortfall" if missing else "met",
        numerator=on_time + late,
        denominator=due,
        details={
            "due": due,
            "on_time": on_time,
            "late": late,
            "missing": missing,
            "not_yet_due": 0,
            "months": month_rows or [],
        },
    )


_flag_numbers = iter(range(1, 10**9))


def make_flag(project, kind="shortfall", severity="critical", **fields) -> Flag:
    number = next(_flag_numbers)
    commitment = fields.pop("commitment", None)
    assignment = fields.get("assignment")
    craft = fields.get("craft")
    fields.setdefault("commitment_key", commitment.key if commitment else "reporting")
    fields.setdefault("group_key", group_key(assignment, craft))
    fields.setdefault("title", f"{kind.replace('_', ' ').capitalize()} #{number}")
    flag = Flag.objects.create(
        project=project,
        commitment=commitment,
        kind=kind,
        severity=severity,
        dedupe_key=f"{kind}:{fields['commitment_key']}:{fields['group_key']}:{number}",
        **fields,
    )
    FlagEvent.objects.create(flag=flag, kind="raised", to_status=flag.status)
    return flag


def crenshaw_compliance(project, walsh, pulice, crafts, area) -> dict:
    """The demo project's standing: SPEC §10 example A (targeted hire, at risk), B (per
    contractor and trade), D (a wage floor with $100 owed), E (a funding schedule short)."""
    targeted = make_commitment(
        project,
        "targeted",
        "workforce_share",
        clause="§3.1",
        title="Targeted worker hours",
        qualifier="area_resident",
        area=area,
        target_percent="40",
        penalty_per_unit="25",
    )
    local_trades = make_commitment(
        project,
        "local-trades",
        "workforce_share",
        clause="§3.2",
        title="Local hours per trade",
        qualifier="area_resident",
        area=area,
        scope="contractor_craft",
        target_percent="30",
    )
    wage = make_commitment(
        project,
        "wage",
        "wage_floor",
        clause="§5",
        title="Prevailing wage",
        rates=[{"craft": "any", "effective_from": "2024-01-01", "base": "38.00", "fringe": "0"}],
    )
    funding = make_commitment(
        project,
        "funding",
        "count_target",
        clause="§7",
        title="Community fund",
        unit="dollars",
        target_quantity="2500000",
        start_date="2020-01-01",
        due_date="2029-12-31",
        milestones=[
            {"date": f"{2020 + i}-12-31", "quantity": str(250000 * (i + 1))} for i in range(10)
        ],
    )
    for position, commitment in enumerate([targeted, local_trades, wage, funding]):
        commitment.position = position
        commitment.save(update_fields=["position"])
    make_evaluation(
        project,
        targeted,
        numerator=Decimal("3700"),
        denominator=Decimal("10000"),
        actual_percent=Decimal("37.00"),
        shortfall=Decimal("300.00"),
        projected_percent=Decimal("38.50"),
        status="at_risk",
        series=series(
            [("2026-08", "1000", "3000"), ("2026-09", "1200", "3500"), ("2026-10", "1500", "3500")]
        ),
        details={
            "measure": "hours",
            "qualifier": "area_resident",
            "population": "all",
            "penalty_per_unit": "25",
            "liquidated_damages": "7500.00",
            "unit": "hours",
        },
    )
    # Example B: Walsh's carpenters meet 30%, its laborers do not.
    make_evaluation(
        project,
        local_trades,
        assignment=walsh,
        craft=crafts["Carpenter"],
        numerator=Decimal("350"),
        denominator=Decimal("1000"),
        actual_percent=Decimal("35.00"),
        projected_percent=Decimal("35.00"),
        status="met",
        series=series([("2026-09", "150", "500"), ("2026-10", "200", "500")]),
    )
    make_evaluation(
        project,
        local_trades,
        assignment=walsh,
        craft=crafts["Laborer"],
        numerator=Decimal("120"),
        denominator=Decimal("800"),
        actual_percent=Decimal("15.00"),
        shortfall=Decimal("120.00"),
        projected_percent=Decimal("15.00"),
        status="shortfall",
        series=series([("2026-09", "60", "400"), ("2026-10", "60", "400")]),
    )
    make_evaluation(
        project,
        wage,
        numerator=Decimal("40"),
        denominator=Decimal("50"),
        shortfall=Decimal("100.00"),
        status="shortfall",
        series=series([("2026-10", "40", "50")]),
        details={
            "violations": [
                {
                    "line_id": None,
                    "worker": "W-17",
                    "week_ending": "2026-10-09",
                    "craft": "Laborer",
                    "hours": "40.00",
                    "paid": "35.50",
                    "required": "38.00",
                    "owed": "100.00",
                }
            ],
            "violation_count": 1,
            "worker_count": 1,
        },
    )
    make_evaluation(
        project,
        funding,
        numerator=Decimal("265000"),
        denominator=Decimal("2500000"),
        shortfall=Decimal("235000.00"),
        status="shortfall",
        details={
            "unit": "dollars",
            "due_to_date": "500000.00",
            "target_quantity": "2500000.00",
            "start_date": "2020-01-01",
            "due_date": "2029-12-31",
            "next_milestone": {"date": "2026-12-31", "quantity": "1750000.00"},
        },
    )
    make_reporting(
        project,
        walsh,
        due=10,
        on_time=9,
        late=1,
        missing=0,
        month_rows=[{"month": "2026-09", "due_date": "2026-10-15", "status": "late"}],
    )
    make_reporting(
        project,
        pulice,
        due=10,
        on_time=8,
        late=0,
        missing=2,
        month_rows=[
            {"month": "2026-08", "due_date": "2026-09-15", "status": "missing"},
            {"month": "2026-09", "due_date": "2026-10-15", "status": "missing"},
        ],
    )
    return {"targeted": targeted, "local_trades": local_trades, "wage": wage, "funding": funding}


def grow_project(project, commitment, *, contractors: int, month_count: int, flags: int):
    """Add contractors (each with a group evaluation over `month_count` months, a reporting
    record and `flags` flags) to a project."""
    for c in range(contractors):
        org = Organization.objects.create(
            slug=f"{project.slug}-co-{Organization.objects.count()}",
            name=f"Contractor {c}",
            kind="contractor",
        )
        assignment = Assignment.objects.create(
            project=project, contractor=org, start_date=project.start_date
        )
        make_evaluation(
            project,
            commitment,
            assignment=assignment,
            numerator=Decimal("10"),
            denominator=Decimal("100"),
            actual_percent=Decimal("10.00"),
            shortfall=Decimal("10.00"),
            status="shortfall",
            series=series([(m, "10", "100") for m in months(month_count)]),
        )
        make_reporting(
            project,
            assignment,
            due=month_count,
            on_time=month_count - 1,
            late=0,
            missing=1,
            month_rows=[{"month": months(1)[0], "due_date": "2024-02-15", "status": "missing"}],
        )
        for _ in range(flags):
            make_flag(
                project, "shortfall", "critical", commitment=commitment, assignment=assignment
            )


def grow_portfolio(*, coalition, projects: int, contractors: int, month_count: int, flags: int):
    """More projects, contractors, months and flags, for query counts at a second size."""
    made = []
    for _ in range(projects):
        n = Project.objects.count()
        project = Project.objects.create(
            slug=f"extra-{n}",
            name=f"Extra project {n}",
            start_date=datetime.date(2024, 1, 1),
            end_date=datetime.date(2027, 12, 31),
        )
        Agreement.objects.create(
            project=project, title="CBA", effective_date=datetime.date(2024, 1, 1)
        )
        Monitoring.objects.create(project=project, organization=coalition)
        commitment = make_commitment(
            project,
            "apprentice",
            "workforce_share",
            qualifier="apprentice",
            target_percent="20",
            scope="contractor",
        )
        grow_project(
            project, commitment, contractors=contractors, month_count=month_count, flags=flags
        )
        made.append(project)
    return made
