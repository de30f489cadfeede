"""What people do with a flag (SPEC §4): transitions, reasons, comments, the API."""

import pytest
from django.core.exceptions import PermissionDenied

from cba.errors import Conflict, InvalidInput
from compliance.enforcement.flags.services import flag_comment, flag_transition
from compliance.models import AuditEvent, Flag, FlagEvent
from tests.conftest import PASSWORD


def make_flag(project, assignment=None, **fields) -> Flag:
    fields = {
        "kind": "shortfall",
        "severity": "critical",
        "commitment_key": "targeted",
        "group_key": f"a{assignment.pk}" if assignment else "project",
        "title": "Targeted hours: short",
        "figures": {"actual_percent": "20.00"},
        **fields,
    }
    fields.setdefault("dedupe_key", f"{fields['kind']}:targeted:{fields['group_key']}")
    return Flag.objects.create(project=project, assignment=assignment, **fields)


@pytest.fixture
def flag(project, walsh):
    return make_flag(project, walsh)


def test_a_reviewer_takes_a_flag_from_open_to_resolved(flag, reviewer):
    flag_transition(flag=flag, user=reviewer, action="acknowledge")
    flag_transition(flag=flag, user=reviewer, action="escalate", note="For the law center")
    flag = flag_transition(flag=flag, user=reviewer, action="resolve", note="Paid back in full")

    assert flag.status == "resolved"
    assert flag.resolved_at is not None
    events = list(flag.events.values_list("from_status", "to_status", "note", "actor"))
    assert events == [
        ("open", "acknowledged", "", reviewer.pk),
        ("acknowledged", "escalated", "For the law center", reviewer.pk),
        ("escalated", "resolved", "Paid back in full", reviewer.pk),
    ]
    assert list(
        AuditEvent.objects.filter(object_id=str(flag.pk)).values_list("verb", flat=True)
    ) == ["flag.resolve", "flag.escalate", "flag.acknowledge"]


@pytest.mark.parametrize("action", ["resolve", "waive", "dispute"])
def test_resolving_waiving_and_disputing_need_a_reason(flag, admin, action):
    with pytest.raises(InvalidInput, match="a reason is required"):
        flag_transition(flag=flag, user=admin, action=action, note="   ")
    flag.refresh_from_db()
    assert flag.status == "open"
    assert not flag.events.exists()


def test_the_contractor_disputes_its_own_flag_with_a_note(flag, contractor):
    flag = flag_transition(
        flag=flag, user=contractor, action="dispute", note="Those hours were misreported"
    )
    assert flag.status == "disputed"


@pytest.mark.parametrize("action", ["acknowledge", "escalate", "resolve", "waive", "reopen"])
def test_a_contractor_may_only_dispute(flag, contractor, action):
    with pytest.raises(PermissionDenied):
        flag_transition(flag=flag, user=contractor, action=action, note="because")


def test_nobody_acts_on_a_flag_they_cannot_see(flag, other_contractor, outsider):
    for user in (other_contractor, outsider):
        with pytest.raises(PermissionDenied):
            flag_transition(flag=flag, user=user, action="dispute", note="Not ours")
        with pytest.raises(PermissionDenied):
            flag_comment(flag=flag, user=user, note="Hello")


def test_a_reviewer_cannot_dispute(flag, reviewer):
    with pytest.raises(PermissionDenied):
        flag_transition(flag=flag, user=reviewer, action="dispute", note="no")


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("resolved", "acknowledge"),
        ("resolved", "resolve"),
        ("waived", "dispute"),
        ("acknowledged", "acknowledge"),
        ("open", "reopen"),
        ("disputed", "dispute"),
        ("auto_resolved", "escalate"),
    ],
)
def test_a_transition_from_the_wrong_state_is_refused(flag, admin, status, action):
    flag.status = status
    flag.save()

    with pytest.raises(Conflict, match="cannot be"):
        flag_transition(flag=flag, user=admin, action=action, note="reason")


