"""`manage.py seed_demo`: a realistic demo, one login per role, safe to run again."""

import csv
import datetime
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Q, Sum
from django.utils import timezone

from compliance.models import Evaluation, PayrollLine, Report, Worker
from compliance.numbers import percent
from demo import boston as boston_demo
from demo import seed as demo
from projects import access
from projects.models import Area, Commitment, Organization, Policy, Project

TODAY = datetime.datetime(2026, 11, 21, 18, 0, tzinfo=datetime.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in [Project, Organization, Area, Commitment, User, Worker, Report, PayrollLine]
    }


def apprentice_share(project: Project, contractor: str) -> float:
    hours = PayrollLine.objects.filter(
        project=project, assignment__contractor__slug=contractor, is_current=True
    ).aggregate(all=Sum("hours"), apprentice=Sum("hours", filter=Q(is_apprentice=True)))
    return float((hours["apprentice"] or 0) / hours["all"])


def test_seed_demo_builds_a_year_of_reports_and_prints_one_login_per_role(
    db, frozen, client, monkeypatch
):
    monkeypatch.delenv("PORT", raising=False)
    output = seed()

    assert "http://127.0.0.1:8000/" in output
    assert demo.PASSWORD in output
    roles = {}
    for login in demo.LOGINS:
        assert login.username in output
        roles[login.username] = access.role_of(User.objects.get(username=login.username))
    assert roles == {
        "demo-admin": "admin",
        "demo-prime": "contractor",
        "demo-sub": "contractor",
        "demo-coalition": "reviewer",
        "demo-lawyer": "law_center",
        "demo-owner": "owner",
    }
    assert client.login(username="demo-coalition", password=demo.PASSWORD)

    main = Project.objects.get(slug=demo.MAIN)
    second = Project.objects.get(slug=demo.SECOND)
    assert main.start_date == datetime.date(2025, 9, 1)
    assert set(main.commitments.values_list("kind", flat=True)) == {
        "workforce_share",
        "wage_floor",
        "count_target",
    }
    assert main.commitments.get(key="targeted").params["penalty_per_unit"] == "25"
    prime = Report.objects.filter(
        assignment__project=main, assignment__tier="prime", is_current=True
    )
    assert prime.count() == 14
    assert max(prime.values_list("period", flat=True)) == datetime.date(2026, 10, 1)

    steel = set(
        Report.objects.filter(
            assignment__project=main, assignment__contractor__slug="figueroa-steel"
        ).values_list("period", flat=True)
    )
    assert datetime.date(2026, 8, 1) not in steel
    assert {datetime.date(2026, 7, 1), datetime.date(2026, 9, 1)} <= steel

    late = Report.objects.filter(assignment__project=main, is_late=True)
    assert late.count() >= 2
    for report in late:
        due = main.agreement.report_due_date(report.period)
        assert timezone.localdate(report.submitted_at) > due

    assert apprentice_share(main, "eastside-electric") < 0.05
    assert apprentice_share(main, "harbor-line") > 0.20
    lines = PayrollLine.objects.filter(project=main)
    underpaid = lines.filter(hourly_rate__lt=38).count()
    assert 0 < underpaid < 0.01 * lines.count()

    def sees(username):
        user = User.objects.get(username=username)
        return set(access.projects_for(user).values_list("slug", flat=True))

    assert sees("demo-coalition") == {demo.MAIN, demo.SECOND}
    assert sees("demo-lawyer") == {demo.MAIN, demo.THIRD, demo.BOSTON}
    assert sees("demo-prime") == {demo.MAIN}
    assert sees("demo-sub") == {demo.MAIN, demo.SECOND}
    assert sees("demo-owner") == {demo.MAIN}
    assert second.assignments.count() == 2


