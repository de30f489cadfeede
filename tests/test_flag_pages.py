import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.models import Evaluation, Flag, FlagEvent, Worker
from tests.coalition_data import (  # noqa: F401 - fast_passwords applies to this module
    crenshaw_compliance,
    fast_passwords,
    fresh_cache,
    grow_portfolio,
    grow_project,
    make_flag,
)
from tests.conftest import make_report

NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def standing(project, walsh, pulice, crafts, area):
    return crenshaw_compliance(project, walsh, pulice, crafts, area)


@pytest.fixture
def walsh_flag(project, walsh, crafts, standing):
    flag = make_flag(
        project,
        "shortfall",
        "critical",
        commitment=standing["local_trades"],
        assignment=walsh,
        craft=crafts["Laborer"],
        title="Walsh laborers below 30% local hours",
        figures={"actual_percent": "15.00", "target_percent": "30.00", "shortfall": "120.00"},
    )
    FlagEvent.objects.create(flag=flag, kind="comment", note="Please send the hiring plan.")
    FlagEvent.objects.create(
        flag=flag, kind="comment", note="They missed this twice before.", visibility="internal"
    )
    return flag


@pytest.fixture
def pulice_flag(project, pulice):
    return make_flag(
        project,
        "missing_report",
        "warning",
        assignment=pulice,
        month=datetime.date(2026, 9, 1),
        title="Pulice: no report for September",
    )


def queue(client, user, **params):
    client.force_login(user)
    return client.get(reverse("flag_queue"), params)


def listed(response) -> str:
    """The queue's table of flags, without the filter form's option lists."""
    html = response.content.decode()
    filters = html.index('aria-label="Filter and sort the flags"')
    return html[html.index("</form>", filters) :]


def detail(client, user, flag):
    client.force_login(user)
    return client.get(reverse("flag_detail", kwargs={"flag_id": flag.id}))


def test_the_queue_lists_unresolved_flags_most_severe_first(
    client, reviewer, project, walsh_flag, pulice_flag
):
    make_flag(project, "at_risk", "critical", title="Long closed", status="resolved")
    html = queue(client, reviewer).content.decode()
    assert html.index("Walsh laborers below 30%") < html.index("Pulice: no report for September")
    assert "Long closed" not in html
    assert "2 flags." in html
    assert "Acknowledge selected" in html


def test_the_queue_filters_by_kind_severity_status_contractor_and_project(
    client, reviewer, orgs, project, walsh_flag, pulice_flag
):
    (extra,) = grow_portfolio(
        coalition=orgs["coalition"], projects=1, contractors=1, month_count=1, flags=1
    )
    html = listed(queue(client, reviewer, kind="missing_report"))
    assert "Pulice: no report" in html and "Walsh laborers" not in html
    html = listed(queue(client, reviewer, severity="critical", project="crenshaw"))
    assert "Walsh laborers" in html and "Pulice" not in html and "Extra project" not in html
    html = listed(queue(client, reviewer, contractor="pulice"))
    assert "Pulice: no report" in html and "Walsh laborers" not in html
    html = listed(queue(client, reviewer, project=extra.slug))
    assert "Extra project" in html and "Walsh laborers" not in html
    Flag.objects.filter(pk=walsh_flag.pk).update(status="waived")
    html = listed(queue(client, reviewer, status="waived"))
    assert "Walsh laborers" in html and "Pulice" not in html


def test_the_queue_filters_by_age(client, reviewer, project, walsh_flag, pulice_flag):
    Flag.objects.filter(pk=walsh_flag.pk).update(raised_at=NOW - datetime.timedelta(days=45))
    Flag.objects.filter(pk=pulice_flag.pk).update(raised_at=NOW - datetime.timedelta(days=2))
    with time_machine.travel(NOW):
        html = listed(queue(client, reviewer, age="7"))
        assert "Pulice: no report" in html and "Walsh laborers" not in html
        html = listed(queue(client, reviewer, age="over30"))
        assert "Walsh laborers" in html and "Pulice" not in html
        html = listed(queue(client, reviewer, sort="oldest"))
        assert html.index("Walsh laborers") < html.index("Pulice: no report")


def test_the_queue_pages_fifty_at_a_time(client, reviewer, project):
    for _ in range(51):
        make_flag(project, "at_risk", "warning")
    first = queue(client, reviewer).content.decode()
    assert "Page 1 of 2" in first and first.count('name="flag"') == 50
    second = queue(client, reviewer, page=2).content.decode()
    assert second.count('name="flag"') == 1