def test_a_dispute_from_any_unresolved_state_and_back(flag, admin, reviewer):
    for status in ["open", "acknowledged", "escalated"]:
        flag.status = status
        flag.save()
        assert flag_transition(flag=flag, user=admin, action="dispute", note="No").status == (
            "disputed"
        )
    assert flag_transition(flag=flag, user=reviewer, action="acknowledge").status == "acknowledged"


def test_reopening_is_refused_while_a_newer_flag_is_open(project, walsh, flag, reviewer):
    flag_transition(flag=flag, user=reviewer, action="resolve", note="Done")
    make_flag(project, walsh, previous=flag)

    with pytest.raises(Conflict, match="newer flag"):
        flag_transition(flag=flag, user=reviewer, action="reopen")

    flag.refresh_from_db()
    assert flag.status == "resolved"


def test_reopen_brings_a_closed_flag_back(flag, reviewer):
    flag_transition(flag=flag, user=reviewer, action="waive", note="Exception")
    flag = flag_transition(flag=flag, user=reviewer, action="reopen", note="Exception ended")
    assert (flag.status, flag.resolved_at) == ("open", None)


def test_comments_are_internal_unless_shared_and_contractors_only_share(flag, reviewer, contractor):
    internal = flag_comment(flag=flag, user=reviewer, note="Check with the union")
    shared = flag_comment(flag=flag, user=reviewer, note="Please send payroll", visibility="shared")
    theirs = flag_comment(flag=flag, user=contractor, note="Sent")

    assert (internal.visibility, shared.visibility, theirs.visibility) == (
        "internal",
        "shared",
        "shared",
    )
    assert AuditEvent.objects.filter(verb="flag.comment").count() == 3
    with pytest.raises(InvalidInput):
        flag_comment(flag=flag, user=reviewer, note=" ")
    with pytest.raises(InvalidInput, match="Your notes are always shared"):
        flag_comment(flag=flag, user=contractor, note="Secret", visibility="internal")
    with pytest.raises(InvalidInput, match="shared .* or internal"):
        flag_comment(flag=flag, user=reviewer, note="Hm", visibility="public")
    assert not FlagEvent.objects.filter(note__in=["Secret", "Hm"]).exists()


def test_transition_notes_are_internal_unless_shared_and_contractors_only_share(
    flag, reviewer, contractor
):
    flag_transition(flag=flag, user=reviewer, action="acknowledge", note="Union says no")
    with pytest.raises(InvalidInput, match="Your notes are always shared"):
        flag_transition(
            flag=flag, user=contractor, action="dispute", note="No", visibility="internal"
        )
    flag_transition(flag=flag, user=contractor, action="dispute", note="Our crew is local")
    flag_transition(
        flag=flag, user=reviewer, action="escalate", note="Notice follows", visibility="shared"
    )
    assert list(flag.events.values_list("note", "visibility")) == [
        ("Union says no", "internal"),
        ("Our crew is local", "shared"),
        ("Notice follows", "shared"),
    ]
    assert AuditEvent.objects.get(verb="flag.acknowledge").data["visibility"] == "internal"


# The API --------------------------------------------------------------------------------


