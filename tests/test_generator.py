"""The data generator: realistic, valid, deterministic payroll, written fast and in bulk."""

import datetime
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from compliance.models import PayrollLine, ProgressEntry, Report
from compliance.months import add_months
from compliance.numbers import round2
from demo.generator import (
    TARGETED_ZIPS,
    build_project,
    contractor_profile,
    payroll_rows,
    write_lines,
)

JAN = datetime.date(2025, 1, 1)


@pytest.fixture
def small(db):
    """Three contractors, four months, January to April 2025."""
    return build_project(slug="gen", contractors=3, months=4, start=JAN)


def rows_for(project, *, period=datetime.date(2025, 2, 1), lines=400, seed=1, contractor=0):
    assignment = project.assignments.order_by("id")[contractor]
    return list(
        payroll_rows(project=project, assignment=assignment, period=period, lines=lines, seed=seed)
    )


def test_build_project_sets_up_every_kind_of_commitment_and_its_contractors(small):
    kinds = Counter(small.commitments.values_list("kind", flat=True))
    assert kinds == {"workforce_share": 3, "wage_floor": 1, "count_target": 2}
    targeted = small.commitments.get(key="targeted")
    assert targeted.area.zips == TARGETED_ZIPS
    assert targeted.params["scope"] == "contractor_craft"
    assert small.commitments.get(key="funding").params["milestones"][0] == {
        "date": "2025-12-31",
        "quantity": "250000",
    }
    tiers = list(small.assignments.order_by("id").values_list("tier", "parent__tier"))
    assert tiers == [("prime", None), ("sub", "prime"), ("sub", "prime")]
    assert sorted(small.monitors.values_list("kind", flat=True)) == ["coalition", "law_center"]
    assert small.end_date == datetime.date(2025, 4, 30)
    assert ProgressEntry.objects.filter(commitment__project=small).exists()
    assert "Op Eng" in small.crafts.get(name="Operating Engineer").aliases


def test_payroll_rows_are_valid_for_the_intake(small):
    rows = rows_for(small, lines=500)
    assert len(rows) == 500
    names = {c.name for c in small.crafts.all()} | {
        alias for c in small.crafts.all() for alias in c.aliases
    }
    week_hours = defaultdict(Decimal)
    for row in rows:
        assert row["week_ending"].month == 2 and row["week_ending"].weekday() == 5
        assert row["craft"] in names
        assert len(row["home_zip"]) == 5 and row["home_zip"].isdigit()
        assert row["apprentice"] in {"J", "RA"}
        assert (row["apprentice_level"] in {1, 2, 3, 4, 5}) == (row["apprentice"] == "RA")
        assert Decimal(0) <= row["straight_hours"] <= 80
        assert row["hourly_rate"] > 0 and row["fringe_rate"] >= 0
        expected = round2(
            row["straight_hours"] * row["hourly_rate"]
            + row["overtime_hours"] * row["hourly_rate"] * Decimal("1.5")
            + row["doubletime_hours"] * row["hourly_rate"] * 2
        )
        assert row["gross_pay"] == expected
        assert row["gender"] in {"F", "M", "X", ""}
        assert {row["veteran"], row["disadvantaged"], row["new_hire"]} <= {"Y", "N"}
        assert len(row["worker_id"]) <= 40 and not row["worker_id"].isdigit()
        week_hours[row["worker_id"], row["week_ending"]] += (
            row["straight_hours"] + row["overtime_hours"] + row["doubletime_hours"]
        )
    keys = Counter((r["worker_id"], r["week_ending"], r["craft"]) for r in rows)
    assert keys.most_common(1)[0][1] == 1
    assert max(week_hours.values()) <= 100


def test_payroll_rows_are_the_same_for_the_same_seed_and_differ_for_another(small):
    assert rows_for(small, seed=7) == rows_for(small, seed=7)
    assert rows_for(small, seed=7) != rows_for(small, seed=8)


def test_the_same_workers_come_back_month_after_month(small):
    february = {r["worker_id"] for r in rows_for(small, period=datetime.date(2025, 2, 1))}
    march = {r["worker_id"] for r in rows_for(small, period=datetime.date(2025, 3, 1))}
    assert len(february & march) >= 0.9 * min(len(february), len(march))


