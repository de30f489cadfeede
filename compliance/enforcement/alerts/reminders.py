"""Report reminders (SPEC §3.4, §4): before a month's report is due, tell the contractor.

An assignment's contacts (the people alerts call "the contractor's contacts") are reminded
twice about a month they have not filed (no current report for it):

- `before`: from five days before the month's due date until the day before it;
- `due`: on the due date itself.

After the due date the missing-report flag takes over. The due date and the months owed
come from `compliance.reporting.obligation` through the agreement, never recomputed here.
Each reminder is an in-app notification whose `event_key` names the assignment, the month
and the reminder, so the unique (user, event_key) makes the same reminder impossible twice
however often the scheduled task runs. The e-mail follows the person's preference like
every alert: one e-mail now (`each`), a line in the daily digest (`digest`) or none.
"""

import datetime
from collections import defaultdict

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.enforcement.alerts.services import _deliver, in_language_of
from compliance.formatting import long_date, long_month
from compliance.models import Notification, Report
from compliance.reporting import obligation
from projects.models import Assignment, Project

DAYS_BEFORE = 5
BEFORE = "before"
DUE = "due"


def reminder_due(*, due_date: datetime.date, today: datetime.date) -> str | None:
    """Which reminder a month not yet filed calls for today: `before` from five days before
    its due date to the day before, `due` on the due date, otherwise none."""
    if today == due_date:
        return DUE
    if due_date - datetime.timedelta(days=DAYS_BEFORE) <= today < due_date:
        return BEFORE
    return None


def reminder_message(
    assignment: Assignment, period: datetime.date, *, due: datetime.date, today: datetime.date
) -> str:
    """The reminder in words, in the active language (the recipient's)."""
    figures = {
        "month": long_month(period),
        "contractor": assignment.contractor.name,
        "project": assignment.project.name,
        "due": long_date(due),
        "days": (due - today).days,
    }
    if due == today:
        return _("Your {month} report for {contractor} on {project} is due today, {due}.").format(
            **figures
        )
    if figures["days"] == 1:
        return _(
            "Your {month} report for {contractor} on {project} is due tomorrow, on {due}."
        ).format(**figures)
    return _(
        "Your {month} report for {contractor} on {project} is due in {days} days, on {due}."
    ).format(**figures)


def upload_url(assignment: Assignment, period: datetime.date) -> str:
    url = reverse(
        "report_upload",
        kwargs={"slug": assignment.project.slug, "contractor": assignment.contractor.slug},
    )
    return f"{url}?period={period:%Y-%m}"


def send_report_reminders() -> int:
    """Remind every active project's contractors of the months due in the next five days
    (or today) that they have not filed; returns the e-mails sent."""
    now = timezone.now()
    today = timezone.localdate(now)
    notifications, by_user = [], defaultdict(list)
    assignments = (
        Assignment.objects.filter(project__status=Project.Status.ACTIVE, contacts__is_active=True)
        .distinct()
        .select_related("project", "contractor")
        .prefetch_related("project__agreements")
        .order_by("pk")
    )
    for assignment in assignments:
        owed = []
        for period in obligation.months_owed(assignment, through=today):
            due = obligation.project_due_date(assignment.project, period)
            which = reminder_due(due_date=due, today=today)
            if which:
                owed.append((period, due, which))
        if not owed:
            continue
        filed = set(
            Report.objects.filter(
                assignment=assignment, period__in=[p for p, _, _ in owed], is_current=True
            ).values_list("period", flat=True)
        )
        contacts = list(assignment.contacts.filter(is_active=True))
        for period, due, which in owed:
            if period in filed:
                continue
            event_key = f"reminder:{assignment.pk}:{period:%Y-%m}:{which}"
            url = upload_url(assignment, period)
            for user in contacts:
                message = in_language_of(
                    user, reminder_message, assignment, period, due=due, today=today
                )
                notifications.append(
                    Notification(
                        user=user, event_key=event_key, message=message, url=url, created_at=now
                    )
                )
                by_user[user].append(event_key)
    Notification.objects.bulk_create(notifications, ignore_conflicts=True)
    return _deliver(by_user, "reminder", now, {})
