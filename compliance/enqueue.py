"""Queue background work by its dotted path, once the current transaction commits.

A leaf: it imports nothing of ours, so any stage may queue work without importing the
stage that does it (the tasks live in `compliance.tasks`, the top of the pipeline). A task
never runs against data that might still be rolled back.
"""

from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

EVALUATE_PROJECT = "compliance.tasks.evaluate_project_task"
REFRESH_PUBLIC_FIGURES = "compliance.tasks.refresh_public_figures_task"


def enqueue(func: str, *args, **kwargs) -> None:
    """Queue `func` (a dotted path) once the current transaction commits (at once outside)."""
    transaction.on_commit(lambda: async_task(func, *args, **kwargs))


def enqueue_stamped(func: str, project_id: int) -> None:
    """Queue a project's task once the current transaction commits, stamped after the
    commit: a run of that task that starts later has seen the change, so the task may skip
    a request a later run already answered (a burst of uploads asks once)."""
    transaction.on_commit(lambda: async_task(func, project_id, timezone.now().isoformat()))


def enqueue_evaluation(project_id: int) -> None:
    """Evaluate a project in the background once the current transaction commits."""
    enqueue_stamped(EVALUATE_PROJECT, project_id)
