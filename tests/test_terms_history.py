"""Terms with history (SPEC §3.6): versions with effective dates; an evaluation applies the
version in force on its as-of date; nothing is overwritten; documents cite the version."""

import datetime
import io
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from compliance.enforcement.memos.build import memo_generate
from compliance.models import Evaluation
from projects.models import CommitmentVersion
from projects.policies import commitment_amend, history
from tests.conftest import make_commitment, make_report
from tests.engine_support import d, evaluate, line

JUNE_2025 = datetime.date(2025, 6, 1)
MARCH_2026 = datetime.date(2026, 3, 1)


def phased_apprentice_target(project, admin):
    """Example H: 15% apprentice hours from 2025-01-01, amended to 20% from 2026-01-01."""
    commitment = make_commitment(
        project,
        "apprentice",
        "workforce_share",
        clause="§4.2(a)",
        qualifier="apprentice",
        target_percent="15",
        warning_margin="5",
    )
    CommitmentVersion.objects.create(
        commitment=commitment,
        effective_from=datetime.date(2025, 1, 1),
        params=commitment.params,
        note="As signed.",
    )
    commitment_amend(
        commitment=commitment,
        effective_from=datetime.date(2026, 1, 1),
        changes={"target_percent": "20"},
        note="Second phase of the apprenticeship schedule.",
        user=admin,
    )
    return commitment


def hours(assignment, crafts, period, *, total, apprentice):
    week = period.replace(day=7)
    return make_report(
        assignment,
        period,
        [
            line("ap", week, crafts["Carpenter"], apprentice, is_apprentice=True),
            line("jw", week, crafts["Carpenter"], total - apprentice),
        ],
    )


@pytest.fixture
def phased(project, walsh, crafts, admin):
    commitment = phased_apprentice_target(project, admin)
    hours(walsh, crafts, JUNE_2025, total=1000, apprentice=170)
    hours(walsh, crafts, MARCH_2026, total=1000, apprentice=190)
    return commitment


def test_worked_example_h_holds_2025_work_to_the_2025_target(project, phased):
    result = evaluate(project, datetime.date(2025, 12, 31))[("apprentice", "project")]

    assert result.denominator == d("1000.00")
    assert result.numerator == d("170.00")
    assert result.actual_percent == d("17.00")
    assert result.target_percent == d("15.00")
    assert result.status == "met"
    assert result.terms_version.effective_from == datetime.date(2025, 1, 1)


def test_worked_example_h_holds_the_cumulative_figures_to_the_phase_in_force(project, phased):
    result = evaluate(project, datetime.date(2026, 6, 30))[("apprentice", "project")]

    assert result.denominator == d("2000.00")
    assert result.numerator == d("360.00")
    assert result.actual_percent == d("18.00")
    assert result.target_percent == d("20.00")
    assert result.status == "at_risk"
    assert result.shortfall == d("40.00")
    assert result.terms_version.effective_from == datetime.date(2026, 1, 1)


def test_an_amendment_keeps_the_earlier_terms_and_says_who_and_why(project, phased, admin):
    rows = history(phased)

    assert [r["version"].effective_from for r in rows] == [
        datetime.date(2025, 1, 1),
        datetime.date(2026, 1, 1),
    ]
    assert rows[0]["version"].params["target_percent"] == "15"
    assert rows[1]["changes"] == {"target_percent": ["15", "20"]}
    assert rows[1]["version"].who == "admin"
    assert rows[1]["version"].note == "Second phase of the apprenticeship schedule."
    phased.refresh_from_db()
    assert phased.params["target_percent"] == "20"


def test_a_version_is_never_changed(phased):
    version = phased.versions.first()
    version.params = {"target_percent": "99"}

    with pytest.raises(ValidationError):
        version.save()


def test_an_amendment_with_a_bad_value_stores_nothing(project, phased):
    with pytest.raises(ValidationError) as caught:
        commitment_amend(
            commitment=phased,
            effective_from=datetime.date(2027, 1, 1),
            changes={"target_percent": "lots"},
            note="Typo.",
        )

    assert "target_percent" in caught.value.message_dict
    assert phased.versions.count() == 2


def test_an_amendment_needs_a_reason(project, phased):
    with pytest.raises(ValidationError) as caught:
        commitment_amend(
            commitment=phased,
            effective_from=datetime.date(2027, 1, 1),
            changes={"target_percent": "25"},
            note=" ",
        )

    assert "note" in caught.value.message_dict


def test_a_commitment_without_versions_keeps_its_own_terms(project, walsh, crafts):
    make_commitment(
        project, "plain", "workforce_share", qualifier="apprentice", target_percent="10"
    )
    hours(walsh, crafts, JUNE_2025, total=100, apprentice=20)

    result = evaluate(project, datetime.date(2025, 12, 31))[("plain", "project")]

    assert result.target_percent == d("10.00")
    assert result.terms_version is None
    assert Evaluation.objects.filter(terms_version__isnull=False).count() == 0


