"""Flags raised, updated and resolved by evaluation (SPEC §4), data anomalies, cure deadlines,
two evaluations racing, and a person changing a flag during an evaluation."""

import datetime
import threading

import pytest
from django.db import connection, connections

from compliance.enforcement.flags import raising
from compliance.enforcement.flags.services import flag_transition
from compliance.models import EnforcementAction, Flag, FlagEvent
from compliance.pipeline import evaluate_project
from projects.models import Project
from tests.conftest import make_commitment, make_report
from tests.engine_support import line
from tests.test_intake_versions import Paused

JAN = datetime.date(2024, 1, 1)
W1 = datetime.date(2024, 1, 6)
W2 = datetime.date(2024, 1, 13)
AS_OF = datetime.date(2024, 1, 31)


@pytest.fixture
def targeted(project, area):
    return make_commitment(
        project,
        "targeted",
        "workforce_share",
        qualifier="area_resident",
        area=area,
        target_percent="40",
    )


def hours(assignment, crafts, local, *, version=1, total=100):
    make_report(
        assignment,
        JAN,
        [
            line("res", W1, crafts["Carpenter"], local, home_zip="90001"),
            line("away", W1, crafts["Carpenter"], total - local, home_zip="99999"),
        ],
        version=version,
    )


def commitment_flags():
    return Flag.objects.filter(commitment_key="targeted").order_by("id")


def test_a_shortfall_raises_one_critical_flag_with_its_figures(project, walsh, crafts, targeted):
    hours(walsh, crafts, 20)

    evaluate_project(project, AS_OF)

    flag = commitment_flags().get()
    assert (flag.kind, flag.severity, flag.status) == ("shortfall", "critical", "open")
    assert (flag.group_key, flag.commitment, flag.month) == ("project", targeted, None)
    assert flag.dedupe_key == "shortfall:targeted:project"
    assert flag.figures["actual_percent"] == "20.00"
    assert flag.figures["shortfall"] == "20.00"
    assert flag.title == "Targeted: short, 20.00% against 40.00%"
    assert [e.kind for e in flag.events.all()] == ["raised"]


def test_re_evaluation_updates_the_figures_instead_of_raising_twice(
    project, walsh, crafts, targeted
):
    hours(walsh, crafts, 20)
    evaluate_project(project, AS_OF)
    evaluate_project(project, AS_OF)
    assert commitment_flags().count() == 1
    assert commitment_flags().get().events.count() == 1  # nothing changed, nothing said

    hours(walsh, crafts, 25, version=2)
    evaluate_project(project, AS_OF)

    flag = commitment_flags().get()
    assert flag.figures["actual_percent"] == "25.00"
    update = flag.events.get(kind="updated")
    assert "Actual percent 20.00 → 25.00." in update.note


def test_at_risk_is_a_warning_and_a_shortfall_replaces_it(project, walsh, crafts, targeted):
    hours(walsh, crafts, 37)
    evaluate_project(project, AS_OF)
    at_risk = commitment_flags().get()
    assert (at_risk.kind, at_risk.severity) == ("at_risk", "warning")

    hours(walsh, crafts, 30, version=2)
    evaluate_project(project, AS_OF)

    at_risk.refresh_from_db()
    assert at_risk.status == "auto_resolved"
    assert commitment_flags().get(status="open").kind == "shortfall"


def test_a_cleared_condition_auto_resolves_and_its_return_links_the_old_flag(
    project, walsh, crafts, targeted
):
    hours(walsh, crafts, 20)
    evaluate_project(project, AS_OF)
    first = commitment_flags().get()

    hours(walsh, crafts, 50, version=2)
    evaluate_project(project, AS_OF)
    first.refresh_from_db()
    assert first.status == "auto_resolved"
    event = first.events.get(kind="transition")
    assert (event.from_status, event.to_status, event.actor) == ("open", "auto_resolved", None)

    hours(walsh, crafts, 10, version=3)
    evaluate_project(project, AS_OF)
    second = commitment_flags().get(status="open")
    assert second.pk != first.pk
    assert second.previous == first


def test_a_flag_a_person_resolved_stays_resolved_while_the_condition_persists(
    project, walsh, crafts, targeted, reviewer
):
    hours(walsh, crafts, 20)
    evaluate_project(project, AS_OF)
    flag = commitment_flags().get()
    flag_transition(flag=flag, user=reviewer, action="waive", note="Agreed exception for 2024")

    evaluate_project(project, AS_OF)
    assert commitment_flags().count() == 1

    hours(walsh, crafts, 50, version=2)
    evaluate_project(project, AS_OF)
    hours(walsh, crafts, 20, version=3)
    evaluate_project(project, AS_OF)

    again = commitment_flags().get(status="open")
    assert again.previous == flag


