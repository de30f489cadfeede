"""The reports API: submit JSON, upload a file, list, read, template; the same errors."""

import io

import pytest
import time_machine
from openpyxl import load_workbook

from compliance.models import Report
from compliance.reporting.intake.store import report_submit
from projects.models import ApiToken, hash_token
from tests.intake_support import BEFORE_DUE, OCTOBER, ecpr, ecpr_employee, line, lines, workbook

BASE = "/api/v1/projects/crenshaw"


@pytest.fixture(autouse=True)
def before_due():
    with time_machine.travel(BEFORE_DUE, tick=False):
        yield


def bearer(user) -> dict:
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(
        user=user, name="payroll system", prefix=raw[:8], key_hash=hash_token(raw)
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post_json(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


def test_a_payroll_system_submits_a_month_as_json(client, contractor, walsh):
    auth = bearer(contractor)
    answer = post_json(
        client, f"{BASE}/contractors/walsh/reports", {"period": "2026-10", "lines": lines(6)}, auth
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["report"]["version"] == 1 and body["report"]["line_count"] == 6
    assert body["report"]["total_hours"] == "240.00" and body["report"]["source"] == "api"
    assert body["report"]["submitted_by"] == "walsh_clerk" and body["unchanged"] is False
    again = post_json(
        client, f"{BASE}/contractors/walsh/reports", {"period": "2026-10", "lines": lines(6)}, auth
    )
    assert again.status_code == 200 and again.json()["unchanged"] is True


def test_bad_json_lines_answer_422_with_every_error(client, contractor, walsh):
    answer = post_json(
        client,
        f"{BASE}/contractors/walsh/reports",
        {"period": "2026-10", "lines": [line(craft="Plumber"), line(worker_id="123-45-6789")]},
        bearer(contractor),
    )
    assert answer.status_code == 422
    body = answer.json()
    assert "nothing was stored" in body["detail"]
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(1, "craft"), (2, "worker_id")]
    assert body["errors"][1]["value"] == "***-**-6789"
    assert not Report.objects.exists()


def test_a_bad_period_answers_422(client, contractor, walsh):
    answer = post_json(
        client,
        f"{BASE}/contractors/walsh/reports",
        {"period": "October", "lines": []},
        bearer(contractor),
    )
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "period"


def test_no_work_through_the_api(client, contractor, walsh):
    answer = post_json(
        client,
        f"{BASE}/contractors/walsh/reports",
        {"period": "2026-10", "no_work": True},
        bearer(contractor),
    )
    assert answer.status_code == 201 and answer.json()["report"]["no_work"] is True


def test_unknown_fields_are_warnings(client, contractor, walsh):
    answer = post_json(
        client,
        f"{BASE}/contractors/walsh/reports",
        {"period": "2026-10", "lines": [line(foreman="Bob")]},
        bearer(contractor),
    )
    assert answer.status_code == 201
    assert answer.json()["warnings"][0]["column"] == "foreman"


def test_a_file_is_uploaded_as_multipart(client, contractor, walsh):
    auth = bearer(contractor)
    content = workbook(lines(4))
    answer = client.post(
        f"{BASE}/contractors/walsh/reports/upload",
        {"period": "2026-10", "file": io.BytesIO(content)},
        **auth,
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["report"]["source"] == "excel"
    week = ecpr("2026-10-10", [ecpr_employee()])
    answer = client.post(
        f"{BASE}/contractors/walsh/reports/upload",
        {"period": "2026-10", "file": io.BytesIO(week)},
        **auth,
    )
    assert answer.status_code == 201 and answer.json()["report"]["version"] == 2
    assert answer.json()["line_delta"] == 0  # week of Oct 10 had one line, now one eCPR line


def test_a_bad_file_upload_answers_422(client, contractor, walsh):
    answer = client.post(
        f"{BASE}/contractors/walsh/reports/upload",
        {"period": "2026-10", "file": io.BytesIO(b"%PDF-1.4")},
        **bearer(contractor),
    )
    assert answer.status_code == 422 and "PDF" in answer.json()["detail"]


def test_reports_are_listed_and_read_with_lines_and_versions(client, contractor, walsh):
    report_submit(assignment=walsh, period=OCTOBER, rows=lines(2), source="api")
    second = report_submit(assignment=walsh, period=OCTOBER, rows=lines(3), source="api").report
    auth = bearer(contractor)
    listed = client.get("/api/v1/reports", {"project": "crenshaw", "current": "true"}, **auth)
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert [(r["version"], r["is_current"], r["period"]) for r in items] == [(2, True, "2026-10")]
    everything = client.get(f"{BASE}/reports", {"period": "2026-10"}, **auth).json()
    assert everything["count"] == 2
    detail = client.get(f"{BASE}/reports/{second.pk}", {"limit": 2}, **auth).json()
    assert detail["report"]["id"] == second.pk and detail["report"]["line_count"] == 3
    assert [v["version"] for v in detail["versions"]] == [2, 1]
    assert len(detail["lines"]) == 2 and detail["lines"][0]["worker_name"] == "Ana Flores"
    assert detail["lines"][0]["hours"] == "40.00"


def test_reviewers_read_without_worker_names_and_cannot_submit(client, reviewer, walsh):
    report = report_submit(assignment=walsh, period=OCTOBER, rows=lines(1), source="api").report
    auth = bearer(reviewer)
    detail = client.get(f"{BASE}/reports/{report.pk}", **auth).json()
    assert detail["lines"][0]["worker_name"] is None
    answer = post_json(
        client, f"{BASE}/contractors/walsh/reports", {"period": "2026-10", "lines": lines(1)}, auth
    )
    assert answer.status_code == 403


def test_another_contractor_gets_404_for_walshs_reports(client, other_contractor, walsh):
    report = report_submit(assignment=walsh, period=OCTOBER, rows=lines(1), source="api").report
    auth = bearer(other_contractor)
    assert client.get(f"{BASE}/reports/{report.pk}", **auth).status_code == 404
    assert client.get("/api/v1/reports", **auth).json()["count"] == 0
    assert client.get(f"{BASE}/reports", {"contractor": "walsh"}, **auth).json()["count"] == 0
    assert client.get(f"{BASE}/contractors/walsh/template", **auth).status_code == 404
    answer = post_json(
        client, f"{BASE}/contractors/walsh/reports", {"period": "2026-10", "lines": lines(1)}, auth
    )
    assert answer.status_code == 404
    assert Report.objects.count() == 1


def test_without_credentials_the_api_answers_401(client, walsh):
    assert client.get("/api/v1/reports").status_code == 401


def test_the_template_downloads_through_the_api(client, contractor, walsh):
    answer = client.get(
        f"{BASE}/contractors/walsh/template", {"period": "2026-10"}, **bearer(contractor)
    )
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["Payroll", "Payments", "Lists", "Instructions"]