def test_a_contractor_sees_only_its_own_flags(client, other_contractor, walsh_flag, pulice_flag):
    html = listed(queue(client, other_contractor))
    assert "My flags" in queue(client, other_contractor).content.decode()
    assert "Pulice: no report" in html
    assert "Walsh" not in html  # the prime above the sub: not the sub's to read
    assert "Acknowledge selected" not in html
    assert detail(client, other_contractor, walsh_flag).status_code == 404


def test_a_prime_also_sees_its_subs_flags(client, contractor, walsh_flag, pulice_flag):
    html = listed(queue(client, contractor))
    assert "Walsh laborers" in html and "Pulice: no report" in html
    assert detail(client, contractor, pulice_flag).status_code == 200


def test_an_outsider_gets_a_404_for_a_flag_and_an_empty_queue(client, outsider, walsh_flag):
    assert detail(client, outsider, walsh_flag).status_code == 404
    assert "Walsh laborers" not in queue(client, outsider).content.decode()


def test_the_flag_page_shows_figures_chart_and_timeline(client, reviewer, walsh_flag):
    response = detail(client, reviewer, walsh_flag)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Walsh laborers below 30% local hours" in html
    assert "Actual percent" in html and "15.00" in html and "120.00" in html
    assert "<svg" in html and "<desc" in html
    assert "raised the flag" in html
    assert "Please send the hiring plan." in html
    assert "They missed this twice before." in html
    assert "Internal" in html


def test_a_contractor_sees_shared_comments_but_never_internal_ones(client, contractor, walsh_flag):
    html = detail(client, contractor, walsh_flag).content.decode()
    assert "Please send the hiring plan." in html
    assert "They missed this twice before." not in html
    assert 'value="internal"' not in html


def test_each_role_is_offered_only_its_lifecycle_actions(client, reviewer, contractor, walsh_flag):
    html = detail(client, reviewer, walsh_flag).content.decode()
    for action in ("acknowledge", "escalate", "resolve", "waive"):
        assert f'id="action-{action}"' in html
    assert 'id="action-dispute"' not in html and 'id="action-reopen"' not in html
    assert 'value="internal"' in html
    html = detail(client, contractor, walsh_flag).content.decode()
    assert 'id="action-dispute"' in html
    assert 'id="action-acknowledge"' not in html and 'id="action-escalate"' not in html


def test_a_closed_flag_offers_reopen(client, reviewer, walsh_flag):
    Flag.objects.filter(pk=walsh_flag.pk).update(status="resolved")
    html = detail(client, reviewer, walsh_flag).content.decode()
    assert 'id="action-reopen"' in html and 'id="action-acknowledge"' not in html


@pytest.fixture
def wage_flag(project, walsh, pulice, crafts, standing):
    lines = []
    for assignment, key, name in [(walsh, "W-17", "Maria Lopez"), (pulice, "P-3", "Ann Lee")]:
        report = make_report(
            assignment,
            datetime.date(2026, 10, 1),
            [
                {
                    "worker": key,
                    "week_ending": datetime.date(2026, 10, 9),
                    "craft": crafts["Laborer"],
                    "hours": "40",
                    "hourly_rate": Decimal("35.50"),
                }
            ],
        )
        Worker.objects.filter(worker_key=key).update(name=name)
        lines.append(report.lines.get())
    violations = [
        {
            "line_id": line.id,
            "worker": key,
            "week_ending": "2026-10-09",
            "craft": "Laborer",
            "hours": "40.00",
            "paid": "35.50",
            "required": "38.00",
            "owed": "100.00",
        }
        for line, key in zip(lines, ["W-17", "P-3"], strict=True)
    ]
    Evaluation.objects.filter(commitment_key="wage").update(
        details={"violations": violations, "violation_count": 2, "worker_count": 2}
    )
    return make_flag(
        project,
        "wage_violation",
        "critical",
        commitment=standing["wage"],
        title="Underpaid laborers",
        figures={"owed": "200.00", "violations": violations},
    )


def test_the_lines_behind_a_wage_flag_show_names_only_to_the_law_center(
    client, reviewer, lawyer, wage_flag
):
    html = detail(client, reviewer, wage_flag).content.decode()
    assert "W-17" in html and "P-3" in html and "$100.00" in html
    assert "Maria Lopez" not in html and "Ann Lee" not in html
    html = detail(client, lawyer, wage_flag).content.decode()
    assert "W-17 · Maria Lopez" in html and "P-3 · Ann Lee" in html


