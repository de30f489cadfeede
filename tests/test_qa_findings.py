"""What a QA pass of the public pages and the notice API found, kept as tests: each one
reproduced a defect (its docstring says what a user saw) and passes since its fix."""

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from compliance.models import EnforcementAction
from tests import test_notice
from tests.test_notice import PDF_BYTES, api_post
from tests.test_public_figures import example_a  # noqa: F401  (fixture)

worked_examples = test_notice.worked_examples
memo_files = test_notice.memo_files
letterhead = test_notice.letterhead
walsh_notice = test_notice.walsh_notice


@pytest.mark.parametrize(
    "url",
    [
        "/public/",
        "/public/projects/crenshaw/",
        "/public/projects/crenshaw.csv",
        "/public/projects/crenshaw.json",
        "/public/data-dictionary/",
    ],
)
def test_public_pages_answer_a_head_request(example_a, url):  # noqa: F811
    """HEAD on a public page or download answers 405 (Method Not Allowed), while
    /public/compare/ answers 200: link checkers, caches and `curl -I` fail on the very pages
    meant for the public. HEAD must answer like GET, without a body."""
    response = Client().head(url)

    assert response.status_code == 200, (url, response.status_code)


def test_a_notice_cannot_be_recorded_as_sent_on_a_day_still_to_come(walsh_notice, client, lawyer):
    """POST /api/v1/memos/{id}/sent with sent_on=2099-01-01 is accepted (201) and sets a
    cure deadline of 2099-02-02: a notice cannot have been sent on a day still to come, and
    the cure deadline, the contractor's clock and the enforcement history are then false."""
    with time_machine.travel(test_notice.TODAY, tick=False):
        response = api_post(
            client,
            lawyer,
            f"/memos/{walsh_notice.pk}/sent",
            {
                "sent_on": "2099-01-01",
                "document": SimpleUploadedFile("notice-as-sent.pdf", PDF_BYTES),
            },
        )

    assert response.status_code == 422, response.text
    assert not EnforcementAction.objects.exists()


def test_an_api_post_without_a_token_is_told_to_sign_in(walsh_notice):
    """A POST to the API without a token answers 403 "CSRF check Failed", words that mean
    nothing to a paralegal's script; a GET answers 401 "Sign in first: send Authorization:
    Bearer <token>". Both should say what to do next."""
    response = Client(enforce_csrf_checks=True).post(
        f"/api/v1/memos/{walsh_notice.pk}/sent",
        {"sent_on": "2026-11-27", "document": SimpleUploadedFile("n.pdf", PDF_BYTES)},
    )

    assert response.status_code == 401, response.text
    assert "Sign in first" in response.text


def test_a_per_contractor_shortfall_is_explained_on_the_public_page(
    project, walsh, pulice, crafts, area
):
    """A commitment measured for each contractor is marked "Shortfall" on the public page,
    while its only table (by trade, all contractors together) answers "Yes" on every row:
    a visitor reads a contradiction. The signed-in page says "2 groups: 1 in shortfall, ...";
    the public page should say how many of the groups measured fall short."""
    import datetime

    from compliance.evaluation.public.figures import public_figures_refresh
    from tests.conftest import make_commitment, make_report
    from tests.engine_support import evaluate, line
    from tests.test_public_figures import AS_OF, WEEK

    project.agreements.update(public=True)
    make_commitment(
        project,
        "local",
        "workforce_share",
        qualifier="area_resident",
        area=area,
        target_percent="40",
        scope="contractor",
        title="Local hire per contractor",
    )
    walsh_lines = [
        line(f"W{n}", WEEK, crafts["Carpenter"], "500.00", home_zip="90001" if n < 10 else "99999")
        for n in range(20)
    ]
    pulice_lines = [line(f"P{n}", WEEK, crafts["Carpenter"], "200.00") for n in range(10)]
    make_report(walsh, datetime.date(2024, 3, 1), walsh_lines)
    make_report(pulice, datetime.date(2024, 3, 1), pulice_lines)
    evaluate(project, AS_OF)
    public_figures_refresh(project=project)

    text = " ".join(Client().get("/public/projects/crenshaw/").content.decode().split())

    assert "Shortfall" in text  # Pulice: 0% against 40%
    assert "41.67%" in text  # Carpenter, both contractors together: at or above the target
    assert "in shortfall" in text, "the public page does not say which groups fall short"
