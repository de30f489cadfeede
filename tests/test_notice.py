"""The notice of non-compliance and cure demand, as PDF and DOCX (SPEC §6), from a flag to a
notice marked sent (issue 12)."""

import io
import re

import docx
import pytest
import time_machine

from compliance.enforcement.actions import cure_deadline_for
from compliance.enforcement.memos.build import memo_generate
from compliance.formatting import long_date
from compliance.models import EnforcementAction, Flag, FlagEvent, Memo
from tests import test_memos, test_memos_web
from tests.test_memos import TODAY, pdf_text

# The worked examples A and D as evaluated, and memo files under a temporary MEDIA_ROOT.
worked_examples = test_memos.worked_examples
memo_files = test_memos.memo_files
run_tasks_now = test_memos_web.run_tasks_now

MONEY = re.compile(r"\$[\d,]+\.\d\d")
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_text(data: bytes) -> str:
    """Every paragraph and table cell of a Word document, in reading order."""
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs]
    return " ".join(" ".join(parts).split())


def read(file) -> bytes:
    with file.open("rb") as f:
        return f.read()


@pytest.fixture
def letterhead(orgs):
    law = orgs["lawcenter"]
    law.address = "1200 Wilshire Blvd, Suite 400\nLos Angeles, CA 90017"
    law.phone = "(213) 555-0140"
    law.email = "enforcement@cblc.example"
    law.signer_name = "Dana Whitfield"
    law.signer_title = "Supervising Attorney"
    law.save()
    walsh = orgs["walsh"]
    walsh.address = "55 Harbor Way\nLong Beach, CA 90802"
    walsh.save()
    return law


def notice(project, user, **scope) -> Memo:
    with time_machine.travel(TODAY, tick=False):
        return memo_generate(project=project, user=user, document="notice", **scope)


@pytest.fixture
def walsh_notice(worked_examples, project, walsh, lawyer, letterhead):
    # A shared note the contractor may read, and an internal one it must never see.
    flag = worked_examples["flag"]
    FlagEvent.objects.create(
        flag=flag, kind="comment", note="Walsh was told on site.", visibility="shared"
    )
    return notice(project, lawyer, assignment=walsh)


def test_a_notice_carries_letterhead_addressee_findings_cure_and_signature(walsh_notice):
    text = pdf_text(read(walsh_notice.pdf))
    assert walsh_notice.status == Memo.Status.READY, walsh_notice.failure_reason
    assert "COMMUNITY BENEFITS LAW CENTER" in text
    assert "1200 Wilshire Blvd, Suite 400" in text
    assert "Notice of non-compliance and cure demand" in text
    assert "Walsh Shea" in text and "55 Harbor Way" in text
    assert "Copies Metro" in text
    assert "§3.1 Targeted worker hours" in text
    assert "At least 40% of all project work hours" in text
    assert "300.00 hours × $25.00 = $7,500.00" in text
    assert "Pay $100.00 in restitution" in text
    assert "W-17" in text
    deadline = cure_deadline_for(project=walsh_notice.project, notice_date=TODAY.date())
    assert f"cured by {long_date(deadline)}" in text
    assert "How to respond" in text
    assert "Dana Whitfield" in text and "Supervising Attorney" in text


def test_a_notice_to_a_contractor_leaves_out_the_developers_count_promises():
    """Units delivered and fund payments are the developer's to cure, not the contractor's."""
    from compliance.enforcement.memos.notice import _findings

    def entry(kind):
        return {"evaluated": True, "kind": kind, "groups": [{"status": "shortfall"}]}

    commitments = [entry("count_target"), entry("wage_floor"), entry("workforce_share")]
    to_walsh = {"scope": {"contractor": "Walsh Shea"}, "commitments": commitments}
    to_owner = {"scope": {"contractor": None}, "commitments": commitments}
    assert [f["entry"]["kind"] for f in _findings(to_walsh)] == ["wage_floor", "workforce_share"]
    assert len(_findings(to_owner)) == 3


