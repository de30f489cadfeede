"""A real django-q2 worker (`manage.py qcluster`) evaluates a project and sends its emails."""

import datetime
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_q.tasks import async_task

from compliance.models import Evaluation, Flag, Notification
from tests.conftest import make_commitment, make_report
from tests.engine_support import line

ROOT = Path(settings.BASE_DIR)
DEADLINE_SECONDS = 45


def database_url(tmp_path: Path) -> str:
    """The test database as the worker must reach it. SQLite's test database lives in memory,
    so it is copied to a file the worker can open (and copied back afterwards)."""
    if connection.vendor == "sqlite":
        path = tmp_path / "worker.sqlite3"
        target = sqlite3.connect(path)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{path}"
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def copy_back(url: str) -> None:
    if connection.vendor == "sqlite":
        source = sqlite3.connect(url.removeprefix("sqlite:///"))
        source.backup(connection.connection)
        source.close()


def stop(worker: subprocess.Popen) -> None:
    """Ask the cluster to stop; its idle processes may take their time, so not for long."""
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=3)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=5)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_evaluates_a_project_and_emails_the_people_concerned(
    project, walsh, crafts, reviewer, contractor, tmp_path
):
    make_commitment(
        project, "apprentice", "workforce_share", qualifier="apprentice", target_percent="20"
    )
    make_report(
        walsh,
        datetime.date(2024, 1, 1),
        [line("j1", datetime.date(2024, 1, 6), crafts["Carpenter"], 40)],
    )
    async_task("compliance.tasks.evaluate_project_task", project.pk)
    url = database_url(tmp_path)
    outbox = tmp_path / "mail"
    log = (tmp_path / "qcluster.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": url,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(outbox),
            "Q_WORKERS": "1",
            "Q_SYNC": "0",
        },
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline and worker.poll() is None:
            if outbox.exists() and len(list(outbox.iterdir())) >= 2:
                break
            time.sleep(0.25)  # polling the worker's progress, not waiting for a date
    finally:
        stop(worker)
        log.close()
    copy_back(url)

    sent = "\n".join(p.read_text() for p in outbox.iterdir()) if outbox.exists() else ""
    assert "To: reviewer@example.org" in sent, (tmp_path / "qcluster.log").read_text()[-3000:]
    assert "To: walsh_clerk@example.org" in sent
    assert "Apprentice (Walsh" not in sent  # project scope: no contractor in the title
    assert "Apprentice: short, 0.00% against 20.00%" in sent
    assert Evaluation.objects.filter(project=project, commitment_key="apprentice").exists()
    flag = Flag.objects.get(kind="shortfall")
    assert Notification.objects.filter(flag=flag, user=reviewer, emailed_at__isnull=False).exists()
