"""Evidence attached to flag notes and progress entries (issue 13, SPEC §4, §6, §8): a PDF,
an image, an .xlsx or a .docx up to ATTACHMENT_MAX_BYTES, checked by content, stored under a
random name, downloaded by whoever reads the note, listed in the case memo and the exhibits.

Actors: `other_contractor` (Pulice Tunnelworks, the sub whose flag it is), `reviewer` (the
coalition), `lawyer` (the law center), `owner` (Metro, the project's owner).
"""

import hashlib
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from cba.errors import InvalidInput
from compliance.enforcement.flags.services import flag_comment
from compliance.models import AuditEvent, Flag, FlagEvent, ProgressEntry
from tests import test_memos
from tests.conftest import make_commitment, make_user
from tests.test_memos import memo_text
from tests.test_memos_web import bearer
from tests.test_notice import read
from tests.test_package import generate

memo_files = test_memos.memo_files
worked_examples = test_memos.worked_examples

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


def docx_bytes() -> bytes:
    """The same bytes each call: the members carry a fixed time, not the clock's (two calls
    a second apart used to differ)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in [
            ("[Content_Types].xml", "<Types/>"),
            ("word/document.xml", "<w:document/>"),
        ]:
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 10, 1, 0, 0, 0)), text)
    return buffer.getvalue()


@pytest.fixture
def owner(orgs, project):
    return make_user("metro_clerk", orgs["metro"])


@pytest.fixture
def flag(project, pulice):
    return Flag.objects.create(
        project=project,
        assignment=pulice,
        kind="wage_violation",
        severity="critical",
        commitment_key="wage",
        group_key=f"a{pulice.pk}",
        dedupe_key="wage_violation:wage:pulice",
        title="Pulice Tunnelworks paid below the wage floor",
    )


def flag_url(flag) -> str:
    return reverse("flag_detail", kwargs={"flag_id": flag.pk})


def download(client, event):
    return client.get(
        reverse("flag_attachment", kwargs={"flag_id": event.flag_id, "event_id": event.pk})
    )


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_sub_disputes_a_flag_with_a_pdf_and_the_reviewer_opens_it(
    client, flag, other_contractor, reviewer
):
    client.force_login(other_contractor)
    response = client.post(
        flag_url(flag),
        {
            "action": "dispute",
            "note": "The dispatch slips show the two apprentices were laborers that week.",
            "file": SimpleUploadedFile("dispatch slips.pdf", PDF),
        },
    )
    assert response.status_code == 302
    event = FlagEvent.objects.get(flag=flag, kind="transition")
    assert event.to_status == "disputed" and event.attachment_name == "dispatch slips.pdf"
    assert re.fullmatch(r"attachments/\d{4}/[A-Za-z0-9_-]{24}\.pdf", event.attachment.name)
    assert event.attachment_sha256 == hashlib.sha256(PDF).hexdigest()
    audit = AuditEvent.objects.get(verb="flag.dispute")
    assert audit.data["attachment"] == "dispatch slips.pdf"

    client.force_login(reviewer)
    page = client.get(flag_url(flag)).content.decode()
    link = reverse("flag_attachment", kwargs={"flag_id": flag.pk, "event_id": event.pk})
    assert f'href="{link}"' in page and "dispatch slips.pdf" in page
    opened = download(client, event)
    assert opened.status_code == 200
    assert body(opened) == PDF
    assert opened["Content-Type"] == "application/pdf"
    assert opened["Content-Disposition"] == 'attachment; filename="dispatch slips.pdf"'


def test_the_owner_cannot_download_an_internal_comments_attachment(
    client, flag, reviewer, owner, other_contractor
):
    internal = flag_comment(
        flag=flag,
        user=reviewer,
        note="Their foreman's own log, for counsel.",
        visibility="internal",
        file=SimpleUploadedFile("foreman log.pdf", PDF),
    )
    shared = flag_comment(
        flag=flag,
        user=reviewer,
        note="The certified payroll we compared.",
        visibility="shared",
        file=SimpleUploadedFile("payroll.docx", docx_bytes()),
    )
    for user in (owner, other_contractor):
        client.force_login(user)
        assert download(client, internal).status_code == 404
        assert "foreman log.pdf" not in client.get(flag_url(flag)).content.decode()
        assert body(download(client, shared)) == docx_bytes()
        api = client.get(f"/api/v1/flags/{flag.pk}/events/{internal.pk}/attachment", **bearer(user))
        assert api.status_code == 404
    client.force_login(reviewer)
    assert body(download(client, internal)) == PDF


def test_an_internal_transitions_attachment_is_withheld_with_its_note(
    client, flag, reviewer, owner
):
    client.force_login(reviewer)
    client.post(
        flag_url(flag),
        {
            "action": "escalate",
            "note": "Counsel should see the second crew's slips.",
            "visibility": "internal",
            "file": SimpleUploadedFile("second crew.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64),
        },
    )
    event = FlagEvent.objects.get(flag=flag, kind="transition")
    assert event.attachment_name == "second crew.png"
    detail = client.get(f"/api/v1/flags/{flag.pk}", **bearer(owner)).json()
    transition = next(e for e in detail["events"] if e["id"] == event.pk)
    assert transition["attachment"] is None and transition["note"] == ""
    client.force_login(owner)
    assert "second crew.png" not in client.get(flag_url(flag)).content.decode()
    assert download(client, event).status_code == 404


def test_a_program_renamed_pdf_is_refused_with_what_to_send(client, flag, other_contractor):
    client.force_login(other_contractor)
    response = client.post(
        flag_url(flag),
        {
            "action": "comment",
            "note": "Slips attached.",
            "file": SimpleUploadedFile("slips.pdf", EXE),
        },
    )
    assert response.status_code == 422
    assert (
        "This file is not a PDF, a PNG or JPEG image, an Excel workbook (.xlsx) or a Word "
        "document (.docx)" in response.content.decode()
    )
    assert not FlagEvent.objects.filter(flag=flag, kind="comment").exists()


def test_a_zip_that_is_not_a_word_document_is_refused(flag, other_contractor):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.js", "alert(1)")
    with pytest.raises(InvalidInput, match="not a PDF"):
        flag_comment(
            flag=flag,
            user=other_contractor,
            note="See the file.",
            file=SimpleUploadedFile("slips.docx", buffer.getvalue()),
        )


def test_an_eleven_megabyte_file_is_refused(client, flag, other_contractor):
    client.force_login(other_contractor)
    response = client.post(
        flag_url(flag),
        {
            "action": "dispute",
            "note": "All our slips for the year.",
            "file": SimpleUploadedFile("slips.pdf", PDF + b"0" * (11 * 1024 * 1024)),
        },
    )
    assert response.status_code == 422
    assert "files up to 10 MB are accepted" in response.content.decode()
    flag.refresh_from_db()
    assert flag.status == "open"


def test_the_api_attaches_a_file_to_the_authors_comment_and_refuses_anyone_else(
    client, flag, other_contractor, reviewer
):
    posted = client.post(
        f"/api/v1/flags/{flag.pk}/comments",
        {"note": "Slips to follow."},
        content_type="application/json",
        **bearer(other_contractor),
    ).json()
    url = f"/api/v1/flags/{flag.pk}/events/{posted['id']}/attachment"
    refused = client.post(url, {"file": SimpleUploadedFile("x.pdf", PDF)}, **bearer(reviewer))
    assert refused.status_code == 403
    wrong = client.post(url, {"file": SimpleUploadedFile("x.pdf", EXE)}, **bearer(other_contractor))
    assert wrong.status_code == 422
    assert "not a PDF" in wrong.json()["detail"]
    attached = client.post(
        url, {"file": SimpleUploadedFile("slips.pdf", PDF)}, **bearer(other_contractor)
    )
    assert attached.status_code == 201
    assert attached.json()["attachment"]["name"] == "slips.pdf"
    assert attached.json()["attachment"]["sha256"] == hashlib.sha256(PDF).hexdigest()
    again = client.post(
        url, {"file": SimpleUploadedFile("more.pdf", PDF)}, **bearer(other_contractor)
    )
    assert again.status_code == 409
    got = client.get(attached.json()["attachment"]["url"], **bearer(reviewer))
    assert got.status_code == 200 and body(got) == PDF


def test_the_case_memo_and_the_exhibits_list_the_attachment(worked_examples, project, lawyer):
    flag = worked_examples["flag"]
    event = flag_comment(
        flag=flag,
        user=lawyer,
        note="Dispatch slips from the hall.",
        visibility="internal",
        file=SimpleUploadedFile("hall dispatch slips.pdf", PDF),
    )
    memo = generate(project, lawyer, audience="counsel")
    assert "hall dispatch slips.pdf" in " ".join(memo_text(memo).split())
    exhibits = generate(project, lawyer, document="exhibits", audience="counsel")
    sheet = load_workbook(io.BytesIO(read(exhibits.xlsx)))["Attached evidence"]
    rows = list(sheet.iter_rows(values_only=True))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["File"] == "hall dispatch slips.pdf"
    assert row["SHA-256"] == hashlib.sha256(PDF).hexdigest() == event.attachment_sha256
    assert row["Bytes"] == len(PDF) and row["Note"] == "Internal"
    recipient = generate(project, lawyer, document="exhibits")
    sheet = load_workbook(io.BytesIO(read(recipient.xlsx)))["Attached evidence"]
    assert len(list(sheet.iter_rows(values_only=True))) == 1


def test_progress_evidence_is_checked_by_content(client, project, lawyer):
    make_commitment(
        project,
        "units",
        "count_target",
        unit="units",
        target_quantity="50",
        start_date="2020-01-01",
        due_date="2029-12-31",
    )
    client.force_login(lawyer)
    url = reverse("commitment_progress", kwargs={"slug": "crenshaw", "key": "units"})
    refused = client.post(
        url,
        {
            "date": "2024-03-01",
            "quantity": "4",
            "evidence": SimpleUploadedFile("lease-up.pdf", EXE),
        },
    )
    assert refused.status_code == 422
    assert "This file is not a PDF" in refused.content.decode()
    assert not ProgressEntry.objects.exists()
    stored = client.post(
        url,
        {
            "date": "2024-03-01",
            "quantity": "4",
            "evidence": SimpleUploadedFile("lease-up.pdf", PDF),
        },
    )
    assert stored.status_code == 302
    assert ProgressEntry.objects.get().evidence.read() == PDF