def test_the_notice_carries_no_internal_note_and_no_worker_name_in_either_format(walsh_notice):
    for text in (pdf_text(read(walsh_notice.pdf)), docx_text(read(walsh_notice.docx))):
        assert "hiring plan" not in text  # the internal comment
        assert "Walsh was told on site" not in text  # flag notes stay out of a letter
        assert "Privileged" not in text
        assert "W-17" in text


def test_the_notice_docx_and_pdf_carry_the_same_figures(walsh_notice):
    pdf = pdf_text(read(walsh_notice.pdf))
    word = docx_text(read(walsh_notice.docx))
    assert sorted(MONEY.findall(pdf)) == sorted(MONEY.findall(word))
    assert MONEY.findall(word)
    for phrase in ("300.00 hours × $25.00 = $7,500.00", "W-17", "Dana Whitfield"):
        assert phrase in pdf and phrase in word


def test_a_notice_for_counsel_is_refused(worked_examples, project, lawyer):
    from cba.errors import InvalidInput

    with pytest.raises(InvalidInput, match="for the recipient"):
        notice(project, lawyer, audience="counsel")
    assert not Memo.objects.exists()


def test_the_case_memo_docx_is_privileged_and_carries_the_pdfs_figures(
    worked_examples, project, lawyer
):
    with time_machine.travel(TODAY, tick=False):
        memo = memo_generate(project=project, user=lawyer, document="case", audience="counsel")
    pdf = pdf_text(read(memo.pdf))
    word = docx_text(read(memo.docx))
    assert "Privileged and confidential: attorney work product" in word
    assert "hiring plan" in word  # counsel reads internal notes
    for figure in ("$7,500.00", "$100.00", "300.00 hours"):
        assert figure in pdf and figure in word
    assert memo.file_name("docx").endswith("-privileged.docx")