def test_a_contractor_sees_only_its_own_lines_behind_a_flag(
    client, contractor, other_contractor, project, walsh, pulice, standing, wage_flag
):
    # Even were a flag on Walsh's group to list another contractor's line, Walsh reads names
    # on its own lines only, and its sub nothing of Walsh's.
    flag = make_flag(
        project,
        "wage_violation",
        "critical",
        commitment=standing["wage"],
        assignment=walsh,
        title="Walsh underpaid laborers",
        figures=wage_flag.figures,
    )
    assert detail(client, contractor, wage_flag).status_code == 404  # the project's flag
    html = detail(client, contractor, flag).content.decode()
    assert "W-17 · Maria Lopez" in html
    assert "Ann Lee" not in html  # its sub's line, which the prime reads without the name
    assert detail(client, other_contractor, flag).status_code == 404
    subs = make_flag(
        project,
        "wage_violation",
        "critical",
        commitment=standing["wage"],
        assignment=pulice,
        title="Pulice underpaid laborers",
        figures=wage_flag.figures,
    )
    html = detail(client, other_contractor, subs).content.decode()
    assert "P-3 · Ann Lee" in html
    assert "W-17" not in html and "Maria Lopez" not in html


def test_the_queue_query_count_does_not_grow_with_flags_contractors_or_projects(
    client, reviewer, orgs, project, standing, walsh_flag, django_assert_num_queries
):
    client.force_login(reviewer)
    url = reverse("flag_queue")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow_portfolio(coalition=orgs["coalition"], projects=3, contractors=4, month_count=12, flags=5)
    grow_project(project, standing["local_trades"], contractors=3, month_count=12, flags=4)
    with django_assert_num_queries(len(small)):
        assert client.get(url).status_code == 200


def test_the_flag_page_query_count_does_not_grow_with_its_timeline(
    client, reviewer, walsh_flag, django_assert_num_queries
):
    client.force_login(reviewer)
    url = reverse("flag_detail", kwargs={"flag_id": walsh_flag.id})
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(20):
        FlagEvent.objects.create(flag=walsh_flag, kind="comment", note=f"Note {i}", actor=reviewer)
    with django_assert_num_queries(len(small)):
        assert "Note 19" in client.get(url).content.decode()


def act(client, user, flag, **data):
    client.force_login(user)
    return client.post(reverse("flag_detail", kwargs={"flag_id": flag.id}), data)


def test_a_reviewer_escalates_with_a_note_and_it_joins_the_timeline(client, reviewer, walsh_flag):
    response = act(client, reviewer, walsh_flag, action="escalate", note="Over to the lawyers.")
    assert response.status_code == 302
    walsh_flag.refresh_from_db()
    assert walsh_flag.status == "escalated"
    event = walsh_flag.events.get(kind="transition")
    assert (event.from_status, event.to_status, event.note, event.actor) == (
        "open",
        "escalated",
        "Over to the lawyers.",
        reviewer,
    )
    html = client.get(response.url).content.decode()
    assert "Open → Escalated" in html and "Over to the lawyers." in html
    assert 'id="action-escalate"' not in html and 'id="action-resolve"' in html


def test_resolving_without_a_reason_is_refused_with_what_to_do(client, reviewer, walsh_flag):
    response = act(client, reviewer, walsh_flag, action="resolve", note="  ")
    assert response.status_code == 422
    assert "Resolve needs a note" in response.content.decode()
    walsh_flag.refresh_from_db()
    assert walsh_flag.status == "open"


def test_an_action_the_status_no_longer_allows_says_so(client, reviewer, walsh_flag):
    Flag.objects.filter(pk=walsh_flag.pk).update(status="escalated")
    response = act(client, reviewer, walsh_flag, action="acknowledge")
    assert response.status_code == 422
    assert "cannot be acknowledged" in response.content.decode()


def test_a_contractor_disputes_its_flag_with_a_note(client, contractor, walsh_flag):
    response = act(
        client, contractor, walsh_flag, action="dispute", note="Our laborers live in 90001."
    )
    assert response.status_code == 302
    walsh_flag.refresh_from_db()
    assert walsh_flag.status == "disputed"


def test_a_contractor_cannot_escalate_or_post_internal_comments(client, contractor, walsh_flag):
    assert act(client, contractor, walsh_flag, action="escalate").status_code == 403
    response = act(
        client, contractor, walsh_flag, action="comment", note="x", visibility="internal"
    )
    assert response.status_code == 422
    assert "Your notes are always shared" in response.content.decode()
    walsh_flag.refresh_from_db()
    assert walsh_flag.status == "open"
    assert not walsh_flag.events.filter(note="x").exists()


def test_a_contractor_cannot_touch_another_contractors_flag(
    client, contractor, other_contractor, walsh_flag, pulice_flag
):
    response = act(client, other_contractor, walsh_flag, action="dispute", note="Not ours")
    assert response.status_code == 404
    # The prime reads its sub's flag, but disputing it is the sub's own call.
    response = act(client, contractor, pulice_flag, action="dispute", note="Not ours")
    assert response.status_code == 403
    pulice_flag.refresh_from_db()
    walsh_flag.refresh_from_db()
    assert (pulice_flag.status, walsh_flag.status) == ("open", "open")


