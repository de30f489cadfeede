"""Versions never vanish: no work over lines asks first; any earlier version can come back."""

import pytest
import time_machine
from django.urls import reverse

from compliance import enqueue
from compliance.models import AuditEvent, PayrollLine, Report
from compliance.reporting.intake.store import report_submit
from tests.intake_support import BEFORE_DUE, OCTOBER, lines
from tests.test_intake_api import bearer, post_json

API = "/api/v1/projects/crenshaw/contractors/walsh/reports"


@pytest.fixture(autouse=True)
def before_due():
    with time_machine.travel(BEFORE_DUE, tick=False):
        yield


@pytest.fixture
def queued(monkeypatch) -> list[tuple]:
    """Tasks queued, instead of run."""
    calls = []
    monkeypatch.setattr(enqueue, "async_task", lambda *args, **kwargs: calls.append(args))
    return calls


def file_month(walsh, contractor, *counts: int) -> list[Report]:
    """October filed once per count, each version with that many lines (0: no work)."""
    return [
        report_submit(
            assignment=walsh,
            period=OCTOBER,
            rows=lines(n) if n else None,
            no_work=not n,
            source="api" if n else "no_work",
            user=contractor,
        ).report
        for n in counts
    ]


def page_url(name: str, period: str = "2026-10") -> str:
    return reverse(name, kwargs={"slug": "crenshaw", "contractor": "walsh", "period": period})


def current() -> Report:
    return Report.objects.get(is_current=True)


def test_no_work_over_lines_asks_first_naming_the_lines_and_hours(client, contractor, walsh):
    file_month(walsh, contractor, 3)
    client.force_login(contractor)
    asked = client.post(page_url("report_no_work"))
    assert asked.status_code == 200
    assert "Replace version 1 with “no work this month”?" in asked.text
    assert "3 lines, 120.00 hours from version 1 would stop counting" in asked.text
    assert 'name="confirm_replace" value="yes"' in asked.text
    assert Report.objects.count() == 1 and current().line_count == 3

    done = client.post(page_url("report_no_work"), {"confirm_replace": "yes"}, follow=True)
    assert "Stored version 2" in done.text and "no work this month" in done.text
    assert current().no_work and current().version == 2
    assert not PayrollLine.objects.filter(is_current=True).exists()


def test_no_work_on_an_empty_month_needs_no_confirmation(client, contractor, walsh):
    client.force_login(contractor)
    done = client.post(page_url("report_no_work"), follow=True)
    assert "Stored version 1" in done.text
    assert current().no_work


def test_the_api_answers_409_with_the_figures_unless_confirmed(client, contractor, walsh):
    file_month(walsh, contractor, 3)
    auth = bearer(contractor)
    refused = post_json(client, API, {"period": "2026-10", "no_work": True}, auth)
    assert refused.status_code == 409
    body = refused.json()
    assert "3 lines, 120.00 hours" in body["detail"]
    figures = {e["column"]: e["value"] for e in body["errors"]}
    assert figures["lines"] == "3" and figures["hours"] == "120.00"
    assert Report.objects.count() == 1

    confirmed = post_json(
        client, API, {"period": "2026-10", "no_work": True, "confirm_replace": True}, auth
    )
    assert confirmed.status_code == 201
    assert confirmed.json()["report"]["no_work"] is True and current().version == 2


def test_the_month_page_offers_to_restore_each_older_version(client, contractor, walsh):
    file_month(walsh, contractor, 3, 4)
    client.force_login(contractor)
    page = client.get(page_url("report_month"))
    assert "Restore version 1</button>" in page.text
    assert "Restore version 2</button>" not in page.text


def test_restoring_a_version_asks_first_then_stores_it_again(
    client, contractor, walsh, queued, django_capture_on_commit_callbacks
):
    first, second = file_month(walsh, contractor, 3, 0)
    client.force_login(contractor)
    asked = client.post(page_url("report_restore"), {"version": 1})
    assert asked.status_code == 200 and "Restore version 1?" in asked.text
    assert "3 lines, 120.00 hours" in asked.text
    assert Report.objects.count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(page_url("report_restore"), {"version": 1, "confirm": "yes"})
    assert done.status_code == 302
    restored = current()
    assert restored.version == 3 and restored.source == "api" and not restored.no_work
    assert (restored.line_count, restored.total_hours) == (3, first.total_hours)
    assert restored.sha256 == first.sha256 and restored.note == "Restored from version 1."
    copied = PayrollLine.objects.filter(report=restored, is_current=True)
    assert copied.count() == 3
    assert sorted(copied.values_list("worker__worker_key", "week_ending", "hours")) == sorted(
        first.lines.values_list("worker__worker_key", "week_ending", "hours")
    )
    assert PayrollLine.objects.filter(is_current=True).count() == 3
    event = AuditEvent.objects.get(verb="report.restored")
    assert event.actor == contractor
    assert event.data["restored_version"] == 1 and event.data["replaced_version"] == 2
    assert [call[0] for call in queued] == ["compliance.tasks.evaluate_project_task"]

    history = client.get(page_url("report_month"))
    assert "Restored version 1" in history.text and "Restored from version 1." in history.text
    assert "Restore version 2</button>" in history.text


def test_the_api_restores_a_version(
    client, contractor, walsh, queued, django_capture_on_commit_callbacks
):
    file_month(walsh, contractor, 3, 5)
    auth = bearer(contractor)
    with django_capture_on_commit_callbacks(execute=True):
        answer = post_json(client, f"{API}/2026-10/restore", {"version": 1}, auth)
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["report"]["version"] == 3 and body["report"]["line_count"] == 3
    assert body["line_delta"] == -2 and "Restored version 1" in body["message"]
    assert len(queued) == 1


def test_restoring_what_cannot_be_restored_is_refused(client, contractor, walsh):
    file_month(walsh, contractor, 3, 5)
    auth = bearer(contractor)
    url = f"{API}/2026-10/restore"
    missing = post_json(client, url, {"version": 9}, auth)
    assert missing.status_code == 404
    assert missing.json()["detail"] == "October 2026 has no version 9: its versions are 1 to 2."
    assert post_json(client, url, {"version": 2**63}, auth).status_code == 404
    already = post_json(client, url, {"version": 2}, auth)
    assert already.status_code == 422 and "already the current version" in already.json()["detail"]
    assert post_json(client, f"{API}/2026-09/restore", {"version": 1}, auth).status_code == 404
    assert Report.objects.count() == 2


def test_only_the_filing_contractor_may_restore_or_report_no_work(
    client, contractor, other_contractor, reviewer, walsh
):
    file_month(walsh, contractor, 3, 5)
    client.force_login(reviewer)
    assert "Restore version" not in client.get(page_url("report_month")).text
    assert client.post(page_url("report_restore"), {"version": 1}).status_code == 403
    assert client.post(page_url("report_no_work")).status_code == 403
    assert post_json(client, f"{API}/2026-10/restore", {"version": 1}, {}).status_code == 403
    client.force_login(other_contractor)
    assert client.post(page_url("report_restore"), {"version": 1}).status_code == 404
    assert post_json(client, f"{API}/2026-10/restore", {"version": 1}, {}).status_code == 404
    assert Report.objects.count() == 2
