"""Row locks in one order for intake, evaluation and flags, and a bounded retry (SPEC §8).

A leaf: it imports nothing of ours but the models, so every stage may use it.
"""

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import OperationalError, connection

from projects.models import Assignment, Project

logger = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")

ATTEMPTS = 4
# Names of the psycopg errors (SQLSTATE 40P01, 40001) that a fresh attempt can get past.
RETRYABLE_ERRORS = {"DeadlockDetected", "SerializationFailure"}


def lock_rows(*, project_id: int | None = None, assignment_id: int | None = None) -> None:
    """Take this transaction's row locks, always in this order, before writing anything:

    1. the project's row (`project_id`), FOR NO KEY UPDATE, by an evaluation: evaluations
       of one project take turns, so each sees what the previous one stored;
    2. the assignment's row (`assignment_id`), FOR NO KEY UPDATE, by a report being filed:
       submissions for one contractor take turns, so versions are consecutive, none lost;
    3. then report versions and their lines, evaluations, and last flags (one at a time by
       a person, or all of a project's by its evaluation, which holds 1.).

    A report filed, or a flag changed by a person, takes no lock on the project row: its
    foreign-key checks take KEY SHARE there at commit, which waits only for FOR UPDATE.
    So nothing takes FOR UPDATE on a project or an assignment, nor changes their keys, and
    row locks name their own table only (`of`, no ordering join): a lock on an assignment
    would otherwise lock its project too, and a filing would wait for an evaluation that
    waits for the filing's assignment. SQLite has no row locks: its transactions begin
    IMMEDIATE (settings), holding the database's one write lock from their start.
    """
    if connection.vendor != "postgresql":
        return
    if project_id is not None:
        list(
            Project.objects.filter(pk=project_id)
            .order_by()
            .select_for_update(no_key=True, of=("self",))
            .values_list("pk")
        )
    if assignment_id is not None:
        list(
            Assignment.objects.filter(pk=assignment_id)
            .order_by()
            .select_for_update(no_key=True, of=("self",))
            .values_list("pk")
        )


def is_retryable(error: OperationalError) -> bool:
    """A deadlock or serialization failure (PostgreSQL), or a busy database (SQLite)."""
    cause = error.__cause__
    if type(cause).__name__ in RETRYABLE_ERRORS:
        return True
    return connection.vendor == "sqlite" and "database is locked" in str(error)


def with_retry(func: Callable[P, R]) -> Callable[P, R]:
    """Run a transaction again, up to ATTEMPTS times, when the database gave it up to let
    another through. Only an outermost transaction is retried: inside another one, the
    failure belongs to the caller's transaction, which is lost either way."""

    @functools.wraps(func)
    def attempt(*args: P.args, **kwargs: P.kwargs) -> R:
        number = 1
        while True:
            try:
                return func(*args, **kwargs)
            except OperationalError as error:
                if number == ATTEMPTS or connection.in_atomic_block or not is_retryable(error):
                    raise
                logger.warning("%s gave way (%s); trying again", func.__qualname__, error)
                # A little random wait, so two transactions that collided do not collide again.
                time.sleep(random.uniform(0, 0.05 * 2**number))  # noqa: S311
            number += 1

    return attempt
