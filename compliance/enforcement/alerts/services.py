"""Alerts (SPEC §4): who is told about a flag, in the app and by email.

- A new warning or critical flag: the reviewers of every coalition monitoring the project,
  and the contractor's contacts when the flag is on their own assignment.
- An escalation: the same people and the law center staff monitoring the project.
- A contractor's dispute: the reviewers (and the law center if the flag was escalated), and
  the contractor's other contacts.
Nobody is told of their own action, and nobody is sent a note they could not read on the
flag's page (`access.note_visibilities_for`): a contractor or the owner is told of an
escalation with an internal note, without the note. Each person gets one in-app
notification per alert (the unique (user, event_key) makes a second impossible) and, by
their preference, one email per alert run (`each`), one daily digest (`digest`) or none
(`none`).
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from compliance.models import Flag, FlagEvent, Notification, NotificationPreference
from projects import access
from projects.models import Organization

User = get_user_model()


def flag_url(flag: Flag) -> str:
    """The flag's page; a deployment without the coalition workspace links to the project."""
    try:
        return reverse("flag_detail", kwargs={"flag_id": flag.pk})
    except NoReverseMatch:
        return reverse("project_home", kwargs={"slug": flag.project.slug})


def absolute(url: str) -> str:
    return f"{settings.SITE_URL}{url}"


def monitors(project, kind: str) -> QuerySet:
    """Active people of the organizations of this kind that monitor the project."""
    return User.objects.filter(
        is_active=True,
        membership__organization__kind=kind,
        membership__organization__monitoring__project=project,
    )


def reviewers(project) -> QuerySet:
    return monitors(project, Organization.Kind.COALITION)


def law_center(project) -> QuerySet:
    return monitors(project, Organization.Kind.LAW_CENTER)


def contacts(flag: Flag) -> QuerySet:
    if flag.assignment_id is None:
        return User.objects.none()
    return flag.assignment.contacts.filter(is_active=True)


def email_preference(user) -> str:
    try:
        return user.notification_preference.email
    except NotificationPreference.DoesNotExist:
        return NotificationPreference.Email.EACH


def _notify(pairs: list[tuple], now) -> None:
    """Store in-app notifications; an alert a person already has is not stored again."""
    Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                flag=flag,
                event_key=event_key,
                message=message[:500],
                url=flag_url(flag),
                created_at=now,
            )
            for user, flag, event_key, message in pairs
        ],
        ignore_conflicts=True,
    )


def _claim(user, event_keys: list[str], now, *, field: str) -> list[Notification]:
    """Take this person's alerts not yet emailed (or digested), so two workers never both
    send them."""
    with transaction.atomic():
        claimed = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(user=user, event_key__in=event_keys, **{f"{field}__isnull": True})
            .select_related("flag__project")
            .order_by("created_at", "pk")
        )
        Notification.objects.filter(pk__in=[n.pk for n in claimed]).update(**{field: now})
    return claimed


def _send(user, template: str, context: dict) -> None:
    context = {**context, "user": user, "site_url": settings.SITE_URL}
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    body = render_to_string(f"emails/{template}.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def _deliver(by_user: dict, template: str, now, context: dict, for_user=None) -> int:
    """One email per person who wants one, listing their newly claimed alerts; `for_user`
    adds what depends on the reader (the note they may read)."""
    sent = 0
    for user, event_keys in by_user.items():
        if not user.email or email_preference(user) != NotificationPreference.Email.EACH:
            continue
        claimed = _claim(user, event_keys, now, field="emailed_at")
        if claimed:
            _send(
                user,
                template,
                {
                    **context,
                    **(for_user(user) if for_user else {}),
                    "alerts": [(n, absolute(n.url)) for n in claimed],
                },
            )
            sent += 1
    return sent


def opened_message(flag: Flag) -> str:
    return f"New {flag.severity} flag on {flag.project.name}: {flag.title}"


def alert_flags_opened(*, flags: list[Flag]) -> int:
    """Tell everyone concerned about new warning and critical flags; returns emails sent."""
    now = timezone.now()
    pairs, by_user = [], defaultdict(list)
    watchers = {}
    for flag in flags:
        if flag.severity not in {Flag.Severity.WARNING, Flag.Severity.CRITICAL}:
            continue
        if flag.project_id not in watchers:
            watchers[flag.project_id] = list(reviewers(flag.project))
        event_key = f"flag:{flag.pk}:opened"
        for user in {*watchers[flag.project_id], *contacts(flag)}:
            pairs.append((user, flag, event_key, opened_message(flag)))
            by_user[user].append(event_key)
    _notify(pairs, now)
    return _deliver(by_user, "flag_opened", now, {})


def event_message(event: FlagEvent) -> str:
    flag = event.flag
    who = event.actor.get_full_name() or event.actor.username if event.actor else "Someone"
    if event.to_status == Flag.Status.ESCALATED:
        return f"{who} escalated a flag on {flag.project.name} to the law center: {flag.title}"
    return f"{who} disputed a flag on {flag.project.name}: {flag.title}"


def alert_flag_event(*, event: FlagEvent) -> int:
    """Tell everyone concerned about an escalation or a contractor's dispute."""
    now = timezone.now()
    flag = event.flag
    people = {*reviewers(flag.project), *contacts(flag)}
    if event.to_status == Flag.Status.ESCALATED or event.from_status == Flag.Status.ESCALATED:
        people |= set(law_center(flag.project))
    people.discard(event.actor)
    event_key = f"flag:{flag.pk}:event:{event.pk}"
    message = event_message(event)
    _notify([(user, flag, event_key, message) for user in people], now)

    def note_for(user) -> dict:
        readable = access.note_readable(event, access.note_visibilities_for(user))
        return {"note": event.note if readable else ""}

    return _deliver(
        {user: [event_key] for user in people},
        "flag_event",
        now,
        {
            "escalated": event.to_status == Flag.Status.ESCALATED,
            "flag": flag,
            "message": message,
        },
        for_user=note_for,
    )


def digest_heading(notification: Notification) -> str:
    """Where an alert goes in the digest: under its flag's project, else under what it is
    about (a report reminder, a new subcontractor)."""
    if notification.flag:
        return notification.flag.project.name
    if notification.event_key.startswith("assignment:"):
        return "New subcontractors"
    return "Reports due"


def send_digests(*, now: datetime.datetime | None = None) -> int:
    """The daily digest: for each person who asked for one, the alerts not yet digested."""
    now = now or timezone.now()
    sent = 0
    people = User.objects.filter(
        is_active=True,
        notification_preference__email=NotificationPreference.Email.DIGEST,
        notifications__digested_at__isnull=True,
    ).distinct()
    for user in people:
        if not user.email:
            continue
        keys = list(
            Notification.objects.filter(user=user, digested_at__isnull=True).values_list(
                "event_key", flat=True
            )
        )
        claimed = _claim(user, keys, now, field="digested_at")
        if not claimed:
            continue
        by_project = defaultdict(list)
        for notification in claimed:
            by_project[digest_heading(notification)].append(
                (notification, absolute(notification.url))
            )
        _send(user, "digest", {"by_project": sorted(by_project.items()), "count": len(claimed)})
        sent += 1
    return sent
