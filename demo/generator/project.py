"""A project with every kind of commitment, for tests and the benchmark."""

import datetime
import math
import random
from decimal import Decimal

from compliance.models import ProgressEntry
from compliance.months import add_months
from demo.generator.payroll import contractor_profile
from demo.generator.reference import (
    CONTRACTOR_NAMES,
    TARGETED_ZIPS,
    TRADE_WORDS,
    ensure_crafts,
)
from projects.models import (
    Agreement,
    Area,
    Assignment,
    Commitment,
    Monitoring,
    Organization,
    Project,
)


def build_project(
    *,
    slug: str = "bench",
    contractors: int = 40,
    months: int = 60,
    start: datetime.date = datetime.date(2021, 1, 1),
    seed: int = 1,
) -> Project:
    """A project with every kind of commitment (all scoped per contractor and craft), a
    monitoring coalition and law center, and `contractors` assignments: one prime, the
    rest its subcontractors. Count targets get a few progress entries."""
    rng = random.Random(f"project:{seed}:{slug}")
    crafts = ensure_crafts()
    area, _ = Area.objects.update_or_create(
        slug=f"{slug}-targeted",
        defaults={"name": "Targeted ZIPs (economically disadvantaged)", "zips": TARGETED_ZIPS},
    )

    def org(suffix: str, name: str, kind: str) -> Organization:
        return Organization.objects.get_or_create(
            slug=f"{slug}-{suffix}", defaults={"name": name, "kind": kind}
        )[0]

    title = slug.replace("-", " ").title()
    owner = org("owner", f"{title} Development Authority", Organization.Kind.OWNER)
    start = start.replace(day=1)
    end = add_months(start, months) - datetime.timedelta(days=1)
    project = Project.objects.create(
        slug=slug,
        name=f"{title} Transit Corridor",
        location="Los Angeles, CA",
        owner=owner,
        start_date=start,
        end_date=end,
        status=Project.Status.ACTIVE,
    )
    project.crafts.set(crafts.values())
    Agreement.objects.create(
        project=project,
        title=f"{title} Community Benefits Agreement",
        effective_date=start,
        signatories=f"{owner.name}; {title} Community Coalition",
    )
    for suffix, name, kind in [
        ("coalition", f"{title} Community Coalition", Organization.Kind.COALITION),
        ("law-center", f"{title} Community Benefits Law Center", Organization.Kind.LAW_CENTER),
    ]:
        Monitoring.objects.create(project=project, organization=org(suffix, name, kind))

    years = max(1, math.ceil(months / 12))
    shares = {"scope": "contractor_craft"}
    specs = [
        ("targeted", "§3.1", "Targeted worker hours", "workforce_share",
         {**shares, "qualifier": "area_resident", "target_percent": "40",
          "penalty_per_unit": "25"}, area),
        ("disadvantaged", "§3.2", "Disadvantaged worker hours", "workforce_share",
         {**shares, "qualifier": "disadvantaged", "target_percent": "10"}, None),
        ("apprentice", "§3.3", "Apprentice hours", "workforce_share",
         {**shares, "qualifier": "apprentice", "target_percent": "20", "warning_margin": "2"},
         None),
        ("wage", "§5", "Prevailing wage floor", "wage_floor",
         {**shares, "basis": "base", "rates": [
             {"craft": "any", "effective_from": start.isoformat(), "base": "38.00", "fringe": "0"},
             {"craft": "Electrician", "effective_from": start.isoformat(), "base": "55.00",
              "fringe": "0"}]}, None),
        ("units", "§7", "Affordable units", "count_target",
         {"unit": "units", "target_quantity": "100", "start_date": start.isoformat(),
          "due_date": end.isoformat(), "max_ami_percent": "60",
          "milestones": [{"date": add_months(start, months // 2).isoformat(), "quantity": "40"},
                         {"date": end.isoformat(), "quantity": "100"}]}, None),
        ("funding", "§8", "Community fund payments", "count_target",
         {"unit": "dollars", "target_quantity": str(250_000 * years),
          "start_date": start.isoformat(),
          "due_date": (add_months(start, 12 * years) - datetime.timedelta(days=1)).isoformat(),
          "milestones": [
              {"date": (add_months(start, 12 * y) - datetime.timedelta(days=1)).isoformat(),
               "quantity": str(250_000 * y)} for y in range(1, years + 1)]}, None),
    ]  # fmt: skip
    commitments = {}
    for position, (key, clause, name, kind, params, commitment_area) in enumerate(specs):
        commitments[key] = Commitment.objects.create(
            project=project,
            key=key,
            clause=clause,
            title=name,
            kind=kind,
            params=params,
            area=commitment_area,
            position=position,
        )
    ProgressEntry.objects.bulk_create(
        [
            ProgressEntry(
                commitment=commitments["units"],
                date=add_months(start, 6 * k),
                quantity=Decimal(rng.choice([8, 12, 16, 20])),
                ami_percent=Decimal(rng.choice([30, 50, 60, 60, 80])),
                note="Units placed in service",
            )
            for k in range(1, months // 6 + 1)
        ]
        + [
            ProgressEntry(
                commitment=commitments["funding"],
                date=add_months(start, 12 * y) - datetime.timedelta(days=20),
                quantity=Decimal(250_000 if y % 3 else 180_000),
                note=f"Community fund payment, year {y}",
            )
            for y in range(1, years + 1)
        ]
    )

    prime = None
    for i in range(contractors):
        tier = Assignment.Tier.PRIME if i == 0 else Assignment.Tier.SUB
        slug_i = f"{slug}-c{i + 1:02d}"
        trade = contractor_profile(slug_i, tier=tier, seed=seed).trade
        company = CONTRACTOR_NAMES[i % len(CONTRACTOR_NAMES)]
        suffix = f" {i // len(CONTRACTOR_NAMES) + 1}" if i >= len(CONTRACTOR_NAMES) else ""
        contractor = Organization.objects.get_or_create(
            slug=slug_i,
            defaults={
                "name": f"{company} {TRADE_WORDS[trade]}{suffix}",
                "kind": Organization.Kind.CONTRACTOR,
            },
        )[0]
        assignment = Assignment.objects.create(
            project=project,
            contractor=contractor,
            tier=tier,
            parent=prime,
            scope_of_work="General contractor" if prime is None else f"{trade.title()} work",
            start_date=start,
        )
        prime = prime or assignment
    return project
