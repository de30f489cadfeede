"""A contractor's standing on a project: its own groups against each commitment, what it takes
to get back on track, what it owes underpaid workers, and its reporting record."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from compliance.evaluation.engine.catch_up import MET, NEEDED, NO_PROJECTION, OUT_OF_REACH, catch_up
from compliance.pipeline import evaluate_project
from projects.models import ApiToken, hash_token
from tests.conftest import make_commitment, make_report, make_user
from tests.engine_support import line

JAN, FEB, MAR = (datetime.date(2024, m, 1) for m in (1, 2, 3))
TODAY = datetime.date(2024, 5, 20)


def bearer(user) -> dict:
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=user, name="payroll", prefix=raw[:8], key_hash=hash_token(raw))
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def filed(day: int, month: int) -> dict:
    return {"submitted_at": datetime.datetime(2024, month, day, 12, tzinfo=datetime.UTC)}


@pytest.fixture
def standing(project, walsh, pulice, crafts):
    """Walsh: 1,000 hours a month in January to March, 20 of them by an apprentice (2%),
    against 20% of each trade's hours; two apprentices under a $38 floor in January.
    January filed on time, February late, March on time, April missing."""
    make_commitment(
        project,
        "apprentices",
        "workforce_share",
        title="Apprentice hours",
        qualifier="apprentice",
        scope="contractor_craft",
        target_percent="20",
    )
    make_commitment(
        project,
        "living_wage",
        "wage_floor",
        title="Living wage",
        scope="contractor",
        rates=[{"craft": "any", "effective_from": "2024-01-01", "base": "38.00"}],
    )
    electrician = crafts["Electrician"]
    for period, when in ((JAN, filed(10, 2)), (FEB, filed(20, 3)), (MAR, filed(10, 4))):
        week = period.replace(day=20)
        lines = [
            line("J1", week, electrician, 980, hourly_rate=Decimal("50.00")),
            line("A1", week, electrician, 20, is_apprentice=True, hourly_rate=Decimal("40.00")),
        ]
        if period == JAN:
            lines[1] = line(
                "A1", week, electrician, 10, is_apprentice=True, hourly_rate=Decimal("27.50")
            )
            lines.append(
                line("A2", week, electrician, 10, is_apprentice=True, hourly_rate=Decimal("29.90"))
            )
        make_report(walsh, period, lines, **when)
    make_report(
        pulice,
        JAN,
        [line("P1", JAN.replace(day=20), electrician, 40, hourly_rate=Decimal("20.00"))],
        **filed(10, 2),
    )
    with time_machine.travel(TODAY, tick=False):
        evaluate_project(project, TODAY)
    return project


def page(client, user, assignment):
    client.force_login(user)
    url = reverse(
        "contractor_standing",
        kwargs={"slug": assignment.project.slug, "contractor": assignment.contractor.slug},
    )
    with time_machine.travel(TODAY, tick=False):
        return client.get(url)


def test_the_catch_up_rule_gives_the_share_of_the_hours_to_come_that_must_qualify():
    found = catch_up(
        target_percent=Decimal(20),
        numerator=Decimal(200),
        denominator=Decimal(5000),
        projected_denominator=Decimal(10000),
    )
    assert (found.state, found.needed_percent, found.remaining) == (
        NEEDED,
        Decimal("36.00"),
        Decimal(5000),
    )


def test_the_catch_up_rule_says_when_it_is_out_of_reach_already_met_or_not_projected():
    out = catch_up(
        target_percent=Decimal(50),
        numerator=Decimal(0),
        denominator=Decimal(9000),
        projected_denominator=Decimal(10000),
    )
    assert (out.state, out.needed_percent, out.best_percent) == (
        OUT_OF_REACH,
        Decimal("500.00"),
        Decimal("10.00"),
    )
    met = catch_up(
        target_percent=Decimal(20),
        numerator=Decimal(2500),
        denominator=Decimal(5000),
        projected_denominator=Decimal(10000),
    )
    assert met.state == MET
    none = catch_up(
        target_percent=Decimal(20),
        numerator=Decimal(0),
        denominator=Decimal(5000),
        projected_denominator=None,
    )
    assert none.state == NO_PROJECTION


def test_a_contractor_sees_its_trade_against_the_target_and_what_it_takes(
    client, contractor, walsh, standing
):
    response = page(client, contractor, walsh)

    text = response.content.decode()
    assert response.status_code == 200
    assert "Apprentice hours" in text
    assert "Electrician" in text
    # 60 of 3,000 hours: 2.00% against 20.00%; the pace of the last three months carried to
    # December 2026 gives 36,000 hours, so (7,200 − 60) / 33,000 of the hours to come.
    assert "2.00%" in text
    assert (
        "To reach 20.00% by completion at your current pace, 21.64% of your hours from now "
        "on must be apprentice hours." in text
    )


def test_a_contractor_sees_what_its_underpaid_workers_are_owed(client, contractor, walsh, standing):
    text = page(client, contractor, walsh).content.decode()

    # (38.00 − 27.50) × 10 + (38.00 − 29.90) × 10 = 105.00 + 81.00
    assert "$186.00 is owed to underpaid workers" in text
    assert "2 lines paid below the required rate: $186.00 is owed to 2 workers." in text
    assert "$27.50" in text and "$29.90" in text


def test_a_contractor_sees_its_reporting_record(client, contractor, walsh, standing):
    text = page(client, contractor, walsh).content.decode()

    assert "4 reports due so far: 2 on time, 1 late, 1 missing" in text
    assert "April 2024" in text


def test_another_contractors_figures_never_show_on_a_contractors_standing(
    client, contractor, walsh, standing
):
    text = page(client, contractor, walsh).content.decode()

    # Pulice's worker ID (P1) as a word: a random CSRF token may hold the letters.
    assert not re.search(r"\bP1\b", text)
    assert "$20.00" not in text
    assert "Pulice" not in text


def test_the_page_gives_the_figures_the_api_gives_the_same_contractor(
    client, contractor, other_contractor, walsh, standing
):
    headers = bearer(contractor)
    with time_machine.travel(TODAY, tick=False):
        evaluations = client.get(
            "/api/v1/projects/crenshaw/evaluations?contractor=walsh", **headers
        ).json()
        summary = client.get("/api/v1/projects/crenshaw/compliance", **headers).json()

    items = evaluations["items"] if isinstance(evaluations, dict) else evaluations
    assert {e["group"]["contractor"] for e in items} == {"walsh"}
    share = next(e for e in items if e["commitment"] == "apprentices")
    wages = next(e for e in items if e["commitment"] == "living_wage")
    assert (share["numerator"], share["denominator"], share["actual_percent"]) == (
        "60.00",
        "3000.00",
        "2.00",
    )
    assert wages["shortfall"] == "186.00"
    text = page(client, contractor, walsh).content.decode()
    assert "60.00" in text and "3,000.00" in text and "$186.00" in text
    by_key = {c["key"]: c for c in summary["commitments"]}
    assert by_key["apprentices"]["status"] == "shortfall"
    assert by_key["living_wage"]["status"] == "shortfall"
    # The prime's summary counts its sub's months too: one of its own missing, three of
    # Pulice's, which the sub's own summary gives alone.
    with time_machine.travel(TODAY, tick=False):
        subs = client.get("/api/v1/projects/crenshaw/compliance", **bearer(other_contractor))
    assert subs.json()["reporting"]["missing"] == 3
    assert summary["reporting"]["missing"] == 1 + 3
    assert summary["reporting"]["late"] == 1 + subs.json()["reporting"]["late"]


def test_the_law_center_and_an_admin_may_open_any_contractors_standing(
    client, lawyer, admin, pulice, standing
):
    assert page(client, lawyer, pulice).status_code == 200
    assert page(client, admin, pulice).status_code == 200


def test_others_get_not_found(client, other_contractor, reviewer, outsider, orgs, walsh, standing):
    owner = make_user("metro_clerk", orgs["metro"])
    for user in (other_contractor, reviewer, outsider, owner):
        assert page(client, user, walsh).status_code == 404, user.username


def test_the_monthly_reports_page_links_to_the_standing(client, contractor, walsh, standing):
    client.force_login(contractor)
    with time_machine.travel(TODAY, tick=False):
        text = client.get(
            reverse("assignment_reports", kwargs={"slug": "crenshaw", "contractor": "walsh"})
        ).content.decode()
    assert (
        reverse("contractor_standing", kwargs={"slug": "crenshaw", "contractor": "walsh"}) in text
    )


def _share_result(project, commitment, *, qualifying: int, hours: int, target: int = 20):
    """A stored-looking result: `hours` a month with `qualifying` of them, for `months`."""
    from compliance.models import Evaluation

    series = [
        {"month": f"2024-{m:02d}", "numerator": f"{qualifying}.00", "denominator": f"{hours}.00"}
        for m in range(1, 4)
    ]
    return Evaluation(
        project=project,
        commitment=commitment,
        kind="workforce_share",
        numerator=Decimal(qualifying * 3),
        denominator=Decimal(hours * 3),
        actual_percent=Decimal(100 * qualifying) / hours,
        target_percent=Decimal(target),
        shortfall=Decimal(0),
        status="shortfall",
        series=series,
        details={"unit": "hours"},
    )


def test_the_standing_says_when_the_target_is_out_of_reach_or_already_met(project):
    from compliance.evaluation.kinds import kind_of

    commitment = make_commitment(
        project,
        "apprentices",
        "workforce_share",
        qualifier="apprentice",
        scope="contractor",
        target_percent="20",
    )
    kind = kind_of(commitment)
    # One month left after March 2024: 3,000 hours so far, 4,000 projected, none qualifying;
    # 50% of 4,000 is 2,000 hours, twice the 1,000 to come.
    project.end_date = datetime.date(2024, 4, 30)
    out = kind.standing_advice(
        _share_result(project, commitment, qualifying=0, hours=1000, target=50), project=project
    )
    assert out == (
        "Out of reach at your current pace: even if all of your hours from now on were "
        "apprentice hours, you would reach 25.00% by completion (200.00% would be needed)."
    )
    met = kind.standing_advice(
        _share_result(project, commitment, qualifying=500, hours=1000), project=project
    )
    assert met.startswith("Already met: your apprentice hours so far keep you at 20.00%")
    stay = kind.standing_advice(
        _share_result(project, commitment, qualifying=250, hours=1000), project=project
    )
    # 750 of 4,000 projected qualify so far; 800 are needed: 50 of the 1,000 to come.
    assert stay == (
        "To stay at 20.00% or more by completion at your current pace, 5.00% of your hours "
        "from now on must be apprentice hours."
    )
