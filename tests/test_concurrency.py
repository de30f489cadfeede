"""Month-end load: two contractors upload back to back while a real worker evaluates (SPEC §8).

Every upload queues an evaluation of the project, so uploads and evaluations overlap all the
time. None may be lost: each upload is stored as the month's next version, each evaluation
task succeeds, and no request answers 500.
"""

import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

import psycopg
import pytest
from django.db import OperationalError, connection, transaction
from django_q.models import Failure, OrmQ, Task

from compliance.locks import ATTEMPTS, with_retry
from compliance.models import Evaluation, Report
from projects.tokens import api_token_create
from tests.conftest import make_commitment
from tests.intake_support import OCTOBER, lines, workbook
from tests.test_alerts_worker import ROOT, copy_back, database_url, stop

UPLOADS = 15
DEADLINE_SECONDS = 80


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(command: list[str], env: dict, log) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_until_serving(base: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=10).close()
            return
        except OSError:
            time.sleep(0.2)  # polling the server's start, not waiting for a date
    raise AssertionError("the app did not start")


def queued(url: str) -> int:
    """Tasks still in the queue, read where the worker writes (SQLite: the copied file)."""
    if connection.vendor == "sqlite":
        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as db:
            return db.execute("SELECT COUNT(*) FROM django_q_ormq").fetchone()[0]
    return OrmQ.objects.count()


def upload(base: str, path: str, token: str, content: bytes) -> int:
    """POST one workbook as multipart form data; the answer's status code."""
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="period"\r\n\r\n'
            f"{OCTOBER:%Y-%m}\r\n--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="october.xlsx"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"{base}{path}",
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_contractors_uploading_fifteen_times_each_while_the_worker_evaluates_lose_nothing(
    project, walsh, pulice, contractor, other_contractor, area, tmp_path
):
    make_commitment(
        project,
        "targeted",
        "workforce_share",
        area=area,
        qualifier="area_resident",
        target_percent="40",
    )
    make_commitment(
        project, "apprentice", "workforce_share", qualifier="apprentice", target_percent="20"
    )
    tokens = {
        "walsh": api_token_create(user=contractor, name="month end")[1],
        "pulice": api_token_create(user=other_contractor, name="month end")[1],
    }
    # Each upload differs from the one before (its hours), so each is a new version.
    files = {
        slug: [
            workbook(lines(40 + n, straight_hours=str(20 + n), overtime_hours="0"))
            for n in range(UPLOADS)
        ]
        for slug in tokens
    }
    url = database_url(tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "Q_SYNC": "0", "Q_WORKERS": "2"}
    log = (tmp_path / "processes.log").open("w")
    web = start(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cba.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "3",
            "--timeout",
            "60",
        ],
        env,
        log,
    )
    worker = start([sys.executable, "manage.py", "qcluster"], env, log)
    answers: dict[str, list[int]] = {slug: [] for slug in tokens}

    def contractor_uploads(slug: str) -> None:
        path = f"/api/v1/projects/{project.slug}/contractors/{slug}/reports/upload"
        for content in files[slug]:
            answers[slug].append(upload(base, path, tokens[slug], content))

    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        wait_until_serving(base, deadline)
        threads = [threading.Thread(target=contractor_uploads, args=(s,)) for s in tokens]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=max(deadline - time.monotonic(), 1))
        # The queue empties once the last evaluation is done (a task leaves it when acked).
        while time.monotonic() < deadline and queued(url):
            time.sleep(0.25)  # polling the worker's progress, not waiting for a date
    finally:
        stop(worker)
        stop(web)
        log.close()
    copy_back(url)
    output = (tmp_path / "processes.log").read_text()[-4000:]

    assert answers == {slug: [201] * UPLOADS for slug in tokens}, output
    for assignment in (walsh, pulice):
        versions = list(
            Report.objects.filter(assignment=assignment, period=OCTOBER)
            .order_by("version")
            .values_list("version", "is_current", "line_count")
        )
        assert [v for v, _, _ in versions] == list(range(1, UPLOADS + 1))
        assert [current for _, current, _ in versions] == [False] * (UPLOADS - 1) + [True]
        assert [count for _, _, count in versions] == [40 + n for n in range(UPLOADS)]
    assert not OrmQ.objects.exists(), "evaluations were still queued at the deadline"
    assert list(Failure.objects.values_list("func", "result")) == [], output
    assert not Task.objects.filter(success=False).exists()
    assert Task.objects.filter(func="compliance.tasks.evaluate_project_task").exists()
    assert Evaluation.objects.filter(project=project, commitment_key="targeted").exists()


def deadlock() -> OperationalError:
    """A deadlock as Django raises it from psycopg: an OperationalError caused by the driver's."""
    try:
        try:
            raise psycopg.errors.DeadlockDetected("deadlock detected")
        except psycopg.errors.DeadlockDetected as cause:
            raise OperationalError("deadlock detected") from cause
    except OperationalError as error:
        return error


def test_a_transaction_that_lost_a_deadlock_is_tried_again_and_succeeds():
    attempts = []

    @with_retry
    def store() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise deadlock()
        return "stored"

    assert store() == "stored"
    assert len(attempts) == 3


def test_retries_are_bounded_and_the_last_deadlock_is_raised():
    attempts = []

    @with_retry
    def store() -> None:
        attempts.append(1)
        raise deadlock()

    with pytest.raises(OperationalError, match="deadlock detected"):
        store()
    assert len(attempts) == ATTEMPTS


def test_other_database_errors_are_not_retried():
    attempts = []

    @with_retry
    def store() -> None:
        attempts.append(1)
        raise OperationalError("server closed the connection unexpectedly")

    with pytest.raises(OperationalError):
        store()
    assert len(attempts) == 1


@pytest.mark.django_db
def test_a_deadlock_inside_a_callers_transaction_is_left_to_the_caller():
    attempts = []

    @with_retry
    def store() -> None:
        attempts.append(1)
        raise deadlock()

    with pytest.raises(OperationalError), transaction.atomic():
        store()
    assert len(attempts) == 1
