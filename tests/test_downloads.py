"""Stored files leave only through views that ask projects/access.py (SPEC §8).

Original uploads carry worker names (and, in eCPR, street addresses): the contractor that
filed them, the law center monitoring the project and program admins may download them;
coalition reviewers, the owner and other contractors get 404, and the API gives them no
link. No URL maps to the storage, in DEBUG too, and stored names cannot be guessed.
"""

import datetime
import importlib
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.test import Client, override_settings
from django.urls import clear_url_caches, reverse

import cba.urls
from compliance.models import ProgressEntry
from compliance.reporting.intake.upload import report_upload
from compliance.storage import safe_filename
from tests.conftest import make_commitment, make_user
from tests.intake_support import BEFORE_DUE, OCTOBER, lines, workbook

WORKER = "Marisol Quintero-Vega"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def owner(orgs, project):
    return make_user("metro_staff", orgs["metro"])


@pytest.fixture
def uploaded(walsh, contractor):
    """Walsh's October report, uploaded as a workbook naming a worker."""
    with time_machine.travel(BEFORE_DUE, tick=False):
        return report_upload(
            assignment=walsh,
            period=OCTOBER,
            content=workbook(lines(2, worker_name=WORKER)),
            filename="october.xlsx",
            user=contractor,
        ).report


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def file_url(report) -> str:
    return reverse("report_file", kwargs={"report_id": report.pk})


def api_report(client, report) -> dict:
    response = client.get(f"/api/v1/projects/crenshaw/reports/{report.pk}")
    assert response.status_code == 200
    return response.json()["report"]


@pytest.mark.parametrize("actor", ["contractor", "lawyer", "admin"])
def test_the_filing_contractor_the_law_center_and_admins_download_the_original(
    actor, uploaded, request
):
    client = logged_in(request.getfixturevalue(actor))

    response = client.get(file_url(uploaded))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="october.xlsx"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == uploaded.source_file.open("rb").read()
    assert api_report(client, uploaded)["file_url"] == file_url(uploaded)
    assert (
        "Download the original file"
        in client.get(reverse("report_detail", kwargs={"report_id": uploaded.pk})).content.decode()
    )


@pytest.mark.parametrize("actor", ["reviewer", "owner"])
def test_reviewers_and_the_owner_get_404_for_the_original_on_the_web_and_no_link_in_the_api(
    actor, uploaded, request
):
    client = logged_in(request.getfixturevalue(actor))

    assert client.get(file_url(uploaded)).status_code == 404
    detail = client.get(reverse("report_detail", kwargs={"report_id": uploaded.pk}))
    assert detail.status_code == 200 and file_url(uploaded) not in detail.content.decode()
    assert api_report(client, uploaded)["file_url"] is None
    listed = client.get("/api/v1/projects/crenshaw/reports").json()
    assert [r["file_url"] for r in listed["items"]] == [None]


def test_another_contractor_and_a_law_center_elsewhere_get_404_for_the_original(
    uploaded, other_contractor, orgs
):
    other_center = orgs["metro"].__class__.objects.create(
        slug="other-law", name="Other Law Center", kind="law_center"
    )
    for user in [other_contractor, make_user("stranger", other_center)]:
        assert logged_in(user).get(file_url(uploaded)).status_code == 404


def test_an_anonymous_visitor_is_asked_to_log_in_for_the_original(uploaded):
    response = Client().get(file_url(uploaded))

    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_stored_names_carry_a_random_part_and_not_the_uploaded_name(uploaded, walsh, contractor):
    with time_machine.travel(BEFORE_DUE, tick=False):
        again = report_upload(
            assignment=walsh,
            period=OCTOBER,
            content=workbook(lines(3)),
            filename="october.xlsx",
            user=contractor,
        ).report

    names = [uploaded.source_file.name, again.source_file.name]
    assert all(re.fullmatch(r"reports/\d{4}/[A-Za-z0-9_-]{24}\.xlsx", n) for n in names), names
    assert names[0] != names[1]


def test_with_debug_on_no_media_url_serves_a_stored_file(uploaded):
    """`make demo` runs with DEBUG=1: /media/ must not answer then either."""
    with override_settings(DEBUG=True):
        clear_url_caches()
        importlib.reload(cba.urls)
        try:
            response = Client().get(f"/media/{uploaded.source_file.name}")
        finally:
            clear_url_caches()
            importlib.reload(cba.urls)

    assert response.status_code == 404


def test_a_download_name_keeps_only_plain_characters():
    assert safe_filename('..\\..\\evil"\r\nname<script>.xlsx') == "evil_name_script_.xlsx"
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("...") == "download"


def test_progress_evidence_is_a_random_name_downloaded_as_an_attachment(
    project, lawyer, reviewer, outsider
):
    commitment = make_commitment(
        project,
        "training",
        "count_target",
        target_quantity=10,
        unit="slots",
        start_date="2026-01-01",
        due_date="2026-12-31",
    )
    # Stored before evidence was checked by content (the form now refuses HTML).
    entry = ProgressEntry.objects.create(
        commitment=commitment,
        date=datetime.date(2026, 3, 1),
        quantity=Decimal("2"),
        evidence=ContentFile(b"<html><script>alert(1)</script></html>", name="roster.html"),
        entered_by=lawyer,
    )
    url = reverse("progress_evidence", kwargs={"slug": "crenshaw", "entry_id": entry.pk})

    response = logged_in(reviewer).get(url)

    assert re.fullmatch(r"evidence/\d{4}/[A-Za-z0-9_-]{24}\.html", entry.evidence.name)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == (
        f'attachment; filename="evidence-{entry.pk}-2026-03-01.html"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert logged_in(outsider).get(url).status_code == 404


def test_the_agreement_document_goes_to_those_who_see_the_project(project, reviewer, outsider):
    project.agreement.document.save("ccp.pdf", ContentFile(b"%PDF-1.4 policy"), save=True)
    url = reverse("agreement_document", kwargs={"slug": "crenshaw"})

    response = logged_in(reviewer).get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="agreement-crenshaw.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert logged_in(outsider).get(url).status_code == 404
