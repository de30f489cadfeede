"""Helpers for the engine, flag and alert tests (not fixtures: each module declares its own)."""

import datetime
from decimal import Decimal

from django_q.conf import Conf

from compliance.models import Evaluation
from compliance.pipeline import evaluate_project


def line(worker, week_ending: datetime.date, craft, hours, **extra) -> dict:
    """A payroll line for tests.conftest.make_report."""
    return {"worker": worker, "week_ending": week_ending, "craft": craft, "hours": hours, **extra}


def run_tasks_synchronously(settings, monkeypatch) -> None:
    """django-q2 runs tasks in the calling process (and keeps its database connection)."""
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": True}
    monkeypatch.setattr(Conf, "SYNC", True)


def evaluate(project, as_of: datetime.date) -> dict[tuple[str, str], Evaluation]:
    """Evaluate and return the stored results by (commitment key, group key)."""
    evaluate_project(project, as_of)
    return {(e.commitment_key, e.group_key): e for e in Evaluation.objects.filter(project=project)}


def d(value) -> Decimal:
    return Decimal(str(value))
