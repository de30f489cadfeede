"""Alerts (SPEC §4): notifications and emails per person concerned, once; the digest; the
tasks and schedules behind them."""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.utils import timezone
from django_q.models import Schedule

from compliance import tasks
from compliance.enforcement.flags.services import flag_transition
from compliance.models import Evaluation, Flag, Notification, NotificationPreference
from compliance.pipeline import evaluate_project
from compliance.signals import report_submitted
from projects.models import Project
from tests.conftest import make_commitment, make_report
from tests.engine_support import line, run_tasks_synchronously

JAN = datetime.date(2024, 1, 1)
W1 = datetime.date(2024, 1, 6)
AS_OF = datetime.date(2024, 1, 31)


@pytest.fixture(autouse=True)
def sync_tasks(settings, monkeypatch):
    run_tasks_synchronously(settings, monkeypatch)


@pytest.fixture
def short_on_apprentices(project, walsh, crafts):
    make_commitment(
        project,
        "apprentice",
        "workforce_share",
        qualifier="apprentice",
        target_percent="20",
        scope="contractor",
        title="Apprentice hours",
    )
    make_report(walsh, JAN, [line("j1", W1, crafts["Carpenter"], 40)])


def evaluate_and_alert(project, capture, as_of=AS_OF):
    with capture(execute=True):
        evaluate_project(project, as_of)


def test_a_new_critical_flag_alerts_the_reviewers_and_the_contractors_contacts(
    project,
    short_on_apprentices,
    reviewer,
    lawyer,
    contractor,
    other_contractor,
    django_capture_on_commit_callbacks,
):
    evaluate_and_alert(project, django_capture_on_commit_callbacks)

    flag = Flag.objects.get(kind="shortfall")
    notified = set(Notification.objects.filter(flag=flag).values_list("user__username", flat=True))
    assert notified == {"reviewer", "walsh_clerk"}
    assert sorted(message.to[0] for message in mail.outbox) == [
        "reviewer@example.org",
        "walsh_clerk@example.org",
    ]
    message = mail.outbox[0]
    assert message.subject == f"[CBA Monitor] New flag: {flag.title}"
    assert "Apprentice hours (Walsh Shea): short, 0.00% against 20.00%" in message.body
    assert "http://127.0.0.1:8000/" in message.body
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2


