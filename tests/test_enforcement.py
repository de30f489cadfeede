"""Enforcement actions (SPEC §4): recorded by the law center, read by reviewers, audited;
a notice sets a cure deadline from the agreement's cure period."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from cba.errors import Conflict, InvalidInput
from compliance.enforcement.actions import (
    cure_deadline_for,
    enforcement_action_create,
    enforcement_action_mark_cured,
)
from compliance.models import AuditEvent, EnforcementAction, Flag, Memo
from tests.test_memos_web import bearer


@pytest.fixture
def flag(project, walsh):
    return Flag.objects.create(
        project=project,
        commitment_key="targeted",
        kind="shortfall",
        severity="critical",
        assignment=walsh,
        dedupe_key="shortfall:targeted:a",
        title="Targeted hours short",
    )


def notice(project, user, **extra):
    return enforcement_action_create(
        project=project, user=user, kind="notice", date=datetime.date(2026, 11, 2), **extra
    )


def test_a_notice_sets_the_cure_deadline_from_the_agreements_cure_period(project, lawyer):
    action = notice(project, lawyer)
    assert action.cure_deadline == datetime.date(2026, 12, 2)
    project.agreement.cure_period_days = 45
    project.agreement.save()
    assert notice(project, lawyer).cure_deadline == datetime.date(2026, 12, 17)
    assert cure_deadline_for(project=project, notice_date=datetime.date(2026, 1, 31)) == (
        datetime.date(2026, 3, 17)
    )


def test_other_actions_start_no_deadline(project, lawyer):
    meeting = enforcement_action_create(
        project=project, user=lawyer, kind="meeting", date=datetime.date(2026, 11, 5)
    )
    assert meeting.cure_deadline is None


def test_an_action_links_flags_and_a_memo_and_is_audited(project, lawyer, walsh, flag):
    memo = Memo.objects.create(project=project, status="ready")
    action = notice(
        project,
        lawyer,
        assignment=walsh,
        flags=[flag],
        memo=memo,
        note="Certified mail to Walsh Shea.",
    )
    assert list(action.flags.all()) == [flag] and action.memo == memo
    event = AuditEvent.objects.get(verb="enforcement_action.created")
    assert event.actor == lawyer and event.project == project
    assert event.data["cure_deadline"] == "2026-12-02"
    assert event.data["flags"] == [flag.pk] and event.data["memo"] == memo.pk


def test_damages_need_an_amount_and_a_meeting_takes_none(project, lawyer):
    with pytest.raises(InvalidInput, match="Give the amount"):
        enforcement_action_create(
            project=project, user=lawyer, kind="damages_assessed", date=datetime.date(2026, 11, 2)
        )
    with pytest.raises(InvalidInput, match="has no amount"):
        enforcement_action_create(
            project=project,
            user=lawyer,
            kind="meeting",
            date=datetime.date(2026, 11, 2),
            amount="10",
        )
    damages = enforcement_action_create(
        project=project,
        user=lawyer,
        kind="damages_assessed",
        date=datetime.date(2026, 11, 2),
        amount="7500",
    )
    assert damages.amount == Decimal("7500.00")


def test_an_unknown_kind_is_refused(project, lawyer):
    with pytest.raises(InvalidInput, match="not a kind of enforcement action"):
        enforcement_action_create(
            project=project, user=lawyer, kind="lawsuit", date=datetime.date(2026, 11, 2)
        )
    assert not EnforcementAction.objects.exists()


def test_marking_a_notice_cured_records_the_date_and_is_audited(project, lawyer):
    action = notice(project, lawyer)
    cured = enforcement_action_mark_cured(
        action=action, user=lawyer, cured_at=datetime.date(2026, 11, 20), note="Hiring plan met."
    )
    cured.refresh_from_db()
    assert cured.cured_at == datetime.date(2026, 11, 20)
    assert cured.cure_deadline == datetime.date(2026, 12, 2)
    assert "Hiring plan met." in cured.note
    event = AuditEvent.objects.get(verb="enforcement_action.cured")
    assert event.data == {"cured_at": "2026-11-20", "cure_deadline": "2026-12-02", "late": False}


def test_a_notice_cannot_be_cured_twice_or_before_it_was_sent(project, lawyer):
    action = notice(project, lawyer)
    with pytest.raises(InvalidInput, match="before the notice was sent"):
        enforcement_action_mark_cured(
            action=action, user=lawyer, cured_at=datetime.date(2026, 10, 1)
        )
    enforcement_action_mark_cured(action=action, user=lawyer, cured_at=datetime.date(2026, 11, 3))
    with pytest.raises(Conflict, match="already marked cured"):
        enforcement_action_mark_cured(
            action=action, user=lawyer, cured_at=datetime.date(2026, 11, 4)
        )
    meeting = enforcement_action_create(
        project=project, user=lawyer, kind="meeting", date=datetime.date(2026, 11, 5)
    )
    with pytest.raises(Conflict, match="Only a notice"):
        enforcement_action_mark_cured(
            action=meeting, user=lawyer, cured_at=datetime.date(2026, 11, 6)
        )


def test_the_law_center_records_a_notice_on_the_web(client, project, lawyer, walsh, flag):
    client.force_login(lawyer)
    url = reverse("enforcement_list", kwargs={"slug": "crenshaw"})
    with time_machine.travel(datetime.datetime(2026, 11, 2, 18, tzinfo=datetime.UTC)):
        page = client.get(url + f"?flag={flag.pk}").content.decode()
        assert "would set a cure deadline of <strong>December 2, 2026</strong>" in page
        response = client.post(
            url,
            {
                "kind": "notice",
                "date": "2026-11-02",
                "contractor": walsh.pk,
                "note": "Sent.",
                "flags": [flag.pk],
            },
        )
    assert response.status_code == 302
    action = EnforcementAction.objects.get()
    assert action.cure_deadline == datetime.date(2026, 12, 2)
    assert action.created_by == lawyer and list(action.flags.all()) == [flag]
    listing = client.get(url).content.decode()
    assert "Notice of non-compliance" in listing and "Dec 2, 2026" in listing


def test_the_web_form_shows_what_to_fix_when_damages_lack_an_amount(client, project, lawyer):
    client.force_login(lawyer)
    response = client.post(
        reverse("enforcement_list", kwargs={"slug": "crenshaw"}),
        {"kind": "damages_assessed", "date": "2026-11-02"},
    )
    assert response.status_code == 200
    assert "Give the amount of the liquidated damages assessed" in response.content.decode()
    assert not EnforcementAction.objects.exists()


def test_the_law_center_marks_a_notice_cured_on_the_web(client, project, lawyer):
    action = notice(project, lawyer)
    client.force_login(lawyer)
    response = client.post(
        reverse("enforcement_cured", kwargs={"action_id": action.pk}),
        {"cured_at": "2026-11-25", "note": "Paid."},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.cured_at == datetime.date(2026, 11, 25)


def test_reviewers_read_enforcement_actions_but_cannot_record_them(
    client, project, lawyer, reviewer
):
    action = notice(project, lawyer, note="Visible to the coalition.")
    client.force_login(reviewer)
    url = reverse("enforcement_list", kwargs={"slug": "crenshaw"})
    page = client.get(url)
    assert page.status_code == 200
    assert "Visible to the coalition." in page.content.decode()
    assert "Record an action" not in page.content.decode()
    assert client.post(url, {"kind": "meeting", "date": "2026-11-02"}).status_code == 403
    cured = reverse("enforcement_cured", kwargs={"action_id": action.pk})
    assert client.post(cured, {"cured_at": "2026-11-25"}).status_code == 403
    assert EnforcementAction.objects.count() == 1


def test_contractors_and_outsiders_do_not_see_enforcement(client, project, contractor, outsider):
    url = reverse("enforcement_list", kwargs={"slug": "crenshaw"})
    client.force_login(contractor)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_the_api_records_and_lists_actions_with_the_same_rules(
    client, project, lawyer, reviewer, contractor, walsh, flag
):
    url = "/api/v1/projects/crenshaw/enforcement-actions"
    response = client.post(
        url,
        {
            "kind": "notice",
            "date": "2026-11-02",
            "contractor": "walsh",
            "flag_ids": [flag.pk],
            "note": "Sent.",
        },
        content_type="application/json",
        **bearer(lawyer),
    )
    assert response.status_code == 201
    body = response.json()
    assert body["cure_deadline"] == "2026-12-02" and body["flag_ids"] == [flag.pk]
    assert body["contractor"] == "walsh"
    assert AuditEvent.objects.filter(verb="enforcement_action.created").count() == 1

    listing = client.get(url, **bearer(reviewer))
    assert listing.status_code == 200 and listing.json()["items"][0]["id"] == body["id"]
    assert (
        client.post(
            url,
            {"kind": "meeting", "date": "2026-11-02"},
            content_type="application/json",
            **bearer(reviewer),
        ).status_code
        == 403
    )
    assert client.get(url, **bearer(contractor)).status_code == 403

    cured = client.post(
        f"/api/v1/enforcement-actions/{body['id']}/cured",
        {"cured_at": "2026-11-20"},
        content_type="application/json",
        **bearer(lawyer),
    )
    assert cured.status_code == 200 and cured.json()["cured_at"] == "2026-11-20"
    again = client.post(
        f"/api/v1/enforcement-actions/{body['id']}/cured",
        {"cured_at": "2026-11-21"},
        content_type="application/json",
        **bearer(lawyer),
    )
    assert again.status_code == 409


def test_the_api_refuses_damages_without_an_amount_with_422(client, project, lawyer):
    response = client.post(
        "/api/v1/projects/crenshaw/enforcement-actions",
        {"kind": "damages_assessed", "date": "2026-11-02"},
        content_type="application/json",
        **bearer(lawyer),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "amount"


def test_the_enforcement_list_runs_a_fixed_number_of_queries(
    client, project, lawyer, walsh, flag, django_assert_max_num_queries
):
    for day in range(1, 29):
        notice(project, lawyer, assignment=walsh, flags=[flag], note=f"Notice {day}")
    client.force_login(lawyer)
    # 16 for the actions and their form, 7 for the ledger (balances, entries, its form).
    with django_assert_max_num_queries(23):
        page = client.get(reverse("enforcement_list", kwargs={"slug": "crenshaw"}))
    assert page.status_code == 200
    assert "Page 1 of 2" in page.content.decode()
