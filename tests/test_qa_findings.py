"""QA findings on the public pages and the notice API (failing until fixed).

Each test reproduces one defect found by the QA pass; the docstring says what a user sees."""

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
