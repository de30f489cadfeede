"""The evidence exhibits and the document package (SPEC §6): a workbook of the lines behind
each finding, one ZIP whose manifest matches its files, and the command line's formats."""

import hashlib
import io
import json
import zipfile

import pytest
import time_machine
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from compliance.enforcement.memos.build import memo_generate
from compliance.models import Memo
from tests import test_memos, test_memos_web
from tests.test_memos import TODAY, pdf_text
from tests.test_notice import docx_text, read

worked_examples = test_memos.worked_examples
memo_files = test_memos.memo_files
run_tasks_now = test_memos_web.run_tasks_now


def generate(project, user, **scope) -> Memo:
    with time_machine.travel(TODAY, tick=False):
        return memo_generate(project=project, user=user, **scope)


def test_the_package_manifest_lists_every_file_with_its_sha256(worked_examples, project, lawyer):
    memo = generate(project, lawyer, document="package", audience="counsel")
    archive = zipfile.ZipFile(io.BytesIO(read(memo.zip)))
    manifest = json.loads(archive.read("manifest.json"))
    names = set(archive.namelist()) - {"manifest.json"}
    assert {f["name"] for f in manifest["files"]} == names
    for entry in manifest["files"]:
        data = archive.read(entry["name"])
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(data) == entry["bytes"]
    assert manifest["snapshot_sha256"] == memo.snapshot_sha256
    assert {r["sha256"] for r in manifest["report_versions"]} == {"a" * 64, "b" * 64}
    assert any(n.startswith("case-memo-") and n.endswith("-privileged.docx") for n in names)
    assert hashlib.sha256(read(memo.zip)).hexdigest() == memo.zip_sha256


def test_a_package_for_the_recipient_leaves_the_case_memo_out(worked_examples, project, lawyer):
    memo = generate(project, lawyer, document="package")
    archive = zipfile.ZipFile(io.BytesIO(read(memo.zip)))
    names = archive.namelist()
    assert not any("case-memo" in n or "privileged" in n for n in names)
    notice = next(n for n in names if n.startswith("notice-") and n.endswith(".docx"))
    assert "hiring plan" not in docx_text(archive.read(notice))


def test_the_exhibits_list_each_underpaid_line_with_hours_by_type(worked_examples, project, lawyer):
    memo = generate(project, lawyer, document="exhibits")
    workbook = load_workbook(io.BytesIO(read(memo.xlsx)))
    lines = list(workbook["Wage lines"].iter_rows(values_only=True))
    header, rows = lines[0], lines[1:]
    assert header[3:] == (
        "Worker ID",
        "Week ending",
        "Craft",
        "Straight hours",
        "Overtime hours",
        "Double-time hours",
        "Underpaid hours",
        "Rate paid",
        "Rate required",
        "Owed",
    )
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Worker ID"] == "W-17" and row["Craft"] == "Laborer"
    assert (row["Straight hours"], row["Rate paid"], row["Rate required"], row["Owed"]) == (
        40,
        35.5,
        38,
        100,
    )
    manifest = list(workbook["Manifest"].iter_rows(values_only=True))
    assert manifest[-1][-1] == memo.snapshot_sha256
    assert {r[-1] for r in manifest[1:-1]} == {"a" * 64, "b" * 64}


@pytest.mark.parametrize(
    ("document", "fmt", "magic"),
    [
        ("notice", "pdf", b"%PDF"),
        ("notice", "docx", b"PK"),
        ("case", "docx", b"PK"),
        ("exhibits", "xlsx", b"PK"),
        ("package", "zip", b"PK"),
    ],
)
def test_generate_memo_writes_each_document_in_each_format(
    worked_examples, project, lawyer, tmp_path, document, fmt, magic
):
    out = tmp_path / f"out.{fmt}"
    with time_machine.travel(TODAY, tick=False):
        call_command(
            "generate_memo",
            "--project=crenshaw",
            "--contractor=walsh",
            f"--document={document}",
            f"--format={fmt}",
            "--user=lawyer",
            f"--out={out}",
        )
    data = out.read_bytes()
    assert data.startswith(magic)
    memo = Memo.objects.get()
    assert memo.document == document
    assert hashlib.sha256(data).hexdigest() == getattr(memo, f"{fmt}_sha256")
    if fmt == "docx":
        assert "Walsh Shea" in docx_text(data)
    if fmt == "pdf":
        assert "Notice of non-compliance and cure demand" in pdf_text(data)


def test_generate_memo_refuses_a_format_the_document_does_not_come_in(worked_examples, tmp_path):
    with pytest.raises(CommandError, match="comes as xlsx"):
        call_command(
            "generate_memo",
            "--project=crenshaw",
            "--document=exhibits",
            "--format=pdf",
            f"--out={tmp_path / 'x.pdf'}",
        )
    assert not Memo.objects.exists()


def test_the_api_requests_a_notice_and_lists_its_files(
    worked_examples, project, lawyer, client, run_tasks_now, django_capture_on_commit_callbacks
):
    from tests.test_memos_web import bearer

    with (
        time_machine.travel(TODAY, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            "/api/v1/projects/crenshaw/memos",
            {"document": "notice", "contractor": "walsh"},
            content_type="application/json",
            **bearer(lawyer),
        )
    assert response.status_code == 202, response.content
    memo_id = response.json()["id"]
    body = client.get(f"/api/v1/memos/{memo_id}", **bearer(lawyer)).json()
    assert body["document"] == "notice"
    assert [f["format"] for f in body["files"]] == ["pdf", "docx"]
    docx = client.get(body["files"][1]["url"], **bearer(lawyer))
    assert docx.status_code == 200
    data = b"".join(docx.streaming_content)
    assert hashlib.sha256(data).hexdigest() == body["files"][1]["sha256"]
    xlsx = client.get(f"/api/v1/memos/{memo_id}/file?format=xlsx", **bearer(lawyer))
    assert xlsx.status_code == 409
    assert "offers pdf, docx" in xlsx.json()["detail"]


def test_the_api_refuses_a_notice_for_counsel(worked_examples, lawyer, client):
    from tests.test_memos_web import bearer

    response = client.post(
        "/api/v1/projects/crenshaw/memos",
        {"document": "notice", "audience": "counsel"},
        content_type="application/json",
        **bearer(lawyer),
    )
    assert response.status_code == 422
    assert "for the recipient" in response.json()["detail"]


def test_control_characters_and_markup_in_stored_text_reach_every_file_of_a_package(
    worked_examples, project, lawyer, walsh
):
    walsh.contractor.name = "Walsh\u0001 <Shea> & Co"
    walsh.contractor.save()
    memo = generate(project, lawyer, document="package", audience="counsel")
    assert memo.status == "ready", memo.failure_reason
    archive = zipfile.ZipFile(io.BytesIO(read(memo.zip)))
    memo_docx = next(n for n in archive.namelist() if n.endswith("privileged.docx"))
    assert "Walsh <Shea> & Co" in docx_text(archive.read(memo_docx))
