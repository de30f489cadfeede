"""Memo requests, lists and downloads on the web and the API; who may use them (SPEC §6, §8)."""

import pytest
import time_machine
from django.urls import reverse

from compliance.enforcement.memos.build import memo_request
from compliance.models import AuditEvent, Memo
from projects.models import ApiToken, hash_token
from tests import test_memos
from tests.test_memos import TODAY, pdf_text

# The worked examples and the temporary media folder of the memo tests.
memo_files = test_memos.memo_files
worked_examples = test_memos.worked_examples


@pytest.fixture
def run_tasks_now(monkeypatch):
    """django-q2 runs enqueued tasks in-process (its `sync` mode)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


def bearer(user) -> dict:
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=user, name="test", prefix=raw[:8], key_hash=hash_token(raw))
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_a_memo_request_queues_a_task_that_builds_it_after_commit(
    worked_examples, project, lawyer, run_tasks_now, django_capture_on_commit_callbacks
):
    with time_machine.travel(TODAY, tick=False):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            memo = memo_request(project=project, user=lawyer, commitment_keys=["targeted"])
            assert memo.status == "queued"
    assert len(callbacks) == 1
    memo.refresh_from_db()
    assert memo.status == "ready"
    assert memo.commitment_keys == ["targeted"]
    event = AuditEvent.objects.get(verb="memo.requested")
    assert event.actor == lawyer and event.object_id == str(memo.pk)


def test_the_law_center_requests_a_memo_from_the_web_and_downloads_it(
    client,
    worked_examples,
    project,
    lawyer,
    walsh,
    run_tasks_now,
    django_capture_on_commit_callbacks,
):
    flag = worked_examples["flag"]
    client.force_login(lawyer)
    form = client.get(reverse("memo_new", kwargs={"slug": "crenshaw"}) + f"?flag={flag.pk}")
    assert form.status_code == 200
    assert f'value="{flag.pk}"' in form.content.decode()
    assert "checked" in form.content.decode()
    with time_machine.travel(TODAY, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("memo_new", kwargs={"slug": "crenshaw"}),
                {"contractor": walsh.pk, "commitments": ["targeted", "wage"], "flags": [flag.pk]},
            )
    assert response.status_code == 302
    memo = Memo.objects.get()
    assert memo.assignment == walsh and list(memo.flags.all()) == [flag]
    assert memo.status == "ready"

    listing = client.get(reverse("memo_list", kwargs={"slug": "crenshaw"}))
    assert "Ready" in listing.content.decode()
    assert memo.pdf_sha256 in listing.content.decode()
    pdf = client.get(reverse("memo_pdf", kwargs={"memo_id": memo.pk}))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(pdf.streaming_content))
    assert "To Walsh Shea" in text
    assert "300.00 hours × $25.00 = $7,500.00" in text
    snapshot = client.get(reverse("memo_snapshot", kwargs={"memo_id": memo.pk}))
    assert snapshot.json()["scope"]["flag_ids"] == [flag.pk]


def test_a_failed_memo_shows_its_reason_in_the_list(client, project, lawyer):
    Memo.objects.create(
        project=project, status="failed", failure_reason="The memo could not be built (boom)."
    )
    client.force_login(lawyer)
    page = client.get(reverse("memo_list", kwargs={"slug": "crenshaw"})).content.decode()
    assert "Failed" in page and "The memo could not be built (boom)." in page


def test_a_queued_memo_cannot_be_downloaded_yet(client, project, lawyer):
    memo = Memo.objects.create(project=project)
    client.force_login(lawyer)
    response = client.get(reverse("memo_pdf", kwargs={"memo_id": memo.pk}), follow=True)
    assert "still being built" in response.content.decode()


@pytest.mark.parametrize("actor", ["reviewer", "contractor", "other_contractor"])
def test_reviewers_and_contractors_are_refused_memos_on_the_web(client, project, actor, request):
    memo = Memo.objects.create(project=project, status="ready")
    client.force_login(request.getfixturevalue(actor))
    for url in [
        reverse("memo_list", kwargs={"slug": "crenshaw"}),
        reverse("memo_new", kwargs={"slug": "crenshaw"}),
        reverse("memo_pdf", kwargs={"memo_id": memo.pk}),
        reverse("memo_snapshot", kwargs={"memo_id": memo.pk}),
        reverse("memo_index"),
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("memo_new", kwargs={"slug": "crenshaw"}), {}).status_code == 403
    assert Memo.objects.count() == 1


def test_a_law_center_that_does_not_follow_the_project_gets_404(client, project, orgs):
    from tests.conftest import make_user

    other_center = orgs["elsewhere"].__class__.objects.create(
        slug="other-law", name="Other Law Center", kind="law_center"
    )
    stranger = make_user("stranger", other_center)
    memo = Memo.objects.create(project=project, status="ready")
    client.force_login(stranger)
    assert client.get(reverse("memo_list", kwargs={"slug": "crenshaw"})).status_code == 404
    assert client.get(reverse("memo_pdf", kwargs={"memo_id": memo.pk})).status_code == 404


def test_admins_may_use_memos(client, project, admin):
    client.force_login(admin)
    assert client.get(reverse("memo_list", kwargs={"slug": "crenshaw"})).status_code == 200
    assert client.get(reverse("memo_index")).status_code == 200


def test_the_memo_form_refuses_an_unknown_commitment(client, worked_examples, project, lawyer):
    client.force_login(lawyer)
    response = client.post(
        reverse("memo_new", kwargs={"slug": "crenshaw"}), {"commitments": ["nope"]}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Memo.objects.exists()


def test_the_api_requests_a_memo_reports_its_status_and_serves_the_pdf(
    client, worked_examples, project, lawyer, run_tasks_now, django_capture_on_commit_callbacks
):
    auth = bearer(lawyer)
    with time_machine.travel(TODAY, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/api/v1/projects/crenshaw/memos",
                {"contractor": "walsh", "commitment_keys": ["targeted"]},
                content_type="application/json",
                **auth,
            )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["contractor"] == "walsh"
    status = client.get(f"/api/v1/memos/{body['id']}", **auth).json()
    assert status["status"] == "ready" and len(status["snapshot_sha256"]) == 64
    pdf = client.get(status["pdf_url"], **auth)
    assert pdf.status_code == 200
    assert "300.00 hours × $25.00 = $7,500.00" in pdf_text(b"".join(pdf.streaming_content))
    listing = client.get("/api/v1/projects/crenshaw/memos", **auth).json()
    assert [m["id"] for m in listing["items"]] == [body["id"]]
    snapshot = client.get(f"/api/v1/memos/{body['id']}/snapshot", **auth).json()
    assert snapshot["commitments"][0]["totals"]["liquidated_damages"] == "7500.00"


def test_the_api_answers_422_for_an_unknown_contractor_or_commitment(
    client, worked_examples, project, lawyer
):
    auth = bearer(lawyer)
    for payload in [{"contractor": "nobody"}, {"commitment_keys": ["nope"]}]:
        response = client.post(
            "/api/v1/projects/crenshaw/memos", payload, content_type="application/json", **auth
        )
        assert response.status_code == 422
        assert response.json()["errors"]
    assert not Memo.objects.exists()


def test_the_api_refuses_a_pdf_that_is_not_ready(client, project, lawyer):
    memo = Memo.objects.create(project=project)
    response = client.get(f"/api/v1/memos/{memo.pk}/pdf", **bearer(lawyer))
    assert response.status_code == 409


@pytest.mark.parametrize("actor", ["reviewer", "contractor"])
def test_reviewers_and_contractors_are_refused_memos_by_the_api(client, project, actor, request):
    memo = Memo.objects.create(project=project, status="ready")
    auth = bearer(request.getfixturevalue(actor))
    assert (
        client.post(
            "/api/v1/projects/crenshaw/memos", {}, content_type="application/json", **auth
        ).status_code
        == 403
    )
    assert client.get("/api/v1/projects/crenshaw/memos", **auth).status_code == 403
    assert client.get(f"/api/v1/memos/{memo.pk}", **auth).status_code == 403
    assert client.get(f"/api/v1/memos/{memo.pk}/pdf", **auth).status_code == 403
    assert Memo.objects.count() == 1


def test_outsiders_get_404_from_the_memo_api(client, project, outsider):
    memo = Memo.objects.create(project=project, status="ready")
    auth = bearer(outsider)
    assert (
        client.post(
            "/api/v1/projects/crenshaw/memos", {}, content_type="application/json", **auth
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/memos/{memo.pk}/pdf", **auth).status_code == 404


def test_the_nav_links_the_law_center_to_memos_and_enforcement(client, project, lawyer, reviewer):
    client.force_login(lawyer)
    page = client.get(reverse("project_home", kwargs={"slug": "crenshaw"})).content.decode()
    assert reverse("memo_list", kwargs={"slug": "crenshaw"}) in page
    assert reverse("enforcement_list", kwargs={"slug": "crenshaw"}) in page
    client.force_login(reviewer)
    page = client.get(reverse("project_home", kwargs={"slug": "crenshaw"})).content.decode()
    assert reverse("memo_list", kwargs={"slug": "crenshaw"}) not in page
    assert reverse("enforcement_list", kwargs={"slug": "crenshaw"}) in page


def test_the_memo_lists_run_a_fixed_number_of_queries(
    client, project, lawyer, walsh, django_assert_max_num_queries
):
    client.force_login(lawyer)
    for i in range(30):
        Memo.objects.create(
            project=project,
            assignment=walsh if i % 2 else None,
            status="ready",
            requested_by=lawyer,
        )
    with django_assert_max_num_queries(12):
        assert client.get(reverse("memo_list", kwargs={"slug": "crenshaw"})).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("memo_index")).status_code == 200


def test_the_flag_and_project_pages_can_include_the_memo_links(project):
    from django.template.loader import render_to_string

    from compliance.models import Flag

    flag = Flag.objects.create(
        project=project,
        commitment_key="targeted",
        kind="shortfall",
        severity="critical",
        dedupe_key="k",
        title="Short",
    )
    lawyer_html = render_to_string(
        "enforcement/memos/_flag_links.html", {"flag": flag, "role": "law_center"}
    )
    assert f"/projects/crenshaw/memos/new/?flag={flag.pk}" in lawyer_html
    assert f"/projects/crenshaw/enforcement/?flag={flag.pk}#record" in lawyer_html
    reviewer_html = render_to_string(
        "enforcement/memos/_flag_links.html", {"flag": flag, "role": "reviewer"}
    )
    assert "memos/new" not in reviewer_html and "/enforcement/" in reviewer_html
    project_html = render_to_string(
        "enforcement/memos/_project_links.html", {"project": project, "role": "law_center"}
    )
    assert "/projects/crenshaw/memos/new/" in project_html


def test_the_project_page_offers_memos_to_the_law_center_only(client, project, lawyer, reviewer):
    from django.urls import reverse

    url = reverse("project_home", kwargs={"slug": project.slug})
    client.force_login(lawyer)
    assert "Request a memo" in client.get(url).content.decode()
    client.force_login(reviewer)
    page = client.get(url).content.decode()
    assert "Request a memo" not in page
    assert "Enforcement actions" in page


def test_a_memo_addressed_to_a_contractor_refuses_another_contractors_flag(
    client, worked_examples, project, walsh, pulice, lawyer
):
    from compliance.models import Flag

    theirs = Flag.objects.create(
        project=project,
        assignment=pulice,
        kind="wage_violation",
        severity="critical",
        commitment_key="wage",
        group_key=f"a{pulice.pk}",
        dedupe_key="test:pulice-wage",
        title="Pulice: underpaid",
    )
    response = client.post(
        "/api/v1/projects/crenshaw/memos",
        {"contractor": walsh.contractor.slug, "flag_ids": [theirs.pk]},
        content_type="application/json",
        **bearer(lawyer),
    )
    assert response.status_code == 422
    assert f"#{theirs.pk}" in response.json()["detail"]
    assert not Memo.objects.exists()


def test_the_memo_list_names_commitments_by_clause_and_title_not_key(
    client, worked_examples, project, lawyer
):
    Memo.objects.create(
        project=project, status="ready", requested_by=lawyer, commitment_keys=["targeted"]
    )
    client.force_login(lawyer)
    html = client.get(reverse("memo_list", kwargs={"slug": "crenshaw"})).content.decode()
    targeted = project.commitments.get(key="targeted")
    assert f"Commitments: {targeted.clause} {targeted.title}" in html
    assert "Commitments: targeted" not in html