def test_an_open_flag_in_any_unresolved_state_is_resolved_when_the_condition_clears(
    project, walsh, crafts, targeted, reviewer
):
    hours(walsh, crafts, 20)
    evaluate_project(project, AS_OF)
    flag = commitment_flags().get()
    flag_transition(flag=flag, user=reviewer, action="escalate")

    hours(walsh, crafts, 45, version=2)
    evaluate_project(project, AS_OF)

    flag.refresh_from_db()
    assert flag.status == "auto_resolved"


def test_a_worker_with_two_home_zips_in_a_month_is_a_data_anomaly(project, walsh, crafts):
    make_report(
        walsh,
        JAN,
        [
            line("w1", W1, crafts["Carpenter"], 40, home_zip="90001"),
            line("w1", W2, crafts["Carpenter"], 40, home_zip="90210"),
            line("w2", W1, crafts["Carpenter"], 40, home_zip="90001"),
            line("w2", W2, crafts["Carpenter"], 40, home_zip="90001"),
        ],
    )

    evaluate_project(project, AS_OF)

    flag = Flag.objects.get(kind="data_anomaly")
    assert (flag.severity, flag.month, flag.assignment) == ("warning", JAN, walsh)
    assert flag.figures == {
        "month": "2024-01",
        "two_home_zips": [{"worker": "w1", "zips": ["90001", "90210"]}],
        "over_60_hours": [],
    }


def test_a_worker_over_60_hours_in_a_week_across_crafts_is_a_data_anomaly(project, walsh, crafts):
    make_report(
        walsh,
        JAN,
        [
            line("w1", W1, crafts["Carpenter"], 40),
            line("w1", W1, crafts["Laborer"], 21),
            line("w1", W2, crafts["Carpenter"], 40),
            line("w1", W2, crafts["Laborer"], 20),  # exactly 60: fine
            line("w2", W1, crafts["Carpenter"], 61),
        ],
    )

    evaluate_project(project, AS_OF)

    flag = Flag.objects.get(kind="data_anomaly")
    assert flag.figures["over_60_hours"] == [
        {"worker": "w1", "week_ending": "2024-01-06", "hours": "61.00"},
        {"worker": "w2", "week_ending": "2024-01-06", "hours": "61.00"},
    ]
    assert flag.title == "Walsh Shea, January 2024: 2 worker-weeks over 60 hours"


def test_each_report_version_is_checked_once_and_an_amendment_clears_the_anomaly(
    project, walsh, crafts
):
    report = make_report(walsh, JAN, [line("w1", W1, crafts["Carpenter"], 70)])
    evaluate_project(project, datetime.date(2024, 1, 20))
    assert not Flag.objects.exists()  # January is not over yet

    evaluate_project(project, AS_OF)
    report.refresh_from_db()
    assert report.anomalies_checked_at is not None
    flag = Flag.objects.get(kind="data_anomaly")

    make_report(walsh, JAN, [line("w1", W1, crafts["Carpenter"], 50)], version=2)
    evaluate_project(project, AS_OF)

    flag.refresh_from_db()
    assert flag.status == "auto_resolved"


def test_an_anomaly_in_a_report_not_rechecked_keeps_its_flag(project, walsh, pulice, crafts):
    make_report(walsh, JAN, [line("w1", W1, crafts["Carpenter"], 70)])
    evaluate_project(project, AS_OF)
    make_report(pulice, JAN, [line("p1", W1, crafts["Carpenter"], 40)])

    evaluate_project(project, AS_OF)

    assert Flag.objects.get(kind="data_anomaly").status == "open"


def notice(project, **fields):
    fields = {
        "kind": "notice",
        "date": datetime.date(2024, 1, 2),
        "cure_deadline": datetime.date(2024, 2, 1),
        **fields,
    }
    return EnforcementAction.objects.create(project=project, **fields)


def test_a_passed_unmet_cure_deadline_raises_a_critical_flag(project, walsh):
    action = notice(project, assignment=walsh)

    evaluate_project(project, datetime.date(2024, 2, 1))
    assert not Flag.objects.filter(kind="cure_deadline").exists()

    evaluate_project(project, datetime.date(2024, 2, 2))
    flag = Flag.objects.get(kind="cure_deadline")
    assert (flag.severity, flag.assignment, flag.commitment_key) == (
        "critical",
        walsh,
        "enforcement",
    )
    assert flag.figures == {
        "action_id": action.pk,
        "notice_date": "2024-01-02",
        "cure_deadline": "2024-02-01",
    }
    assert "Cure deadline of Feb 1, 2024 passed unmet for Walsh Shea" in flag.title


@pytest.mark.parametrize(
    "ending",
    [
        {"cured_at": datetime.date(2024, 1, 30)},
        {"closed": "closed"},
        {"closed": "settlement"},
        {"closed": "closed", "project_wide": True},
    ],
)
def test_a_cured_settled_or_closed_notice_raises_nothing(project, walsh, ending):
    action = notice(project, assignment=walsh, cured_at=ending.get("cured_at"))
    if "closed" in ending:
        EnforcementAction.objects.create(
            project=project,
            assignment=None if ending.get("project_wide") else walsh,
            kind=ending["closed"],
            date=datetime.date(2024, 1, 20),
        )

    evaluate_project(project, datetime.date(2024, 3, 1))

    assert not Flag.objects.filter(kind="cure_deadline").exists(), action


