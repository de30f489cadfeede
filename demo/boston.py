"""The demo's Boston project: a completed 2024 project under the Boston Residents Jobs
Policy whose hours come the way Boston's own do, from the city's open data file
(demo/data/boston_rjp_extract.csv, `boston-rjp` layout: the rows of three projects, one a
worker and a week), imported through the open data door a monitor uses. Its dates are the
file's, not relative to today."""

import datetime
from decimal import Decimal
from pathlib import Path

from compliance.reporting.intake.opendata import import_open_data
from demo.generator import ensure_crafts
from projects.models import Agreement, Monitoring, Organization, Policy, Project
from projects.policies import policy_adopt

BOSTON = "dorchester-bay-commons"
BOSTON_NAME = "Dorchester Bay Commons Phase 1"
BOSTON_EXTRACT = Path(__file__).resolve().parent / "data" / "boston_rjp_extract.csv"


def boston_project(orgs: dict[str, Organization], policies: dict[str, Policy]) -> Project:
    """The project, its agreement adopting the city's policy (public), and its hours from
    the city's file; the companies the file names are the demo's (found by name)."""
    project = Project.objects.create(
        slug=BOSTON,
        name=BOSTON_NAME,
        location="150 Mount Vernon St, Dorchester, Boston, MA",
        owner=orgs["columbia-point-holdings"],
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 12, 31),
        status=Project.Status.COMPLETE,
        jurisdiction="Boston, MA",
        sector=Project.Sector.HOUSING,
        total_cost=Decimal("96000000"),
        public_subsidy=Decimal("12400000"),
    )
    project.crafts.set(
        ensure_crafts(
            ["Carpenter", "Laborer", "Electrician", "Operating Engineer", "Plumber"]
        ).values()
    )
    Monitoring.objects.create(project=project, organization=orgs["cb-law-center"])
    agreement = Agreement.objects.create(
        project=project,
        key="brjp",
        title="Boston Residents Jobs Policy, as applied to Dorchester Bay Commons",
        effective_date=project.start_date,
        signatories="City of Boston; Columbia Point Holdings",
        public=True,
    )
    policy_adopt(agreement=agreement, policy=policies["boston-rjp"], label="seed_demo")
    import_open_data(
        project=project,
        content=BOSTON_EXTRACT.read_bytes(),
        format="boston-rjp",
        source_name=BOSTON_NAME,
        filename=BOSTON_EXTRACT.name,
    )
    return project
