"""Background tasks (django-q2). Each receives ids, loads what it needs and calls a service.

They are enqueued with `compliance.enqueue`, which waits for the current transaction to commit, so a
task never runs against data that might still be rolled back. The schedules (nightly
evaluation, missing-report check, report reminders, daily digest) are created by a migration.
"""

from django.contrib.auth import get_user_model
from django.utils.dateparse import parse_datetime

from compliance.enforcement.alerts.reminders import send_report_reminders
from compliance.enforcement.alerts.services import alert_flag_event as _alert_flag_event
from compliance.enforcement.alerts.services import alert_flags_opened as _alert_flags_opened
from compliance.enforcement.alerts.services import send_digests
from compliance.enforcement.alerts.subcontractors import alert_subcontractor_added
from compliance.enforcement.memos.build import memo_build, memos_fail_stalled
from compliance.enqueue import EVALUATE_PROJECT, enqueue
from compliance.evaluation.public.figures import public_figures_refresh
from compliance.models import Evaluation, Flag, FlagEvent, Memo, PublicFigures
from compliance.pipeline import evaluate_project, evaluate_reporting
from projects.models import Assignment, Project


def evaluate_project_task(project_id: int, requested_at: str | None = None) -> str:
    """Evaluate one project now. Skipped when an evaluation started after the request was
    made: it already saw everything the request was about."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return f"project {project_id} no longer exists"
    if requested_at:
        since = parse_datetime(requested_at)
        if Evaluation.objects.filter(project=project, computed_at__gt=since).exists():
            return f"{project.slug}: already evaluated since {requested_at}"
    evaluations = evaluate_project(project)
    return f"{project.slug}: {len(evaluations)} results measured"


def refresh_public_figures_task(project_id: int, requested_at: str | None = None) -> str:
    """Gather a project's figures as the public pages show them, after its evaluation.
    Skipped when a gathering began after the request was made: it already read everything
    the request was about (after a burst of uploads, one gathering, not one each)."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return f"project {project_id} no longer exists"
    if requested_at:
        since = parse_datetime(requested_at)
        if PublicFigures.objects.filter(project=project, computed_at__gt=since).exists():
            return f"{project.slug}: public figures already gathered since {requested_at}"
    row = public_figures_refresh(project=project)
    return f"{project.slug}: public figures as of {row.as_of}"


def evaluate_active_projects() -> str:
    """The nightly evaluation: one task per active project, so the workers share them and
    each task stays well within Q_TIMEOUT however many projects there are."""
    project_ids = list(
        Project.objects.filter(status=Project.Status.ACTIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for project_id in project_ids:
        enqueue(EVALUATE_PROJECT, project_id)
    return f"{len(project_ids)} project evaluations queued"


def check_missing_reports() -> str:
    """Raise missing-report flags as soon as a due date passes (and make them critical after
    30 days), without waiting for the nightly evaluation. An active project never evaluated
    yet (just set up or loaded) gets its first full evaluation here."""
    checked = evaluated = 0
    for project in Project.objects.filter(status=Project.Status.ACTIVE).order_by("pk"):
        if Evaluation.objects.filter(project=project).exists():
            evaluate_reporting(project)
            checked += 1
        else:
            evaluate_project(project)
            evaluated += 1
    return f"reporting checked on {checked} projects, {evaluated} evaluated for the first time"


def alert_flags_opened(flag_ids: list[int]) -> str:
    flags = list(
        Flag.objects.filter(pk__in=flag_ids).select_related("project", "assignment").order_by("pk")
    )
    sent = _alert_flags_opened(flags=flags)
    return f"{len(flags)} flags, {sent} emails"


def alert_flag_event(event_id: int) -> str:
    event = FlagEvent.objects.select_related("flag__project", "flag__assignment", "actor").get(
        pk=event_id
    )
    sent = _alert_flag_event(event=event)
    return f"{sent} emails"


def send_daily_digests() -> str:
    return f"{send_digests()} digests"


def send_daily_report_reminders() -> str:
    """Every morning: remind contractors of the reports due in five days or today that they
    have not filed (`compliance.enforcement.alerts.reminders`); running it again the same day
    sends nothing twice."""
    return f"{send_report_reminders()} reminder emails"


def build_memo_task(memo_id: int) -> str:
    """Build one queued memo; returns its final status (kept in django-q's task result)."""
    memo = Memo.objects.filter(pk=memo_id).first()
    if memo is None:
        return "deleted"
    return memo_build(memo=memo).status


def fail_stalled_memos() -> str:
    """Every minute: memos whose build died with its worker, and was not retried in time,
    are marked failed with the reason, so the law center can try again."""
    return f"{memos_fail_stalled()} stalled memos marked failed"


def alert_subcontractor_added_task(assignment_id: int, user_id: int | None = None) -> str:
    """Tell the program admins and the coalition that a contractor added a subcontractor
    (`compliance.enforcement.alerts.subcontractors`)."""
    assignment = Assignment.objects.select_related(
        "project", "contractor", "parent__contractor"
    ).get(pk=assignment_id)
    added_by = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    sent = alert_subcontractor_added(assignment=assignment, added_by=added_by)
    return f"{sent} emails"