def test_an_info_flag_alerts_nobody(
    project, walsh, reviewer, contractor, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(datetime.datetime(2024, 2, 20, 12, tzinfo=datetime.UTC), tick=False)
    make_report(walsh, JAN, [])  # filed 5 days late

    evaluate_and_alert(project, django_capture_on_commit_callbacks, datetime.date(2024, 2, 20))

    assert Flag.objects.get().kind == "late_report"
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_nobody_gets_the_same_alert_twice(
    project, short_on_apprentices, reviewer, contractor, django_capture_on_commit_callbacks
):
    evaluate_and_alert(project, django_capture_on_commit_callbacks)
    flag = Flag.objects.get(kind="shortfall")

    tasks.alert_flags_opened([flag.pk])
    evaluate_and_alert(project, django_capture_on_commit_callbacks)

    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2


def test_escalation_alerts_the_law_center_but_not_the_person_escalating(
    project,
    short_on_apprentices,
    reviewer,
    lawyer,
    contractor,
    django_capture_on_commit_callbacks,
):
    evaluate_and_alert(project, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    flag = Flag.objects.get(kind="shortfall")

    with django_capture_on_commit_callbacks(execute=True):
        flag_transition(flag=flag, user=reviewer, action="escalate", note="Needs a notice")

    assert sorted(m.to[0] for m in mail.outbox) == [
        "lawyer@example.org",
        "walsh_clerk@example.org",
    ]
    lawyers_alert = Notification.objects.get(user=lawyer)
    assert "escalated a flag on Crenshaw/LAX Line to the law center" in lawyers_alert.message
    to = {m.to[0]: m.body for m in mail.outbox}
    assert "Needs a notice" in to["lawyer@example.org"]
    assert "Needs a notice" not in to["walsh_clerk@example.org"]  # an internal note


def test_a_contractors_dispute_alerts_the_reviewers(
    project,
    short_on_apprentices,
    reviewer,
    lawyer,
    contractor,
    admin,
    django_capture_on_commit_callbacks,
):
    evaluate_and_alert(project, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    flag = Flag.objects.get(kind="shortfall")

    with django_capture_on_commit_callbacks(execute=True):
        flag_transition(flag=flag, user=contractor, action="dispute", note="Apprentices start soon")

    assert [m.to[0] for m in mail.outbox] == ["reviewer@example.org"]
    assert "walsh_clerk disputed a flag" in mail.outbox[0].subject + mail.outbox[0].body

    mail.outbox.clear()
    flag_transition(flag=flag, user=reviewer, action="acknowledge")
    with django_capture_on_commit_callbacks(execute=True):
        flag_transition(flag=flag, user=admin, action="dispute", note="Admin's own note")
    assert mail.outbox == []


def test_preferences_digest_and_none_hold_back_the_email(
    project, short_on_apprentices, reviewer, contractor, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=reviewer, email="digest")
    NotificationPreference.objects.create(user=contractor, email="none")

    evaluate_and_alert(project, django_capture_on_commit_callbacks)

    assert Notification.objects.count() == 2
    assert mail.outbox == []

    tasks.send_daily_digests()
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == ["reviewer@example.org"]
    assert digest.subject == "[CBA Monitor] Your daily digest: 1 alert"
    assert "Crenshaw/LAX Line" in digest.body
    assert "Apprentice hours (Walsh Shea)" in digest.body

    tasks.send_daily_digests()
    assert len(mail.outbox) == 1


def test_a_submitted_report_is_evaluated_in_the_background(
    project, walsh, crafts, django_capture_on_commit_callbacks
):
    make_commitment(
        project, "apprentice", "workforce_share", qualifier="apprentice", target_percent="20"
    )
    report = make_report(walsh, JAN, [line("j1", W1, crafts["Carpenter"], 40)])

    with django_capture_on_commit_callbacks(execute=True):
        report_submitted.send(sender=None, report=report, user=None)

    assert Evaluation.objects.filter(project=project, commitment_key="apprentice").exists()


def test_an_evaluation_request_already_answered_is_skipped(project, walsh):
    requested = timezone.now().isoformat()
    evaluate_project(project)

    assert "already evaluated" in tasks.evaluate_project_task(project.pk, requested)
    assert "results" in tasks.evaluate_project_task(project.pk)


def test_the_nightly_and_missing_report_tasks_visit_active_projects_only(
    project, walsh, orgs, django_capture_on_commit_callbacks
):
    Project.objects.create(
        slug="done", name="Done", start_date=JAN, end_date=AS_OF, status="complete"
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.evaluate_active_projects() == "1 project evaluations queued"
    assert tasks.check_missing_reports() == (
        "reporting checked on 1 projects, 0 evaluated for the first time"
    )
    assert set(Evaluation.objects.values_list("project__slug", flat=True)) == {"crenshaw"}


def test_the_first_missing_report_check_evaluates_the_demo_in_full(db):
    """`make demo`: the check is due as soon as the worker starts, and finds the demo's
    projects never evaluated."""
    from demo.seed import seed_demo

    seed_demo()
    assert Schedule.objects.get(name="Missing-report check").next_run <= timezone.now()

    assert tasks.check_missing_reports() == (
        "reporting checked on 0 projects, 3 evaluated for the first time"
    )

    kinds = set(Flag.objects.values_list("kind", flat=True))
    assert {"shortfall", "wage_violation", "missing_report", "late_report"} <= kinds


def test_the_schedules_exist_once_however_often_they_are_created(db):
    names = {
        "Nightly evaluation of active projects": "compliance.tasks.evaluate_active_projects",
        "Missing-report check": "compliance.tasks.check_missing_reports",
        "Daily digest of new flags": "compliance.tasks.send_daily_digests",
        "Stalled memos marked failed": "compliance.tasks.fail_stalled_memos",
        "Morning report reminders": "compliance.tasks.send_daily_report_reminders",
    }
    assert dict(Schedule.objects.values_list("name", "func")) == names

    migration = importlib.import_module("compliance.migrations.0003_engine_schedules")
    migration.create_schedules(django_apps, None)
    migration.create_schedules(django_apps, None)

    assert Schedule.objects.count() == 5
    assert Schedule.objects.get(name="Missing-report check").schedule_type == Schedule.HOURLY
