"""SPEC §3.5: a commitment's status is the worst of its groups that have data; `no_data`
only when no group has data. Every surface says the same."""

import re

import pytest
from django.urls import reverse

from compliance.status import Status, commitment_status
from tests.coalition_data import (  # noqa: F401 - fast_passwords applies to this module
    fast_passwords,
    fresh_cache,
    make_evaluation,
)
from tests.conftest import make_commitment


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        (["on_track", "no_data"], "on_track"),
        (["met", "no_data", "at_risk"], "at_risk"),
        (["no_data", "shortfall"], "shortfall"),
        (["met", "on_track"], "on_track"),
        (["no_data", "no_data"], "no_data"),
        ([], None),
        ({"on_track": 1, "no_data": 3, "shortfall": 0}, "on_track"),
    ],
)
def test_a_commitment_takes_the_worst_status_among_groups_with_data(groups, expected):
    assert commitment_status(groups) == expected


def test_the_worst_first_order_is_shortfall_at_risk_on_track_met_then_no_data():
    ranked = sorted(Status.WORST_FIRST[::-1], key=Status.rank)
    assert [Status.label(s) for s in ranked] == [
        "Shortfall",
        "At risk",
        "On track",
        "Met",
        "No data",
    ]


@pytest.fixture
def on_track_and_no_data(project, walsh, pulice):
    """Apprentice hours per contractor: Walsh on track, Pulice with no hours yet."""
    commitment = make_commitment(
        project,
        "apprentices",
        "workforce_share",
        title="Apprentice hours",
        qualifier="apprentice",
        target_percent="20",
        scope="contractor",
    )
    make_evaluation(
        project,
        commitment,
        assignment=walsh,
        status="on_track",
        numerator="180",
        denominator="1000",
        actual_percent="18.00",
    )
    make_evaluation(project, commitment, assignment=pulice, status="no_data")
    return commitment


def statuses_in(html: str) -> set[str]:
    return set(re.findall(r'class="status status-(\w+)"', html)) & set(Status.WORST_FIRST)


def test_dashboard_project_page_and_api_agree_on_the_status(
    client, reviewer, project, on_track_and_no_data
):
    client.force_login(reviewer)
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert statuses_in(dashboard) == {"on_track"}

    page = client.get(reverse("project_home", args=[project.slug])).content.decode()
    card = page[page.index("Apprentice hours") :]
    first_badge = re.search(r'class="status status-(\w+)"', card)
    assert first_badge.group(1) == "on_track"

    summary = client.get(f"/api/v1/projects/{project.slug}/compliance").json()
    (apprentices,) = [c for c in summary["commitments"] if c["key"] == "apprentices"]
    assert apprentices["status"] == "on_track"
    assert apprentices["groups"] == {"on_track": 1, "no_data": 1}
