"""The details a contractor feels (issue 13): who is signed in, for which company; who did
what on a flag's timeline; the upload month a clerk most likely owes."""

import datetime
import re

import pytest
import time_machine

from compliance.models import FlagEvent
from tests.coalition_data import make_flag
from tests.conftest import PASSWORD, make_report, make_user

TODAY = datetime.datetime(2026, 11, 3, 18, 0, tzinfo=datetime.UTC)  # Nov 3, Los Angeles


@pytest.fixture
def maria(orgs, walsh):
    user = make_user("maria", orgs["walsh"], first_name="Maria", last_name="Lopez")
    walsh.contacts.add(user)
    return user


def header(page: str) -> str:
    who = re.search(r'<div class="who">\s*<span>(.*?)</span>\s*<form', page, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", "", who).split())


def test_the_header_names_the_person_and_their_company(client, maria, reviewer, admin):
    client.login(username=maria.username, password=PASSWORD)
    assert header(client.get("/").content.decode()) == "Maria Lopez · Walsh Shea"

    client.login(username=reviewer.username, password=PASSWORD)
    assert header(client.get("/").content.decode()) == "reviewer · Crenshaw Coalition"

    client.login(username=admin.username, password=PASSWORD)
    assert header(client.get("/").content.decode()) == "admin · Program admin"


def test_the_flag_timeline_names_each_actor_with_their_organization(
    client, project, walsh, maria, reviewer
):
    flag = make_flag(project, "missing_report", "warning", assignment=walsh)
    FlagEvent.objects.create(
        flag=flag, kind="comment", actor=reviewer, note="Please file.", visibility="shared"
    )
    FlagEvent.objects.create(
        flag=flag, kind="comment", actor=maria, note="Filing today.", visibility="shared"
    )

    client.login(username=maria.username, password=PASSWORD)
    page = client.get(f"/flags/{flag.pk}/").content.decode()
    timeline = " ".join(re.sub(r"<[^>]+>", "", page.split('<ol class="timeline">')[1]).split())

    assert "reviewer · Crenshaw Coalition · commented" in timeline
    assert "Maria Lopez · Walsh Shea · commented" in timeline
    assert "CBA Monitor · raised the flag" in timeline


def selected_month(page: str) -> str:
    return re.search(r'<option value="([0-9-]+)"[^>]*selected', page).group(1)


@time_machine.travel(TODAY, tick=False)
def test_the_upload_month_is_the_earliest_month_owed_and_not_filed(client, project, walsh, maria):
    for month in range(1, 13):
        make_report(walsh, datetime.date(2025, month, 1), [], no_work=True)
    for month in (1, 2, 4, 5, 6, 7, 9):  # March (missing) and August, October (not yet due)
        make_report(walsh, datetime.date(2026, month, 1), [], no_work=True)
    for month in range(1, 13):
        make_report(walsh, datetime.date(2024, month, 1), [], no_work=True)
    client.login(username=maria.username, password=PASSWORD)
    upload = "/projects/crenshaw/contractors/walsh/reports/upload/"

    assert selected_month(client.get(upload).content.decode()) == "2026-03"

    make_report(walsh, datetime.date(2026, 3, 1), [], no_work=True)
    assert selected_month(client.get(upload).content.decode()) == "2026-08"

    make_report(walsh, datetime.date(2026, 8, 1), [], no_work=True)
    make_report(walsh, datetime.date(2026, 10, 1), [], no_work=True)
    # November has not ended: nothing is owed, so the newest month is offered.
    assert selected_month(client.get(upload).content.decode()) == "2026-11"


@time_machine.travel(TODAY, tick=False)
def test_a_month_just_ended_and_not_yet_due_is_offered_when_nothing_older_is_owed(
    client, project, walsh, maria
):
    for year, months in ((2024, range(1, 13)), (2025, range(1, 13)), (2026, range(1, 10))):
        for month in months:
            make_report(walsh, datetime.date(year, month, 1), [], no_work=True)
    client.login(username=maria.username, password=PASSWORD)
    page = client.get("/projects/crenshaw/contractors/walsh/reports/upload/").content.decode()

    assert selected_month(page) == "2026-10"
