"""No 500 from input: every parameter is checked at the edge, every refusal has one body,
and the OpenAPI schema lists every answer an operation can give."""

import io
import json

import pytest
import time_machine

from compliance.models import Report
from tests.intake_support import BEFORE_DUE, line, lines, workbook
from tests.test_intake_api import bearer, post_json

BASE = "/api/v1/projects/crenshaw"
SUBMIT = f"{BASE}/contractors/walsh/reports"


@pytest.fixture(autouse=True)
def before_due():
    with time_machine.travel(BEFORE_DUE, tick=False):
        yield


def is_error_body(answer) -> bool:
    body = answer.json()
    return set(body) == {"detail", "errors"} and isinstance(body["detail"], str)


# -- periods -------------------------------------------------------------------------------


@pytest.mark.parametrize("period", ["0000-01", "9999-12", "2026-13"])
def test_a_month_page_for_an_impossible_month_is_not_found(client, contractor, walsh, period):
    client.force_login(contractor)
    answer = client.get(f"/projects/crenshaw/contractors/walsh/reports/{period}/")
    assert answer.status_code == 404


@pytest.mark.parametrize("period", ["0000-01", "9999-12"])
def test_the_template_page_refuses_an_impossible_month(client, contractor, walsh, period):
    client.force_login(contractor)
    answer = client.get("/projects/crenshaw/contractors/walsh/template/", {"period": period})
    assert answer.status_code == 404


@pytest.mark.parametrize("period", ["0000-01", "9999-12"])
def test_the_api_refuses_an_impossible_month_naming_the_period(client, contractor, walsh, period):
    auth = bearer(contractor)
    for url in ("/api/v1/reports", f"{BASE}/reports", f"{BASE}/contractors/walsh/template"):
        answer = client.get(url, {"period": period}, **auth)
        assert answer.status_code == 422, url
        assert is_error_body(answer)
        assert answer.json()["errors"][0]["field"] == "period"
        assert "YYYY-MM" in answer.json()["detail"]


def test_a_report_for_an_impossible_month_is_refused_and_nothing_stored(client, contractor, walsh):
    answer = post_json(client, SUBMIT, {"period": "0000-01", "no_work": True}, bearer(contractor))
    assert answer.status_code == 422 and is_error_body(answer)
    assert not Report.objects.exists()


# -- numbers -------------------------------------------------------------------------------


def test_hours_and_rates_of_1e308_in_json_are_row_errors(client, contractor, walsh):
    raw = json.dumps({"period": "2026-10", "lines": [line()]}).replace('"40"', "1e308")
    raw = raw.replace('"45.50"', "1e308")
    answer = client.post(SUBMIT, raw, content_type="application/json", **bearer(contractor))
    assert answer.status_code == 422
    errors = {(e["row"], e["column"]): e["message"] for e in answer.json()["errors"]}
    assert "too large" in errors[(1, "straight_hours")]
    assert "too large" in errors[(1, "hourly_rate")]
    assert not Report.objects.exists()


def test_hours_of_1e308_in_a_workbook_cell_are_a_row_error(client, contractor, walsh):
    content = workbook([line(overtime_hours=1e308, fringe_rate=1e308)], raw=True)
    answer = client.post(
        f"{SUBMIT}/upload", {"period": "2026-10", "file": io.BytesIO(content)}, **bearer(contractor)
    )
    assert answer.status_code == 422
    columns = {(e["row"], e["column"]) for e in answer.json()["errors"]}
    assert {(2, "Overtime Hours"), (2, "Fringe Rate")} <= columns
    assert not Report.objects.exists()


def test_a_progress_quantity_of_1e308_is_refused(client, admin, project):
    from tests.conftest import make_commitment

    make_commitment(
        project,
        "units",
        "count_target",
        unit="units",
        target_quantity="100",
        start_date="2024-01-01",
        due_date="2027-12-31",
    )
    answer = client.post(
        f"{BASE}/commitments/units/progress",
        {"date": "2026-10-01", "quantity": "1e308"},
        **bearer(admin),
    )
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "quantity"


# -- paging --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"offset": "9223372036854775808"},
        {"offset": "-1"},
        {"limit": "100000000000"},
        {"limit": "0"},
    ],
)
def test_an_offset_or_limit_out_of_range_is_refused(client, contractor, walsh, query):
    auth = bearer(contractor)
    for url in ("/api/v1/reports", "/api/v1/flags", f"{BASE}/evaluations"):
        answer = client.get(url, query, **auth)
        assert answer.status_code == 422, (url, answer.content)
        assert answer.json()["errors"][0]["field"] == next(iter(query))


def test_a_reports_lines_refuse_an_offset_past_any_database(client, contractor, walsh):
    report = post_json(client, SUBMIT, {"period": "2026-10", "lines": lines(2)}, bearer(contractor))
    report_id = report.json()["report"]["id"]
    answer = client.get(
        f"{BASE}/reports/{report_id}", {"offset": "9223372036854775808"}, **bearer(contractor)
    )
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "offset"


# -- bodies --------------------------------------------------------------------------------


