"""The reporting obligation (SPEC §3.4) and worked example F."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from compliance.models import Evaluation, Flag
from compliance.pipeline import evaluate_project, evaluate_reporting
from tests.conftest import make_report

LA = ZoneInfo("America/Los_Angeles")
SEPTEMBER = datetime.date(2026, 9, 1)
OCTOBER = datetime.date(2026, 10, 1)


@pytest.fixture
def clock(time_machine):
    def move(day: str, hour: int = 9):
        time_machine.move_to(
            datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=LA), tick=False
        )

    return move


@pytest.fixture
def since_september(walsh):
    walsh.start_date = SEPTEMBER
    walsh.save()
    return walsh


def reporting(assignment) -> Evaluation:
    return Evaluation.objects.get(commitment_key="reporting", group_key=f"a{assignment.pk}")


def month(evaluation, label):
    return next(m for m in evaluation.details["months"] if m["month"] == label)


def test_worked_example_f_missing_then_critical_after_30_days(project, since_september, clock):
    clock("2026-10-10")
    make_report(since_september, SEPTEMBER, [])

    clock("2026-11-15")
    evaluate_project(project)
    assert month(reporting(since_september), "2026-10")["status"] == "not_due"
    assert not Flag.objects.exists()

    clock("2026-11-16")
    evaluate_project(project)
    flag = Flag.objects.get()
    assert (flag.kind, flag.severity, flag.status) == ("missing_report", "warning", "open")
    assert (flag.commitment_key, flag.month, flag.assignment) == (
        "reporting",
        OCTOBER,
        since_september,
    )
    assert flag.figures == {"month": "2026-10", "due_date": "2026-11-15"}

    clock("2026-12-15")
    evaluate_project(project)
    assert Flag.objects.get().severity == "warning"

    clock("2026-12-16")
    evaluate_project(project)
    flag = Flag.objects.get(month=OCTOBER)
    assert flag.severity == "critical"
    # November's report is now a day late: a warning of its own.
    assert Flag.objects.get(month=datetime.date(2026, 11, 1)).severity == "warning"
    assert flag.events.filter(kind="updated", note__contains="Warning → Critical").exists()


def test_worked_example_f_the_late_report_resolves_the_flag(project, since_september, clock):
    clock("2026-10-10")
    make_report(since_september, SEPTEMBER, [])
    clock("2026-11-16")
    evaluate_project(project)

    clock("2026-11-20")
    make_report(since_september, OCTOBER, [])
    evaluate_project(project)

    missing = Flag.objects.get(kind="missing_report")
    assert missing.status == "auto_resolved"
    assert missing.resolved_at is not None
    late = Flag.objects.get(kind="late_report")
    assert (late.severity, late.status, late.month) == ("info", "open", OCTOBER)
    assert late.figures["days_late"] == 5
    result = reporting(since_september)
    assert month(result, "2026-10")["status"] == "late"
    assert month(result, "2026-09")["status"] == "received"
    assert result.details | {"months": None} == {
        "due": 2,
        "on_time": 1,
        "late": 1,
        "missing": 0,
        "not_yet_due": 1,  # November
        "months": None,
    }
    assert result.status == "met"


def test_a_report_filed_on_its_due_date_is_on_time(project, since_september, clock):
    clock("2026-10-15", hour=23)
    make_report(since_september, SEPTEMBER, [])
    clock("2026-10-20")

    evaluate_project(project)

    assert month(reporting(since_september), "2026-09")["status"] == "received"
    assert not Flag.objects.exists()


def test_months_due_stop_at_the_assignments_end_or_the_projects_completion(
    project, walsh, pulice, clock
):
    walsh.start_date = datetime.date(2026, 10, 1)
    walsh.end_date = datetime.date(2026, 11, 30)
    walsh.save()
    pulice.start_date = datetime.date(2026, 12, 1)
    pulice.save()
    clock("2027-03-01")

    evaluate_reporting(project)

    assert [m["month"] for m in reporting(walsh).details["months"]] == ["2026-10", "2026-11"]
    # The project's expected completion is December 2026.
    assert [m["month"] for m in reporting(pulice).details["months"]] == ["2026-12"]
    assert reporting(pulice).status == "shortfall"
    assert reporting(pulice).shortfall == 1


def test_a_report_submitted_after_the_as_of_date_does_not_count_then(
    project, since_september, clock
):
    clock("2026-10-20")
    make_report(since_september, SEPTEMBER, [])
    clock("2026-12-01")

    evaluate_project(project, datetime.date(2026, 10, 16))

    assert month(reporting(since_september), "2026-09")["status"] == "missing"


def test_an_amendment_keeps_the_month_on_time(project, since_september, clock):
    clock("2026-10-10")
    make_report(since_september, SEPTEMBER, [])
    clock("2026-11-01")
    report = make_report(since_september, SEPTEMBER, [], version=2)
    clock("2026-11-02")

    evaluate_project(project)

    entry = month(reporting(since_september), "2026-09")
    assert entry["status"] == "received"
    assert (entry["report_id"], entry["version"]) == (report.pk, 2)


def test_the_missing_report_check_touches_only_report_flags(
    project, since_september, clock, area, crafts
):
    from tests.conftest import make_commitment

    make_commitment(project, "app", "workforce_share", qualifier="apprentice", target_percent="20")
    clock("2026-10-10")
    make_report(
        since_september,
        SEPTEMBER,
        [
            {
                "worker": "w",
                "week_ending": datetime.date(2026, 9, 5),
                "craft": crafts["Laborer"],
                "hours": 40,
            }
        ],
    )
    clock("2026-11-16")
    evaluate_project(project)
    assert set(Flag.objects.values_list("kind", flat=True)) == {"shortfall", "missing_report"}

    clock("2026-11-17")
    make_report(since_september, OCTOBER, [])
    evaluate_reporting(project)

    statuses = dict(Flag.objects.values_list("kind", "status"))
    assert statuses["missing_report"] == "auto_resolved"
    assert statuses["shortfall"] == "open"
    assert Evaluation.objects.filter(commitment_key="app").exists()