def test_a_closing_action_before_the_notice_does_not_close_it(project, walsh):
    EnforcementAction.objects.create(
        project=project, assignment=walsh, kind="closed", date=datetime.date(2023, 12, 1)
    )
    notice(project, assignment=walsh)

    evaluate_project(project, datetime.date(2024, 3, 1))

    assert Flag.objects.filter(kind="cure_deadline").count() == 1


def test_a_flag_raised_meanwhile_by_another_evaluation_is_updated_not_duplicated(
    project, walsh, crafts, targeted, monkeypatch
):
    """The loser of a race finds the constraint in its way, inside a savepoint."""
    hours(walsh, crafts, 20)
    real_create = raising._create

    def create_after_a_rival(flags, now):
        rival = Flag.objects.create(
            project=project,
            commitment_key="targeted",
            kind="shortfall",
            severity="critical",
            dedupe_key="shortfall:targeted:project",
            title="raised by the other evaluation",
            figures={"actual_percent": "19.00"},
        )
        result = real_create(flags, now)
        assert Flag.objects.filter(pk=rival.pk).exists()
        return result

    monkeypatch.setattr(raising, "_create", create_after_a_rival)

    evaluate_project(project, AS_OF)

    flag = commitment_flags().get()
    assert flag.title == "Targeted: short, 20.00% against 40.00%"
    assert flag.figures["actual_percent"] == "20.00"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite runs one writer at a time anyway"
)
@pytest.mark.django_db(transaction=True)
def test_two_evaluations_at_once_raise_one_flag(project, walsh, crafts, targeted):
    hours(walsh, crafts, 20)
    errors, start = [], threading.Barrier(2)

    def run():
        try:
            start.wait(timeout=10)
            evaluate_project(Project.objects.get(pk=project.pk), AS_OF)
        except Exception as error:  # the assertion below reports it
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert commitment_flags().count() == 1
    assert FlagEvent.objects.filter(kind="raised", flag__commitment_key="targeted").count() == 1


def test_a_project_with_nothing_to_measure_evaluates_quietly(orgs, crafts):
    empty = Project.objects.create(
        slug="empty", name="Empty", start_date=JAN, end_date=datetime.date(2025, 12, 31)
    )

    assert evaluate_project(empty, AS_OF) == []
    assert not Flag.objects.exists()


def test_long_names_still_fit_the_flag_title(project, walsh, crafts):
    walsh.contractor.name = "Walsh " * 30
    walsh.contractor.save()
    make_commitment(
        project,
        "app",
        "workforce_share",
        qualifier="apprentice",
        target_percent="20",
        scope="contractor_craft",
        title="Apprentice hours " * 11,
    )
    make_report(walsh, JAN, [line("w1", W1, crafts["Carpenter"], 40)])

    evaluate_project(project, AS_OF)

    assert len(Flag.objects.get(kind="shortfall").title) == 300


def test_two_projects_with_the_same_commitment_key_each_keep_their_own_flag(
    project, walsh, crafts, area, orgs, targeted
):
    from projects.models import Assignment

    other = Project.objects.create(
        slug="other",
        name="Other Project",
        start_date=project.start_date,
        end_date=project.end_date,
    )
    other.crafts.set(crafts.values())
    make_commitment(
        other,
        "targeted",
        "workforce_share",
        qualifier="area_resident",
        area=area,
        target_percent="40",
    )
    other_walsh = Assignment.objects.create(
        project=other, contractor=orgs["walsh"], tier="prime", start_date=other.start_date
    )
    hours(walsh, crafts, 20)
    hours(other_walsh, crafts, 10)

    evaluate_project(project, AS_OF)
    evaluate_project(other, AS_OF)

    flags = {f.project.slug: f for f in commitment_flags().filter(kind="shortfall")}
    assert set(flags) == {"crenshaw", "other"}
    assert flags["crenshaw"].figures["actual_percent"] == "20.00"
    assert flags["other"].figures["actual_percent"] == "10.00"


@pytest.mark.django_db(transaction=True)
def test_a_person_acknowledges_a_flag_while_the_project_is_being_evaluated(
    project, walsh, crafts, targeted, reviewer, monkeypatch
):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite writers take turns on one lock; PostgreSQL's row locks are the case.")
    hours(walsh, crafts, 20)
    evaluate_project(project, AS_OF)
    flag = commitment_flags().get()
    evaluating = Paused(
        monkeypatch,
        "compliance.evaluation.engine.measure._tune",
        lambda: evaluate_project(project, AS_OF),
    )
    with evaluating:
        flag_transition(flag=flag, user=reviewer, action="acknowledge")
    flag = commitment_flags().get()
    assert flag.status == "acknowledged"
    assert sorted(flag.events.values_list("kind", flat=True)) == ["raised", "transition"]