def test_the_demo_projects_adopt_its_policies_and_one_has_an_amendment(db, frozen):
    seed()

    assert set(Policy.objects.values_list("slug", flat=True)) == {
        "la-metro-ccp",
        "sf-local-hire",
        "boston-rjp",
    }
    second = Project.objects.get(slug=demo.SECOND)
    assert {c.template.policy.slug for c in second.commitments.select_related("template")} == {
        "la-metro-ccp"
    }
    assert second.commitments.get(key="targeted").params["target_percent"] == "30"
    third = Project.objects.get(slug=demo.THIRD)
    assert {a.key: a.title for a in third.agreements.all()} == {
        "cba": "Mission Rock Community Benefits Agreement",
        "sf-ch82": "San Francisco Local Hiring Policy (Admin. Code ch. 82), as applied",
    }
    assert {c.key: c.agreement.key for c in third.commitments.select_related("agreement")} == {
        "living-wage": "cba",
        "disadvantaged": "cba",
        "local": "sf-ch82",
        "local-apprentice": "sf-ch82",
    }
    assert third.commitments.get(key="local").area.slug == "sf-city"
    assert Evaluation.objects.filter(project=third, commitment__key="local").exists()
    apprentice = Commitment.objects.get(project__slug=demo.MAIN, key="apprentice")
    versions = list(apprentice.versions.order_by("effective_from"))
    assert [v.params["target_percent"] for v in versions] == ["15", "20"]
    assert versions[1].created_by.username == "demo-admin" and "Amendment No. 1" in versions[1].note


def test_seed_demo_twice_is_harmless_and_reset_rebuilds_without_duplicates(db, frozen):
    projects = demo.seed_demo()
    assert [p.slug for p in projects] == [demo.MAIN, demo.SECOND, demo.THIRD, demo.BOSTON]
    before = counts()
    first_id = projects[0].pk

    again = seed()
    assert "already there" in again
    assert "demo-lawyer" in again
    assert counts() == before

    rebuilt = seed("--reset")
    assert "demo-lawyer" in rebuilt
    assert counts() == before
    assert Project.objects.get(slug=demo.MAIN).pk != first_id


def test_the_demo_shows_flags_without_any_manual_step(frozen, db):
    from compliance.models import Evaluation, Flag

    output = seed()
    main = Project.objects.get(slug=demo.MAIN)
    open_flags = Flag.objects.filter(project=main, status__in=Flag.UNRESOLVED)
    kinds = set(open_flags.values_list("kind", flat=True))
    assert {"missing_report", "wage_violation"} <= kinds
    assert open_flags.filter(kind__in=["shortfall", "at_risk"]).exists()
    assert Evaluation.objects.filter(project=main, commitment_key="reporting").exists()
    assert f"{open_flags.count()} open flags" in output


def boston_share(column: str, value: str) -> tuple[Decimal, Decimal]:
    """(hours whose `column` says `value`, all hours) of the demo project in Boston's file,
    summed by hand as the city's own dashboard sums them."""
    with boston_demo.BOSTON_EXTRACT.open(newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["Project Name"] == boston_demo.BOSTON_NAME]
    total = sum(Decimal(r["Hours"]) for r in rows)
    return sum(Decimal(r["Hours"]) for r in rows if r[column] == value), total


def test_the_boston_project_comes_through_the_open_data_door_under_bostons_policy(frozen, db):
    output = seed()

    boston = Project.objects.get(slug=demo.BOSTON)
    assert (boston.jurisdiction, boston.status) == ("Boston, MA", Project.Status.COMPLETE)
    assert boston in access.public_projects()
    assert {c.template.policy.slug for c in boston.commitments.select_related("template")} == {
        "boston-rjp"
    }
    reports = Report.objects.filter(assignment__project=boston, is_current=True)
    assert reports.count() >= 12
    assert set(reports.values_list("source", flat=True)) == {Report.Source.OPEN_DATA}
    assert set(boston.assignments.values_list("contractor__slug", flat=True)) == {
        "commonwealth-construction",
        "savin-hill-drywall",
        "neponset-plumbing",
        "tobin-electrical",
    }
    assert f"Built {boston_demo.BOSTON_NAME}" in output
    for key, column, value in [
        ("residents", "Boston Resident", "Yes"),
        ("people-of-color", "Person of Color", "Yes"),
        ("women", "Gender", "Woman"),
    ]:
        counted, total = boston_share(column, value)
        result = Evaluation.objects.get(project=boston, commitment_key=key, group_key="project")
        assert (result.numerator, result.denominator) == (counted, total), key
        assert result.actual_percent == percent(counted, total), key
    # A different city under a different policy sits beside it in the comparison.
    assert {p.jurisdiction for p in access.public_projects()} >= {
        "Boston, MA",
        "San Francisco, CA",
        "Los Angeles County Metropolitan Transportation Authority",
    }


def test_reset_removes_the_boston_project_and_the_companies_its_file_named(frozen, db):
    seed()
    before = counts()
    seed("--reset")
    assert counts() == before
    assert Organization.objects.filter(name="Commonwealth Construction Co.").count() == 1