def admin_form(commitment, **values) -> dict:
    data = {
        "project": commitment.project_id,
        "agreement": commitment.agreement_id,
        "key": commitment.key,
        "clause": commitment.clause,
        "position": commitment.position,
        "title": commitment.title,
        "kind": commitment.kind,
        "area": commitment.area_id or "",
        "params": json.dumps(commitment.params),
        # What the page sent out, as a browser returns it (a JSON field with a default).
        "initial-params": json.dumps(commitment.params),
        "text": commitment.text,
        "effective_from": "",
        "change_note": "",
    }
    data.update(values)
    return data


@pytest.fixture
def admin_client(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def test_the_admin_records_changed_terms_as_a_version_with_who_and_why(
    admin_client, project, phased
):
    url = f"/admin/projects/commitment/{phased.pk}/change/"
    params = {**phased.params, "target_percent": "25"}

    response = admin_client.post(
        url,
        admin_form(
            phased,
            params=json.dumps(params),
            effective_from="2027-01-01",
            change_note="Third phase, Amendment No. 2.",
        ),
    )

    assert response.status_code == 302
    versions = list(phased.versions.order_by("effective_from"))
    assert [v.params["target_percent"] for v in versions] == ["15", "20", "25"]
    assert (versions[-1].who, versions[-1].note) == ("admin", "Third phase, Amendment No. 2.")
    # The 2026 terms still hold the 2026 work.
    assert phased.terms_on(datetime.date(2026, 6, 30)).params["target_percent"] == "20"
    page = admin_client.get(url).content.decode()
    assert "History of the terms" in page
    assert "<code>target_percent</code>: 20 → 25" in page
    assert "Third phase, Amendment No. 2." in page


def test_the_admin_refuses_changed_terms_without_a_reason(admin_client, phased):
    params = {**phased.params, "target_percent": "25"}

    response = admin_client.post(
        f"/admin/projects/commitment/{phased.pk}/change/",
        admin_form(phased, params=json.dumps(params)),
    )

    assert response.status_code == 200
    assert "change_note" in response.context["adminform"].form.errors
    assert phased.versions.count() == 2


def test_a_title_change_in_the_admin_adds_no_version(admin_client, phased):
    response = admin_client.post(
        f"/admin/projects/commitment/{phased.pk}/change/",
        admin_form(phased, title="Apprentice hours (phased)"),
    )

    assert response.status_code == 302
    assert phased.versions.count() == 2


def memo_pdf_text(memo) -> str:
    with memo.pdf.open("rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_a_memo_cites_the_terms_it_applied_and_keeps_them(project, phased, lawyer):
    memo_2025 = memo_generate(project=project, user=lawyer, as_of=datetime.date(2025, 12, 31))
    memo_2026 = memo_generate(project=project, user=lawyer, as_of=datetime.date(2026, 6, 30))

    text_2025, text_2026 = memo_pdf_text(memo_2025), memo_pdf_text(memo_2026)
    assert "Construction Careers Policy §4.2(a), terms of 2025-01-01" in text_2025
    assert "Construction Careers Policy §4.2(a), terms of 2026-01-01" in text_2026
    entry = memo_2026.snapshot["commitments"][0]
    assert entry["terms"] == {
        "effective_from": "2026-01-01",
        "note": "Second phase of the apprenticeship schedule.",
    }
    assert entry["target_percent"] == "20.00"
    assert memo_2025.snapshot["commitments"][0]["target_percent"] == "15.00"

    # A later amendment leaves the memos already built as they were.
    commitment_amend(
        commitment=phased,
        effective_from=datetime.date(2025, 1, 1),
        changes={"target_percent": "12"},
        note="Corrected first phase.",
    )
    memo_2025.refresh_from_db()
    assert memo_2025.snapshot["commitments"][0]["terms"]["effective_from"] == "2025-01-01"
    assert memo_2025.snapshot["commitments"][0]["target_percent"] == "15.00"


def test_the_project_page_words_each_promise_with_the_terms_it_was_measured_against(
    client, reviewer, project, phased
):
    client.force_login(reviewer)
    page_url = reverse("project_home", kwargs={"slug": project.slug})

    evaluate(project, datetime.date(2025, 12, 31))
    page_2025 = client.get(page_url).content.decode()
    evaluate(project, datetime.date(2026, 6, 30))
    page_2026 = client.get(page_url).content.decode()

    def promise(page: str) -> str:
        return re.search(r'<p class="plain">(.*?)</p>', page, re.S).group(1)

    assert "Terms in force from Jan 1, 2025 (amended)" in page_2025
    assert "15%" in promise(page_2025)
    assert "Terms in force from Jan 1, 2026 (amended)" in page_2026
    assert "20%" in promise(page_2026)
