"""The reporting obligation (SPEC §3.4), once: worked example F, and the engine and the
contractor's month table giving every month the same status."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from compliance.models import Evaluation
from compliance.pipeline import evaluate_project
from compliance.reporting import obligation
from compliance.reporting.intake.selectors import reporting_months
from tests.conftest import make_report

LA = ZoneInfo("America/Los_Angeles")
SEPTEMBER = datetime.date(2026, 9, 1)
OCTOBER = datetime.date(2026, 10, 1)
NOVEMBER_15 = datetime.date(2026, 11, 15)


def test_a_months_report_is_due_on_the_due_day_of_the_next_month():
    assert obligation.due_date(OCTOBER, due_day=15) == NOVEMBER_15
    assert obligation.due_date(datetime.date(2026, 12, 1), due_day=28) == datetime.date(2027, 1, 28)


def test_worked_example_f_october_is_not_due_then_missing_then_late():
    def status(as_of, first_submitted=None):
        return obligation.month_status(
            due_date=NOVEMBER_15,
            as_of=datetime.date.fromisoformat(as_of),
            first_submitted=first_submitted and datetime.date.fromisoformat(first_submitted),
        )

    assert status("2026-11-15") == "not_due"
    assert status("2026-11-16") == "missing"
    assert status("2026-12-16") == "missing"
    assert status("2026-11-20", first_submitted="2026-11-20") == "late"
    assert status("2026-11-20", first_submitted="2026-11-15") == "received"


def test_an_assignment_owes_months_from_its_start_to_its_end_or_today(walsh):
    walsh.start_date = datetime.date(2026, 9, 12)
    walsh.end_date = datetime.date(2026, 11, 3)

    assert obligation.months_owed(walsh, through=datetime.date(2027, 3, 1)) == [
        SEPTEMBER,
        OCTOBER,
        datetime.date(2026, 11, 1),
    ]
    assert obligation.months_owed(walsh, through=datetime.date(2026, 10, 31)) == [
        SEPTEMBER,
        OCTOBER,
    ]


@pytest.mark.parametrize("today", ["2026-11-15", "2026-11-16", "2026-11-21"])
def test_the_month_table_and_the_evaluation_agree_on_every_month(
    project, walsh, time_machine, today
):
    def at(day: str):
        time_machine.move_to(
            datetime.datetime.fromisoformat(day).replace(hour=9, tzinfo=LA), tick=False
        )

    walsh.start_date = SEPTEMBER
    walsh.save()
    at("2026-10-10")
    make_report(walsh, SEPTEMBER, [])
    if today == "2026-11-21":
        at("2026-11-20")
        make_report(walsh, OCTOBER, [])
    at(today)

    evaluate_project(project)

    evaluation = Evaluation.objects.get(commitment_key="reporting", group_key=f"a{walsh.pk}")
    engine = {m["month"]: m["status"] for m in evaluation.details["months"]}
    table = {f"{m.period:%Y-%m}": m.status for m in reporting_months(assignment=walsh)}
    assert table == engine
    assert (
        engine["2026-10"]
        == {
            "2026-11-15": "not_due",
            "2026-11-16": "missing",
            "2026-11-21": "late",
        }[today]
    )
