"""Report reminders (SPEC §3.4, §4): five days before a month's report is due and on the
due day, while it is not filed, to the assignment's contacts, once each, by preference."""

import datetime
import importlib

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core import mail
from django_q.models import Schedule

from compliance import tasks
from compliance.models import Notification, NotificationPreference
from tests.conftest import PASSWORD, make_report, make_user

OCTOBER = datetime.date(2026, 10, 1)  # due November 15, 2026 (the agreement's 15th)


def on(day: int):
    """Mid-morning in Los Angeles on a day of November 2026."""
    return time_machine.travel(datetime.datetime(2026, 11, day, 15, 0, tzinfo=datetime.UTC))


@pytest.fixture
def second_clerk(orgs, walsh):
    user = make_user("walsh_payroll", orgs["walsh"], first_name="Maria", last_name="Lopez")
    walsh.contacts.add(user)
    return user


def reminded(user) -> list[str]:
    return [m.subject for m in mail.outbox if m.to == [user.email]]


def test_five_days_before_the_due_date_each_contact_gets_one_email(
    contractor, second_clerk, other_contractor, reviewer
):
    with on(10):
        assert tasks.send_daily_report_reminders() == "3 reminder emails"

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [contractor.email, second_clerk.email, other_contractor.email]
    )
    email = next(m for m in mail.outbox if m.to == [contractor.email])
    assert email.subject == (
        "[CBA Monitor] Your October 2026 report for Walsh Shea on Crenshaw/LAX Line is due "
        "in 5 days, on November 15, 2026."
    )
    assert "/projects/crenshaw/contractors/walsh/reports/upload/?period=2026-10" in email.body
    assert "No work this month" in email.body
    assert reminded(reviewer) == []


def test_running_again_the_same_day_or_the_next_sends_nothing_more(contractor):
    with on(10):
        tasks.send_daily_report_reminders()
        assert tasks.send_daily_report_reminders() == "0 reminder emails"
    with on(11):
        assert tasks.send_daily_report_reminders() == "0 reminder emails"

    assert len(reminded(contractor)) == 1
    assert Notification.objects.filter(user=contractor).count() == 1


def test_on_the_due_day_a_month_still_not_filed_gets_one_more_reminder(contractor):
    with on(10):
        tasks.send_daily_report_reminders()
    with on(15):
        tasks.send_daily_report_reminders()
        tasks.send_daily_report_reminders()

    assert reminded(contractor)[1] == (
        "[CBA Monitor] Your October 2026 report for Walsh Shea on Crenshaw/LAX Line is due "
        "today, November 15, 2026."
    )
    assert len(reminded(contractor)) == 2


def test_a_filed_month_gets_no_reminder_on_its_due_day(contractor, other_contractor, walsh):
    with on(10):
        tasks.send_daily_report_reminders()
    make_report(walsh, OCTOBER, [], no_work=True)
    with on(15):
        tasks.send_daily_report_reminders()

    assert len(reminded(contractor)) == 1
    assert len(reminded(other_contractor)) == 2


def test_nothing_is_sent_outside_the_five_days_or_after_the_due_date(contractor):
    for day in (9, 16, 30):
        with on(day):
            assert tasks.send_daily_report_reminders() == "0 reminder emails"
    assert Notification.objects.filter(user=contractor).count() == 0


def test_a_contact_who_wants_no_email_gets_the_reminder_in_the_app_only(contractor, client):
    NotificationPreference.objects.create(user=contractor, email="none")
    with on(10):
        tasks.send_daily_report_reminders()
        client.login(username=contractor.username, password=PASSWORD)
        page = client.get("/notifications/").content.decode()

    assert reminded(contractor) == []
    assert "Your October 2026 report for Walsh Shea on Crenshaw/LAX Line is due in 5" in page


def test_a_contact_who_wants_a_digest_finds_the_reminder_in_it(contractor):
    NotificationPreference.objects.create(user=contractor, email="digest")
    with on(10):
        tasks.send_daily_report_reminders()
        assert reminded(contractor) == []
        tasks.send_daily_digests()

    (digest,) = mail.outbox
    assert "Reports due" in digest.body
    assert "Your October 2026 report for Walsh Shea on Crenshaw/LAX Line" in digest.body
    assert "reports/upload/?period=2026-10" in digest.body


def test_a_contact_no_longer_active_is_not_reminded(contractor):
    contractor.is_active = False
    contractor.save()
    with on(10):
        assert tasks.send_daily_report_reminders() == "0 reminder emails"


def test_the_reminder_schedule_runs_every_morning_and_exists_once(db):
    migration = importlib.import_module("compliance.migrations.0014_reminders_schedule")
    migration.create_schedule(django_apps, None)
    migration.create_schedule(django_apps, None)

    (schedule,) = Schedule.objects.filter(func="compliance.tasks.send_daily_report_reminders")
    assert schedule.schedule_type == Schedule.DAILY
    assert schedule.next_run.astimezone(datetime.UTC).hour in {14, 15}  # 7:00 Los Angeles