def test_mark_sent_records_a_notice_with_its_deadline_and_the_sent_document(
    walsh_notice, client, lawyer
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(lawyer)
    response = client.post(
        f"/memos/{walsh_notice.pk}/sent/",
        {
            "sent_on": "2026-11-27",
            "document": SimpleUploadedFile("notice-as-sent.pdf", PDF_BYTES),
        },
    )
    assert response.status_code == 302
    action = EnforcementAction.objects.get()
    assert action.kind == "notice"
    assert str(action.date) == "2026-11-27"
    assert action.cure_deadline is not None and action.cure_deadline > action.date
    assert action.memo == walsh_notice
    assert action.assignment == walsh_notice.assignment
    assert len(action.sent_document_sha256) == 64
    assert read(action.sent_document) == PDF_BYTES


def test_mark_sent_refuses_a_file_that_is_not_a_pdf_or_docx(walsh_notice, client, lawyer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(lawyer)
    response = client.post(
        f"/memos/{walsh_notice.pk}/sent/",
        {"sent_on": "2026-11-27", "document": SimpleUploadedFile("notice.pdf", b"MZ\x90\x00")},
        follow=True,
    )
    assert "not a PDF or a Word document" in response.content.decode()
    assert not EnforcementAction.objects.exists()


@pytest.mark.parametrize("who", ["reviewer", "contractor", "owner_user"])
def test_only_the_law_center_downloads_a_notice(walsh_notice, client, who, request, orgs):
    from tests.conftest import make_user

    owner = who == "owner_user"
    user = make_user("metro_pm", orgs["metro"]) if owner else request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(f"/memos/{walsh_notice.pk}/docx").status_code in (403, 404)
    assert client.post(f"/memos/{walsh_notice.pk}/sent/", {}).status_code in (403, 404)


def test_a_law_center_of_another_organization_gets_404(walsh_notice, client, orgs):
    from projects.models import Organization
    from tests.conftest import make_user

    other = Organization.objects.create(slug="other-law", name="Other Law", kind="law_center")
    client.force_login(make_user("other_lawyer", other))
    assert client.get(f"/memos/{walsh_notice.pk}/docx").status_code == 404


def test_the_law_center_downloads_the_notice_as_docx(walsh_notice, client, lawyer):
    client.force_login(lawyer)
    response = client.get(f"/memos/{walsh_notice.pk}/docx")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'notice-{walsh_notice.pk}-crenshaw.docx"')
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_draft_notice_from_a_flag_builds_a_notice_for_its_contractor_and_commitment(
    worked_examples,
    project,
    walsh,
    client,
    lawyer,
    run_tasks_now,
    django_capture_on_commit_callbacks,
):
    flag = worked_examples["flag"]
    Flag.objects.filter(pk=flag.pk).update(assignment=walsh)
    client.force_login(lawyer)
    with (
        time_machine.travel(TODAY, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post("/notices/draft/", {"flag": [flag.pk]})
    assert response.status_code == 302
    memo = Memo.objects.get()
    assert memo.document == "notice" and memo.audience == "recipient"
    assert memo.assignment == walsh
    assert memo.commitment_keys == ["targeted"]
    assert list(memo.flags.all()) == [flag]
    assert memo.status == "ready" and memo.docx


def test_draft_notice_refuses_flags_of_two_contractors(
    worked_examples, project, walsh, pulice, client, lawyer
):
    flag = worked_examples["flag"]
    other = Flag.objects.create(
        project=project,
        assignment=pulice,
        commitment_key="targeted",
        kind="at_risk",
        severity="warning",
        dedupe_key="at_risk:targeted:pulice",
        title="Pulice at risk",
    )
    Flag.objects.filter(pk=flag.pk).update(assignment=walsh)
    client.force_login(lawyer)
    response = client.post("/notices/draft/", {"flag": [flag.pk, other.pk]}, follow=True)
    assert "a notice goes to one contractor" in response.content.decode()
    assert not Memo.objects.exists()


def test_the_flag_page_offers_draft_notice_to_the_law_center_only(
    worked_examples, client, lawyer, reviewer
):
    flag = worked_examples["flag"]
    client.force_login(lawyer)
    assert "Draft notice" in client.get(f"/flags/{flag.pk}/").content.decode()
    client.force_login(reviewer)
    assert "Draft notice" not in client.get(f"/flags/{flag.pk}/").content.decode()
    assert client.post("/notices/draft/", {"flag": [flag.pk]}).status_code == 403


def api_post(client, user, path: str, data: dict):
    from projects.tokens import api_token_create

    _, raw = api_token_create(user=user, name="notice test")
    return client.post(f"/api/v1{path}", data, HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_the_api_marks_a_notice_sent_with_the_cure_deadline_of_example_g(
    walsh_notice, client, lawyer, reviewer
):
    """Example G: sent 2026-11-27 with a 30-day cure period, due 2026-12-28 (the 27th is a
    Sunday). The API records it as the web does; twice is a conflict; a reviewer may not."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    def send(user, content=PDF_BYTES):
        return api_post(
            client,
            user,
            f"/memos/{walsh_notice.pk}/sent",
            {
                "sent_on": "2026-11-27",
                "note": "By certified mail",
                "document": SimpleUploadedFile("notice-as-sent.pdf", content),
            },
        )

    assert send(reviewer).status_code in (403, 404)
    refused = send(lawyer, b"MZ\x90\x00")
    assert refused.status_code == 422 and "not a PDF or a Word document" in refused.text
    assert not EnforcementAction.objects.exists()
    sent = send(lawyer)
    assert sent.status_code == 201, sent.text
    body = sent.json()
    assert (body["kind"], body["date"], body["cure_deadline"]) == (
        "notice",
        "2026-11-27",
        "2026-12-28",
    )
    action = EnforcementAction.objects.get()
    assert read(action.sent_document) == PDF_BYTES
    assert body["sent_document_sha256"] == action.sent_document_sha256
    assert send(lawyer).status_code == 409
    assert EnforcementAction.objects.count() == 1


def test_no_heading_of_the_notice_is_left_alone_at_the_foot_of_a_page(walsh_notice):
    """'How to respond' and its paragraph go to the page of the signature together (the
    signature used to take the paragraph and leave its heading at the foot of page 2)."""
    from pypdf import PdfReader

    pages = [page.extract_text() for page in PdfReader(io.BytesIO(read(walsh_notice.pdf))).pages]
    for heading, first_words in [
        ("How to respond", "Within the cure period"),
        ("Cure deadline", "Cure the breach by"),
        ("Remedies under the agreement", "If the breach is not cured"),
    ]:
        (page,) = [p for p in pages if heading in p]
        assert first_words in page, heading
