"""Workers recover: a task whose worker died runs again, a stalled memo fails with its reason
and can be tried again, and `qcluster` stops within seconds when asked."""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django_q.exceptions import TimeoutException
from django_q.tasks import async_task

from compliance.enforcement.memos import build
from compliance.enforcement.memos.build import (
    STALLED,
    memo_build,
    memo_stall_seconds,
    memos_fail_stalled,
)
from compliance.models import AuditEvent, Memo
from tests.test_alerts_worker import ROOT, database_url

NOW = datetime.datetime(2026, 11, 5, 10, 0, tzinfo=datetime.UTC)


def die_once(marker: str) -> str:
    """A task whose first run kills its own worker, as the kernel's out-of-memory killer would."""
    path = Path(marker)
    if not path.exists():
        path.write_text("started")
        os.kill(os.getpid(), signal.SIGKILL)
    path.write_text("done")
    return "done"


def start_cluster(tmp_path: Path, **env) -> tuple[subprocess.Popen, Path]:
    log = tmp_path / "qcluster.log"
    cluster = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url(tmp_path),
            "Q_WORKERS": "1",
            "Q_SYNC": "0",
            **env,
        },
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return cluster, log


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)  # polling another process's progress, not waiting for a date
    return False


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def end(cluster: subprocess.Popen) -> None:
    """Whatever happened, nothing of the cluster is left (nor its database sessions)."""
    if group_alive(cluster.pid):
        os.killpg(cluster.pid, signal.SIGKILL)
    cluster.wait(timeout=5)
    wait_for(lambda: not group_alive(cluster.pid), 5)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_qcluster_stops_within_ten_seconds_of_sigterm_while_a_task_runs(tmp_path):
    async_task("time.sleep", 120, task_name="long-task")
    cluster, log = start_cluster(tmp_path)
    try:
        assert wait_for(lambda: "long-task" in log.read_text(), 30), log.read_text()
        cluster.send_signal(signal.SIGTERM)
        started = time.monotonic()
        try:
            cluster.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail("qcluster was still running 10 s after SIGTERM")
        assert time.monotonic() - started < 10
        # Its workers are gone too: nothing is left running the task.
        assert wait_for(lambda: not group_alive(cluster.pid), 2)
    finally:
        end(cluster)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_task_whose_worker_died_runs_again(tmp_path):
    marker = tmp_path / "marker"
    async_task("tests.test_workers.die_once", str(marker))
    # A short timeout, so the queue hands the task out again after 2 + 15 seconds.
    cluster, log = start_cluster(tmp_path, Q_TIMEOUT="2")
    try:
        assert wait_for(lambda: marker.exists(), 30), log.read_text()
        assert wait_for(lambda: marker.read_text() == "done", 45), log.read_text()[-3000:]
    finally:
        end(cluster)


def test_by_default_a_dead_workers_task_comes_back_within_two_minutes():
    q = settings.Q_CLUSTER
    assert q["timeout"] < q["retry"] < 120
    assert q["max_attempts"] >= 2


@pytest.fixture
def memo(project, lawyer) -> Memo:
    with time_machine.travel(NOW, tick=False):
        return Memo.objects.create(project=project, requested_by=lawyer)


def test_a_memo_stalled_in_the_queue_is_marked_failed_with_the_reason(memo, project, lawyer):
    recent = Memo.objects.create(project=project, requested_by=lawyer)
    later = NOW + datetime.timedelta(seconds=memo_stall_seconds() + 1)
    with time_machine.travel(later, tick=False):
        Memo.objects.filter(pk=recent.pk).update(requested_at=later)
        assert memos_fail_stalled() == 1
    memo.refresh_from_db()
    assert memo.status == "failed" and memo.failure_reason == STALLED
    assert Memo.objects.get(pk=recent.pk).status == "queued"
    assert AuditEvent.objects.filter(verb="memo.failed", object_id=str(memo.pk)).exists()
    # The dead build's retry, arriving late, leaves it failed.
    assert memo_build(memo=memo).status == "failed"


def test_a_memo_build_that_runs_out_of_time_says_so(memo, monkeypatch):
    def too_slow(**kwargs):
        raise TimeoutException("Task exceeded maximum timeout value (90 seconds)")

    monkeypatch.setattr(build, "gather_snapshot", too_slow)
    built = memo_build(memo=memo)
    assert built.status == "failed"
    assert f"took longer than {settings.Q_TIMEOUT} seconds" in built.failure_reason


def test_the_law_center_tries_a_failed_memo_again(
    client, memo, lawyer, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr("compliance.enqueue.async_task", lambda *a, **k: queued.append(a))
    Memo.objects.filter(pk=memo.pk).update(status="failed", failure_reason=STALLED)
    client.force_login(lawyer)
    page = client.get(reverse("memo_list", kwargs={"slug": "crenshaw"}))
    assert STALLED in page.text and "Try again</button>" in page.text

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("memo_try_again", kwargs={"memo_id": memo.pk}), follow=True)
    assert f"Memo #{memo.pk} is being built again" in done.text
    memo.refresh_from_db()
    assert memo.status == "queued" and memo.failure_reason == ""
    assert queued == [("compliance.tasks.build_memo_task", memo.pk)]
    assert AuditEvent.objects.get(verb="memo.retried").actor == lawyer

    again = client.post(reverse("memo_try_again", kwargs={"memo_id": memo.pk}), follow=True)
    assert "has not failed" in again.text and len(queued) == 1


def test_only_the_law_center_may_try_a_memo_again(client, memo, reviewer, contractor):
    Memo.objects.filter(pk=memo.pk).update(status="failed", failure_reason=STALLED)
    url = reverse("memo_try_again", kwargs={"memo_id": memo.pk})
    client.force_login(reviewer)
    assert client.post(url).status_code == 403
    client.force_login(contractor)
    assert client.post(url).status_code in (403, 404)
    assert Memo.objects.get(pk=memo.pk).status == "failed"