def api(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def test_the_flag_list_filters_by_project_kind_severity_status_and_contractor(
    client, project, walsh, pulice, reviewer
):
    mine = make_flag(project, walsh)
    theirs = make_flag(project, pulice, kind="at_risk", severity="warning")
    make_flag(project, pulice, kind="missing_report", status="resolved", dedupe_key="m1")

    def ids(query=""):
        response = api(client, reviewer).get(f"/api/v1/flags{query}")
        assert response.status_code == 200
        return [f["id"] for f in response.json()["items"]]

    assert len(ids()) == 3
    assert ids("?kind=at_risk") == [theirs.pk]
    assert ids("?severity=critical&status=open") == [mine.pk]
    assert ids("?contractor=walsh") == [mine.pk]
    assert ids("?status=unresolved&project=crenshaw") == [theirs.pk, mine.pk]
    assert ids("?project=elsewhere") == []


def test_each_role_lists_only_the_flags_it_may_see(
    client, project, walsh, pulice, contractor, other_contractor, outsider, lawyer
):
    make_flag(project, walsh)
    subs = make_flag(project, pulice)

    def count(user):
        return api(client, user).get("/api/v1/flags").json()["count"]

    assert count(lawyer) == 2
    assert count(contractor) == 2  # the prime: its own and its sub's
    assert count(other_contractor) == 1
    assert count(outsider) == 0
    assert api(client, other_contractor).get("/api/v1/flags").json()["items"][0]["id"] == subs.pk


def test_the_flag_detail_hides_internal_comments_from_the_contractor(
    client, flag, reviewer, contractor
):
    flag_comment(flag=flag, user=reviewer, note="Internal note", visibility="internal")
    flag_comment(flag=flag, user=reviewer, note="Shared note", visibility="shared")

    as_reviewer = api(client, reviewer).get(f"/api/v1/flags/{flag.pk}").json()
    assert [e["note"] for e in as_reviewer["events"]] == ["Internal note", "Shared note"]
    assert "escalate" in as_reviewer["actions"]
    as_contractor = api(client, contractor).get(f"/api/v1/flags/{flag.pk}").json()
    assert [e["note"] for e in as_contractor["events"]] == ["Shared note"]
    assert as_contractor["actions"] == ["dispute"]
    assert as_contractor["group"] == {"contractor": "walsh", "craft": None}


def test_a_flag_out_of_reach_is_not_found(client, flag, other_contractor):
    assert api(client, other_contractor).get(f"/api/v1/flags/{flag.pk}").status_code == 404
    assert (
        api(client, other_contractor)
        .post(
            f"/api/v1/flags/{flag.pk}/transition",
            {"action": "dispute", "note": "x"},
            content_type="application/json",
        )
        .status_code
        == 404
    )


def test_transitions_and_comments_through_the_api(client, flag, reviewer, contractor):
    post = api(client, reviewer).post
    missing_reason = post(
        f"/api/v1/flags/{flag.pk}/transition", {"action": "waive"}, content_type="application/json"
    )
    assert missing_reason.status_code == 422
    assert "reason is required" in missing_reason.json()["detail"]

    done = post(
        f"/api/v1/flags/{flag.pk}/transition",
        {"action": "acknowledge"},
        content_type="application/json",
    )
    assert done.status_code == 200
    assert done.json()["status"] == "acknowledged"
    again = post(
        f"/api/v1/flags/{flag.pk}/transition",
        {"action": "acknowledge"},
        content_type="application/json",
    )
    assert again.status_code == 409

    comment = post(
        f"/api/v1/flags/{flag.pk}/comments",
        {"note": "Looking into it", "visibility": "internal"},
        content_type="application/json",
    )
    assert comment.status_code == 201
    assert comment.json()["visibility"] == "internal"

    refused = api(client, contractor).post(
        f"/api/v1/flags/{flag.pk}/transition",
        {"action": "resolve", "note": "done"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert FlagEvent.objects.filter(flag=flag).count() == 2


def test_the_api_offers_only_the_actions_that_start_from_the_flags_status(client, flag, reviewer):
    open_actions = api(client, reviewer).get(f"/api/v1/flags/{flag.pk}").json()["actions"]
    assert "reopen" not in open_actions
    assert {"acknowledge", "escalate", "resolve", "waive"} <= set(open_actions)
    flag_transition(flag=flag, user=reviewer, action="waive", note="Duplicate of #3")
    closed = api(client, reviewer).get(f"/api/v1/flags/{flag.pk}").json()["actions"]
    assert closed == ["reopen"]