def test_reviewers_comment_shared_or_internal(client, reviewer, contractor, walsh_flag):
    act(client, reviewer, walsh_flag, action="comment", note="Shared words", visibility="shared")
    act(client, reviewer, walsh_flag, action="comment", note="Inside words", visibility="internal")
    assert walsh_flag.events.get(note="Inside words").visibility == "internal"
    html = detail(client, contractor, walsh_flag).content.decode()
    assert "Shared words" in html and "Inside words" not in html


def test_an_empty_comment_is_refused_with_what_to_do(client, reviewer, walsh_flag):
    response = act(client, reviewer, walsh_flag, action="comment", note="")
    assert response.status_code == 422
    assert "Write the comment first" in response.content.decode()


def test_bulk_acknowledge_acknowledges_what_it_may_and_names_the_rest(
    client, reviewer, project, walsh_flag, pulice_flag
):
    escalated = make_flag(project, "at_risk", "warning", status="escalated")
    client.force_login(reviewer)
    response = client.post(
        reverse("flag_queue"),
        {"flag": [walsh_flag.id, pulice_flag.id, escalated.id], "next": "/flags/?kind=shortfall"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/flags/?kind=shortfall"
    html = response.content.decode()
    assert "Acknowledged 2 flags." in html
    assert f"#{escalated.id} (already escalated)" in html
    statuses = dict(Flag.objects.values_list("id", "status"))
    assert statuses[walsh_flag.id] == statuses[pulice_flag.id] == "acknowledged"
    assert statuses[escalated.id] == "escalated"


def test_bulk_acknowledge_ignores_flags_the_user_cannot_see(
    client, other_contractor, reviewer, outsider, walsh_flag
):
    client.force_login(outsider)
    client.post(reverse("flag_queue"), {"flag": [walsh_flag.id]})
    client.force_login(other_contractor)
    client.post(reverse("flag_queue"), {"flag": [walsh_flag.id]})
    walsh_flag.refresh_from_db()
    assert walsh_flag.status == "open"


def test_a_contractor_cannot_bulk_acknowledge(client, contractor, walsh_flag):
    client.force_login(contractor)
    response = client.post(reverse("flag_queue"), {"flag": [walsh_flag.id]}, follow=True)
    assert "your role cannot acknowledge" in response.content.decode()
    walsh_flag.refresh_from_db()
    assert walsh_flag.status == "open"


def test_evaluations_that_only_moved_the_figures_fold_into_one_line_of_the_timeline(
    client, reviewer, walsh_flag
):
    for n in range(25):
        FlagEvent.objects.create(
            flag=walsh_flag, kind="updated", note=f"Shortfall 7,479.{n:02d} → 7,480.{n:02d}."
        )
    FlagEvent.objects.create(
        flag=walsh_flag, actor=reviewer, kind="comment", note="Asked for the JATC roster."
    )
    client.force_login(reviewer)
    html = client.get(reverse("flag_detail", args=[walsh_flag.pk])).content.decode()
    timeline = html[html.index('id="timeline"') :]
    assert timeline.count("updated the figures") == 1
    assert "25 times since" in timeline and "7,480.24" in timeline
    assert "7,480.23" not in timeline
    assert "Asked for the JATC roster." in timeline
    assert FlagEvent.objects.filter(flag=walsh_flag, kind="updated").count() == 25


def test_a_nul_character_typed_into_a_comment_is_dropped_not_a_server_error(
    client, reviewer, walsh_flag
):
    from urllib.parse import urlencode

    client.force_login(reviewer)
    answer = client.post(
        reverse("flag_detail", args=[walsh_flag.pk]),
        urlencode({"action": "comment", "note": "Roster\x00 asked", "visibility": "internal"}),
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 302
    assert walsh_flag.events.filter(kind="comment", note="Roster asked").exists()


def test_a_reporting_flags_figures_read_as_words_without_database_ids(
    client, reviewer, pulice_flag
):
    pulice_flag.figures = {
        "month": "2026-09",
        "due_date": "2026-10-15",
        "submitted_at": "2026-10-23T21:32:00+00:00",
        "report_id": 54,
        "days_late": 8,
    }
    pulice_flag.save()

    html = detail(client, reviewer, pulice_flag).content.decode()
    table = html[html.index("figures-table") :]
    table = table[: table.index("</table>")]

    assert "September 2026" in table and "October 15, 2026" in table
    assert "Oct 23, 2026" in table  # the moment in local wall time
    assert "2026-10-23T" not in table and "2026-09<" not in table
    assert "Report id" not in table and ">54<" not in table
    assert "Days late" in table and ">8<" in table
