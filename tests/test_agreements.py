"""Several agreements per project (SPEC §2): which one governs what (governing_agreement),
and every surface naming the agreement a commitment comes from."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from compliance.enforcement.actions import cure_deadline_for
from compliance.reporting import obligation
from projects.models import Agreement, Commitment, Project
from tests.conftest import make_commitment, make_report
from tests.engine_support import d, evaluate, line

JAN = datetime.date(2024, 1, 1)


@pytest.fixture
def ordinance(project) -> Agreement:
    """A city ordinance as applied to the project, effective after the CBA, with its own
    due day, cure period and damages basis."""
    return Agreement.objects.create(
        project=project,
        key="ordinance",
        title="City Local Hire Ordinance",
        effective_date=datetime.date(2024, 6, 1),
        report_due_day=20,
        cure_period_days=10,
        damages_basis=Agreement.DamagesBasis.TO_DATE,
    )


def test_an_agreement_gets_a_key_from_its_title_unique_within_the_project(project):
    again = Agreement.objects.create(
        project=project, title="Construction Careers Policy", effective_date=JAN
    )

    assert project.agreement.key == "construction-careers-policy"
    assert again.key == "construction-careers-policy-2"


def test_the_earliest_agreement_governs_the_monthly_reports_and_a_notices_cure(project, ordinance):
    project = Project.objects.get(pk=project.pk)

    assert project.agreement.title == "Construction Careers Policy"
    assert obligation.report_due_day(project) == 15
    assert obligation.project_due_date(project, datetime.date(2024, 10, 1)) == datetime.date(
        2024, 11, 15
    )
    # 30 days (the CBA's), not the ordinance's 10: 2024-07-01 + 30 = 2024-07-31.
    assert cure_deadline_for(project=project, notice_date=datetime.date(2024, 7, 1)) == (
        datetime.date(2024, 7, 31)
    )


def test_a_commitment_without_an_agreement_joins_the_primary_one(project, ordinance):
    commitment = make_commitment(project, "apprentice", "workforce_share", qualifier="apprentice",
                                 target_percent="20")  # fmt: skip

    assert commitment.agreement.key == "construction-careers-policy"


def test_a_commitment_cannot_belong_to_another_projects_agreement(project, orgs, ordinance):
    other = Project.objects.create(
        slug="other", name="Other", start_date=JAN, end_date=datetime.date(2025, 1, 1)
    )

    with pytest.raises(ValidationError) as caught:
        Commitment.objects.create(
            project=other,
            agreement=ordinance,
            key="x",
            title="X",
            kind="workforce_share",
            params={"qualifier": "apprentice", "target_percent": "10"},
        )

    assert "agreement" in caught.value.message_dict


def test_a_commitment_owes_damages_on_its_own_agreements_basis(
    project, walsh, crafts, area, ordinance
):
    """Example A under the ordinance (damages to date) and under the CBA (at completion)."""
    for key, agreement in [("city", ordinance), ("cba", project.agreement)]:
        commitment = make_commitment(project, key, "workforce_share", area=area,
                                     qualifier="area_resident", target_percent="40",
                                     penalty_per_unit="25")  # fmt: skip
        commitment.agreement = agreement
        commitment.save()
    make_report(
        walsh,
        JAN,
        [
            line("res", datetime.date(2024, 1, 6), crafts["Carpenter"], 3700, home_zip="90001"),
            line("away", datetime.date(2024, 1, 6), crafts["Carpenter"], 6300),
        ],
    )

    results = evaluate(project, datetime.date(2024, 1, 31))

    city, cba = results[("city", "project")], results[("cba", "project")]
    assert city.shortfall == cba.shortfall == d("300.00")
    assert city.details["damages_standing"] == "owed"
    assert cba.details["damages_standing"] == "exposure"


def test_the_project_page_names_every_agreement_and_each_cards_agreement(
    client, reviewer, project, ordinance, area
):
    commitment = make_commitment(project, "city", "workforce_share", area=area, clause="§4",
                                 qualifier="area_resident", target_percent="40")  # fmt: skip
    commitment.agreement = ordinance
    commitment.save()
    client.force_login(reviewer)

    page = client.get(reverse("project_home", kwargs={"slug": project.slug})).content.decode()

    assert "<strong>Construction Careers Policy</strong>" in page
    assert "<strong>City Local Hire Ordinance</strong>" in page
    assert "as the earliest agreement says" in page
    assert "City Local Hire Ordinance §4" in page