def test_a_json_body_over_the_limit_answers_413(client, contractor, walsh, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = {"period": "2026-10", "lines": lines(60)}
    answer = post_json(client, SUBMIT, body, bearer(contractor))
    assert answer.status_code == 413 and is_error_body(answer)
    assert "larger than" in answer.json()["detail"]
    assert not Report.objects.exists()


def test_a_file_over_the_limit_answers_413(client, contractor, walsh, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    content = workbook(lines(10))
    answer = client.post(
        f"{SUBMIT}/upload", {"period": "2026-10", "file": io.BytesIO(content)}, **bearer(contractor)
    )
    assert answer.status_code == 413 and "the limit is" in answer.json()["detail"]


def test_a_body_that_is_not_json_answers_400(client, contractor, walsh):
    answer = client.post(SUBMIT, "{not json", content_type="application/json", **bearer(contractor))
    assert answer.status_code == 400 and is_error_body(answer)


def test_a_multipart_body_without_a_boundary_answers_400(client, contractor, walsh):
    answer = client.post(
        f"{SUBMIT}/upload", b"x", content_type="multipart/form-data", **bearer(contractor)
    )
    assert answer.status_code == 400 and is_error_body(answer)


def test_a_missing_body_names_what_to_send(client, contractor, walsh):
    answer = client.post(SUBMIT, content_type="application/json", **bearer(contractor))
    assert answer.status_code in (400, 422) and is_error_body(answer)


def test_the_project_definitions_422_lists_errors(client, admin):
    answer = post_json(client, "/api/v1/projects/definition", [1, 2], bearer(admin))
    assert answer.status_code == 422 and is_error_body(answer)
    assert answer.json()["errors"]
    answer = post_json(client, "/api/v1/projects/definition", {"project": {}}, bearer(admin))
    assert answer.status_code == 422 and answer.json()["errors"][0]["path"].startswith("project")


def test_without_a_token_the_401_has_the_error_body(client, walsh):
    answer = client.get("/api/v1/reports")
    assert answer.status_code == 401 and is_error_body(answer)


# -- crashes -------------------------------------------------------------------------------


@pytest.mark.parametrize("debug", [False, True])
def test_a_crash_answers_the_error_body_whatever_debug_says(
    client, contractor, walsh, settings, monkeypatch, debug
):
    settings.DEBUG = debug

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("compliance.reporting.api.reports.reports_filtered", broken)
    answer = client.get("/api/v1/reports", **bearer(contractor))
    assert answer.status_code == 500 and is_error_body(answer)
    assert "secret internals" not in answer.text and "Traceback" not in answer.text


def test_debug_does_not_change_a_404(client, contractor, walsh, settings):
    settings.DEBUG = True
    answer = client.get(f"{BASE}/reports/999999", **bearer(contractor))
    assert answer.json() == {"detail": "Not found.", "errors": []}


# -- the schema ----------------------------------------------------------------------------


def test_every_operation_documents_its_refusals_with_the_one_error_body(client):
    schema = client.get("/api/v1/openapi.json").json()
    error_ref = "#/components/schemas/ErrorOut"
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            answers = operation["responses"]
            name = f"{method.upper()} {path}"
            assert {"401", "422", "429"} <= set(answers), name
            if "requestBody" in operation:
                assert {"400", "413"} <= set(answers), name
            if "{" in path:
                assert "404" in answers, name
            for code, answer in answers.items():
                if code.startswith(("4", "5")):
                    content = answer["content"]["application/json"]["schema"]
                    assert content == {"$ref": error_ref}, (name, code)
                else:
                    assert answer.get("content"), (name, code)
    assert schema["components"]["schemas"]["ErrorOut"]["required"] == ["detail", "errors"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/flags?project=a%00b",
        "/api/v1/reports?contractor=a%00b",
        "/flags/?contractor=a%00b",
    ],
)
def test_a_nul_character_in_a_query_is_dropped_not_a_server_error(client, reviewer, url):
    client.force_login(reviewer)
    assert client.get(url).status_code == 200


def test_a_nul_character_in_an_address_names_nothing(client, reviewer):
    client.force_login(reviewer)
    answer = client.get("/api/v1/projects/a%00b")
    assert answer.status_code == 404 and answer.json()["errors"] == []


def test_a_nul_character_in_a_json_body_is_dropped_before_anything_is_stored(
    client, contractor, walsh
):
    client.force_login(contractor)
    row = {**line(), "worker_id": "W-7\x00", "worker_name": "Ana\x00 Ruiz"}
    body = json.dumps({"period": "2026-10", "lines": [row]})
    assert "\\u0000" in body
    answer = client.post(
        f"/api/v1/projects/{walsh.project.slug}/contractors/{walsh.contractor.slug}/reports",
        body,
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    stored = Report.objects.get().lines.get()
    assert stored.worker.worker_key == "W-7" and stored.worker.name == "Ana Ruiz"


def test_an_unknown_api_address_answers_the_apis_404_body(client, reviewer):
    client.force_login(reviewer)
    answer = client.get("/api/v1/nonexistent")
    assert answer.status_code == 404
    assert answer.json()["errors"] == [] and "/api/v1/docs" in answer.json()["detail"]
