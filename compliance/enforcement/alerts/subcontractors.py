"""A new lower-tier subcontractor (issue 13): the program admins and the reviewers of every
coalition monitoring the project are told, in the app and by e-mail (by their preference,
like every alert), that a contractor added a subcontractor under it, so nobody learns of a
new company on the project only when its first flag arrives.
"""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from compliance.enforcement.alerts.services import _deliver, reviewers
from compliance.formatting import long_date
from compliance.models import Notification
from projects.models import Assignment

User = get_user_model()


def added_message(assignment: Assignment) -> str:
    parent = assignment.parent
    under = parent.contractor.name if parent else "the project"
    until = long_date(assignment.obligation_end)
    scope = f" ({assignment.scope_of_work})" if assignment.scope_of_work else ""
    return (
        f"{under} added {assignment.contractor.name}{scope} as a "
        f"{assignment.get_tier_display().lower()} on {assignment.project.name}, reporting from "
        f"{long_date(assignment.start_date)} to {until}."
    )


def alert_subcontractor_added(*, assignment: Assignment, added_by=None) -> int:
    """Tell the program admins and the project's coalition reviewers about a subcontractor a
    contractor added; nobody is told twice, nor of their own action. Returns e-mails sent."""
    now = timezone.now()
    people = {
        *User.objects.filter(is_active=True, is_staff=True),
        *reviewers(assignment.project),
    }
    people.discard(added_by)
    event_key = f"assignment:{assignment.pk}:added"
    message = added_message(assignment)
    url = reverse(
        "assignment_reports",
        kwargs={"slug": assignment.project.slug, "contractor": assignment.contractor.slug},
    )
    Notification.objects.bulk_create(
        [
            Notification(user=user, event_key=event_key, message=message, url=url, created_at=now)
            for user in people
        ],
        ignore_conflicts=True,
    )
    by_user = defaultdict(list)
    for user in people:
        by_user[user].append(event_key)
    return _deliver(by_user, "subcontractor_added", now, {"assignment": assignment})
