"""Shared actors and builders.

Actors: `contractor` (clerk of Walsh, the prime), `other_contractor` (clerk of Pulice, a
sub), `reviewer` (a coalition that monitors the project), `lawyer` (a law center that
monitors it), `outsider` (a coalition that does not), `admin` (a program admin).
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from compliance.models import PayrollLine, Report, Worker
from projects.models import (
    Agreement,
    Area,
    Assignment,
    Commitment,
    Craft,
    Membership,
    Monitoring,
    Organization,
    Project,
)

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing takes most of a second per user; tests need many users, not safe ones."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_abuse_counters():
    """Throttle counters live in the cache, which outlives a test's database rollback."""
    from django.core.cache import cache

    cache.clear()


def make_user(username: str, organization: Organization | None = None, **extra) -> User:
    user = User.objects.create_user(
        username=username, email=f"{username}@example.org", password=PASSWORD, **extra
    )
    if organization is not None:
        Membership.objects.create(user=user, organization=organization)
    return user


@pytest.fixture
def crafts(db) -> dict[str, Craft]:
    return {
        "Carpenter": Craft.objects.create(name="Carpenter", aliases=["Carp"]),
        "Laborer": Craft.objects.create(name="Laborer", aliases=["Labor"]),
        "Electrician": Craft.objects.create(name="Electrician"),
        "Operating Engineer": Craft.objects.create(name="Operating Engineer", aliases=["Op Eng"]),
    }


@pytest.fixture
def area(db) -> Area:
    return Area.objects.create(
        slug="la-eda", name="Economically disadvantaged ZIPs", zips=["90001", "90002", "90003"]
    )


@pytest.fixture
def orgs(db) -> dict[str, Organization]:
    kinds = {
        "walsh": ("Walsh Shea", "contractor"),
        "pulice": ("Pulice", "contractor"),
        "coalition": ("Crenshaw Coalition", "coalition"),
        "lawcenter": ("Community Benefits Law Center", "law_center"),
        "elsewhere": ("Elsewhere Coalition", "coalition"),
        "metro": ("Metro", "owner"),
    }
    return {
        slug: Organization.objects.create(slug=slug, name=name, kind=kind)
        for slug, (name, kind) in kinds.items()
    }


@pytest.fixture
def project(db, crafts, orgs) -> Project:
    project = Project.objects.create(
        slug="crenshaw",
        name="Crenshaw/LAX Line",
        location="Los Angeles, CA",
        owner=orgs["metro"],
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2026, 12, 31),
    )
    project.crafts.set(crafts.values())
    Agreement.objects.create(
        project=project,
        title="Construction Careers Policy",
        effective_date=datetime.date(2024, 1, 1),
        cure_period_days=30,
        report_due_day=15,
    )
    Monitoring.objects.create(project=project, organization=orgs["coalition"])
    Monitoring.objects.create(project=project, organization=orgs["lawcenter"])
    return project


@pytest.fixture
def walsh(project, orgs) -> Assignment:
    return Assignment.objects.create(
        project=project, contractor=orgs["walsh"], tier="prime", start_date=project.start_date
    )


@pytest.fixture
def pulice(project, orgs, walsh) -> Assignment:
    return Assignment.objects.create(
        project=project,
        contractor=orgs["pulice"],
        tier="sub",
        parent=walsh,
        start_date=project.start_date,
    )


@pytest.fixture
def contractor(orgs, walsh) -> User:
    user = make_user("walsh_clerk", orgs["walsh"])
    walsh.contacts.add(user)
    return user


@pytest.fixture
def other_contractor(orgs, pulice) -> User:
    user = make_user("pulice_clerk", orgs["pulice"])
    pulice.contacts.add(user)
    return user


@pytest.fixture
def reviewer(orgs, project) -> User:
    return make_user("reviewer", orgs["coalition"])


@pytest.fixture
def lawyer(orgs, project) -> User:
    return make_user("lawyer", orgs["lawcenter"])


@pytest.fixture
def outsider(orgs, project) -> User:
    return make_user("outsider", orgs["elsewhere"])


@pytest.fixture
def admin(db) -> User:
    return make_user("admin", None, is_staff=True, is_superuser=True)


def make_commitment(project: Project, key: str, kind: str, **params) -> Commitment:
    area = params.pop("area", None)
    clause = params.pop("clause", "§1")
    title = params.pop("title", key.replace("_", " ").title())
    return Commitment.objects.create(
        project=project, key=key, clause=clause, title=title, kind=kind, params=params, area=area
    )


def make_report(
    assignment: Assignment,
    period: datetime.date,
    lines: list[dict],
    *,
    version: int = 1,
    source: str = "api",
    **extra,
) -> Report:
    """A current report with the given lines, written straight to the database.

    Each line dict needs worker, week_ending, craft (a Craft), hours; anything else defaults
    to a journeyworker in ZIP 99999 paid $50/h.
    """
    Report.objects.filter(assignment=assignment, period=period, is_current=True).update(
        is_current=False
    )
    PayrollLine.objects.filter(
        assignment=assignment, report__period=period, is_current=True
    ).update(is_current=False)
    report = Report.objects.create(
        assignment=assignment, period=period, version=version, source=source, **extra
    )
    total = Decimal(0)
    rows = []
    for i, line in enumerate(lines, start=1):
        line = dict(line)
        worker, _ = Worker.objects.get_or_create(
            contractor=assignment.contractor, worker_key=str(line.pop("worker"))
        )
        hours = Decimal(str(line.pop("hours")))
        total += hours
        line.setdefault("home_zip", "99999")
        line.setdefault("hourly_rate", Decimal("50.00"))
        # Hours are straight time unless the line names its overtime or double time.
        line.setdefault(
            "straight_hours",
            hours
            - Decimal(str(line.get("overtime_hours", 0)))
            - Decimal(str(line.get("doubletime_hours", 0))),
        )
        rows.append(
            PayrollLine(
                report=report,
                project_id=assignment.project_id,
                assignment=assignment,
                row_number=i + 1,
                worker=worker,
                hours=hours,
                **line,
            )
        )
    PayrollLine.objects.bulk_create(rows)
    report.line_count = len(rows)
    report.total_hours = total
    report.save(update_fields=["line_count", "total_hours"])
    return report