def test_a_crew_has_apprentices_targeted_residents_and_a_few_underpaid_lines(small):
    rows = []
    for contractor in range(3):
        for month in (1, 2, 3, 4):
            rows += rows_for(
                small, period=datetime.date(2025, month, 1), lines=400, contractor=contractor
            )

    def hours(selected):
        return sum(
            r["straight_hours"] + r["overtime_hours"] + r["doubletime_hours"] for r in selected
        )

    total = hours(rows)
    apprentice = hours(r for r in rows if r["apprentice"] == "RA") / total
    local = hours(r for r in rows if r["home_zip"] in TARGETED_ZIPS) / total
    assert 0.10 < apprentice < 0.30
    assert 0.25 < local < 0.60
    floors = {"Electrician": Decimal("55.00")}
    under = [r for r in rows if r["hourly_rate"] < floors.get(r["craft"], Decimal("38.00"))]
    assert len(under) < 0.05 * len(rows)
    assert {r["gender"] for r in rows} >= {"F", "M"}
    assert len({r["ethnicity"] for r in rows}) >= 4


def test_a_profile_override_changes_the_crew():
    short = contractor_profile("acme", overrides={"apprentice_share": 0.02})
    assert short.apprentice_share == 0.02
    assert contractor_profile("acme").trade == short.trade


def test_write_lines_writes_exactly_the_lines_asked_for_with_report_totals(small):
    assert write_lines(project=small, lines=1500) == 1500
    assert PayrollLine.objects.filter(project=small, is_current=True).count() == 1500
    reports = Report.objects.filter(assignment__project=small, is_current=True)
    assert reports.count() == 3 * 4
    for report in reports.annotate(
        lines_in_db=Count("lines"),
        hours_in_db=Sum("lines__hours"),
        workers_in_db=Count("lines__worker", distinct=True),
    ):
        assert report.line_count == report.lines_in_db
        assert report.total_hours == report.hours_in_db
        assert report.worker_count == report.workers_in_db
        assert report.sha256 and report.source == "api"
    line = PayrollLine.objects.filter(project=small).first()
    assert line.hours == line.straight_hours + line.overtime_hours + line.doubletime_hours
    assert line.report.assignment_id == line.assignment_id


@time_machine.travel(datetime.datetime(2025, 9, 1, 12, tzinfo=datetime.UTC), tick=False)
def test_write_lines_marks_late_reports_after_the_due_date(small):
    write_lines(project=small, lines=600, late_share=1.0)
    agreement = small.agreement
    for report in Report.objects.filter(assignment__project=small):
        submitted = timezone.localdate(report.submitted_at)
        assert report.is_late
        assert submitted > agreement.report_due_date(report.period)


@time_machine.travel(datetime.datetime(2025, 9, 1, 12, tzinfo=datetime.UTC), tick=False)
def test_write_lines_submits_on_time_unless_asked_otherwise(small):
    write_lines(project=small, lines=600)
    reports = Report.objects.filter(assignment__project=small)
    assert not reports.filter(is_late=True).exists()
    for report in reports:
        submitted = timezone.localdate(report.submitted_at)
        assert (
            add_months(report.period, 1)
            <= submitted
            <= small.agreement.report_due_date(report.period)
        )


def test_write_lines_leaves_a_missing_month_without_a_report(small):
    write_lines(project=small, lines=600, missing=[("gen-c02", datetime.date(2025, 3, 1))])
    periods = Report.objects.filter(assignment__contractor__slug="gen-c02").values_list(
        "period", flat=True
    )
    assert datetime.date(2025, 3, 1) not in set(periods)
    assert len(periods) == 3
    assert PayrollLine.objects.count() == 600


def test_write_lines_again_amends_the_months_as_new_versions(small):
    write_lines(project=small, lines=300, months=2)
    write_lines(project=small, lines=500, months=2, seed=2)
    assert Report.objects.filter(is_current=True).count() == 6
    assert set(Report.objects.filter(is_current=True).values_list("version", flat=True)) == {2}
    assert PayrollLine.objects.filter(is_current=True).count() == 500
    assert PayrollLine.objects.filter(is_current=False).count() == 300


def test_write_lines_makes_a_month_without_lines_a_no_work_report(small):
    write_lines(project=small, lines=5, months=[datetime.date(2025, 2, 1)])
    reports = Report.objects.filter(period=datetime.date(2025, 2, 1))
    assert reports.count() == 3
    assert sum(r.line_count for r in reports) == 5
    for report in reports.filter(line_count=0):
        assert report.no_work and report.source == "no_work"


def test_write_lines_runs_as_many_queries_for_ten_times_the_lines(small):
    with CaptureQueriesContext(connection) as few:
        write_lines(project=small, lines=300, months=2)
    with CaptureQueriesContext(connection) as many:
        write_lines(project=small, lines=3000, months=[datetime.date(2025, 3, 1)])
    assert len(many) <= len(few)
