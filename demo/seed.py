"""The demo that `manage.py seed_demo` builds: a project a newcomer can explore in every role.

Crenshaw Crossing, a mixed-use development in South Los Angeles, is bound by a community
benefits agreement modelled on real ones (LA Metro's Construction Careers Policy, the LA
Live and Grand Avenue CBAs): 40% of work hours by residents of targeted ZIP codes with $25
per shortfall hour in liquidated damages, 30% local hire per contractor and trade, 10%
disadvantaged workers, 20% apprentice hours per contractor, a $38 living-wage floor ($55 for
electricians), 100 affordable units at or below 60% AMI, and $250,000 a year into a community
fund. A prime and five subcontractors have reported every month since the project started
fourteen months ago, with a few reports late, one month missing, one subcontractor far short
on apprentices and a few underpaid lines; its apprentice goal was amended after the first
year (15%, then 20%), so the commitment has an amendment in its history. A coalition and a
law center monitor it. A second, smaller project adopts a policy modelled on LA Metro's
Construction Careers Policy and is monitored by the coalition only. A third, in San
Francisco, is bound by both a community benefits agreement and the city's local hiring
ordinance (modelled on Administrative Code ch. 82) and is monitored by the law center.
A fourth, in Boston, is bound by the Boston Residents Jobs Policy (51% of hours by Boston
residents, 40% by people of color, 12% by women) and its hours come the way Boston's own do:
imported by the open data door from the city's published file (demo/data/), so the
comparison across cities sets a project under one policy beside projects under another.

The three policies are files under demo/policies/, loaded as `load_policy` loads them.

Everything is dated relative to today, so the demo stays current, except the Boston project:
a completed 2024 project whose dates are those of the city's file.
"""

import datetime
import json
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from compliance.audit import audit_record
from compliance.models import PayrollLine, ProgressEntry, Report, Worker
from compliance.months import add_months
from demo.boston import BOSTON, boston_project
from demo.generator import LA_CITY_ZIPS, TARGETED_ZIPS, ensure_crafts, write_lines
from projects.models import (
    Agreement,
    Area,
    Assignment,
    Commitment,
    CommitmentVersion,
    Membership,
    Monitoring,
    Organization,
    Policy,
    Project,
)
from projects.policies import commitment_amend, policy_adopt
from projects.policy_definition import policy_definition_load

PASSWORD = "demo-password-2026"
MAIN = "crenshaw-crossing"
SECOND = "vermont-commons"
THIRD = "mission-rock"
PROJECTS = [MAIN, SECOND, THIRD, BOSTON]
POLICY_FILES = Path(__file__).resolve().parent / "policies"
POLICIES = ["la-metro-ccp", "sf-local-hire", "boston-rjp"]
AREAS = {
    "south-la-targeted": ("South LA targeted ZIP codes", TARGETED_ZIPS),
    "la-city": ("City of Los Angeles", LA_CITY_ZIPS),
}
ORGANIZATIONS = {
    "crenshaw-crossing-partners": ("Crenshaw Crossing Partners LLC", "owner"),
    "vermont-commons-housing": ("Vermont Commons Housing LP", "owner"),
    "south-la-jobs-coalition": ("South LA Community Jobs Coalition", "coalition"),
    "cb-law-center": ("Community Benefits Law Center", "law_center"),
    "harbor-line": ("Harbor Line Builders", "contractor"),
    "eastside-electric": ("Eastside Electric", "contractor"),
    "slauson-concrete": ("Slauson Concrete", "contractor"),
    "figueroa-steel": ("Figueroa Steel", "contractor"),
    "vermont-grading": ("Vermont Grading & Paving", "contractor"),
    "normandie-plumbing": ("Normandie Plumbing", "contractor"),
    "mission-builders": ("Mission Builders", "contractor"),
    "mission-rock-partners": ("Mission Rock Partners LLC", "owner"),
    "bayshore-builders": ("Bayshore Builders", "contractor"),
    "potrero-electric": ("Potrero Electric", "contractor"),
    "columbia-point-holdings": ("Columbia Point Holdings", "owner"),
    # Named in Boston's file; the open data door finds them by name.
    "commonwealth-construction": ("Commonwealth Construction Co.", "contractor"),
    "savin-hill-drywall": ("Savin Hill Drywall", "contractor"),
    "neponset-plumbing": ("Neponset Plumbing & Heating", "contractor"),
    "tobin-electrical": ("Tobin Electrical Services", "contractor"),
}
# Who is short of what: crew traits by contractor (see demo.generator.Profile).
PROFILES = {
    "harbor-line": {"trade": "general", "size": 2.0, "local_share": 0.36,
                    "apprentice_share": 0.22, "underpaid_share": 0.0},
    "eastside-electric": {"trade": "electrical", "size": 1.0, "local_share": 0.30,
                          "apprentice_share": 0.06, "underpaid_share": 0.0},
    "slauson-concrete": {"trade": "concrete", "size": 1.1, "local_share": 0.33,
                         "apprentice_share": 0.20, "underpaid_share": 0.02},
    "figueroa-steel": {"trade": "steel", "size": 0.7, "local_share": 0.28,
                       "apprentice_share": 0.18, "underpaid_share": 0.0},
    "vermont-grading": {"trade": "excavation", "size": 0.8, "local_share": 0.42,
                        "apprentice_share": 0.20, "underpaid_share": 0.0},
    "normandie-plumbing": {"trade": "plumbing", "size": 0.6, "local_share": 0.30,
                           "apprentice_share": 0.26, "underpaid_share": 0.0},
    "mission-builders": {"trade": "framing", "size": 1.5, "local_share": 0.38,
                         "apprentice_share": 0.25, "underpaid_share": 0.0},
    "bayshore-builders": {"trade": "general", "size": 1.2, "local_share": 0.34,
                          "apprentice_share": 0.21, "underpaid_share": 0.0},
    "potrero-electric": {"trade": "electrical", "size": 0.8, "local_share": 0.22,
                         "apprentice_share": 0.15, "underpaid_share": 0.0},
}  # fmt: skip
MISSING_CONTRACTOR = "figueroa-steel"


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    organization: str | None
    tour: str


LOGINS = [
    Login("demo-admin", "Program admin", None,
          "sees every project; sets projects up in /admin/"),
    Login("demo-prime", "Contractor (prime)", "harbor-line",
          "Harbor Line Builders: months due, upload a report, the template, its own flags"),
    Login("demo-sub", "Contractor (sub)", "eastside-electric",
          "Eastside Electric: far short on apprentices; on both projects"),
    Login("demo-coalition", "Coalition reviewer", "south-la-jobs-coalition",
          "both projects: dashboard, commitments, flag queue, exports (no worker names)"),
    Login("demo-lawyer", "Law center attorney", "cb-law-center",
          "Crenshaw Crossing, Mission Rock (a CBA and SF's ordinance) and Dorchester Bay "
          "Commons (Boston's open data): worker detail, memos, actions"),
    Login("demo-owner", "Owner", "crenshaw-crossing-partners",
          "the project the owner is building"),
]  # fmt: skip


def demo_exists() -> bool:
    return Project.objects.filter(slug=MAIN).exists()


@transaction.atomic
def delete_demo() -> None:
    """Remove every object the demo created; shared crafts stay."""
    projects = Project.objects.filter(slug__in=PROJECTS)
    PayrollLine.objects.filter(project__in=projects).delete()
    Report.objects.filter(assignment__project__in=projects).delete()
    projects.delete()
    Worker.objects.filter(contractor__slug__in=ORGANIZATIONS, lines__isnull=True).delete()
    Policy.objects.filter(slug__in=POLICIES, adoptions__isnull=True).delete()
    Area.objects.filter(
        slug__in=[*AREAS, "la-metro-eda", "sf-city"],
        commitments__isnull=True,
        policy_templates__isnull=True,
    ).delete()
    Organization.objects.filter(
        slug__in=ORGANIZATIONS,
        assignments__isnull=True,
        owned_projects__isnull=True,
        monitoring__isnull=True,
    ).delete()
    User.objects.filter(username__in=[login.username for login in LOGINS]).delete()


@transaction.atomic
def seed_demo(*, today: datetime.date | None = None) -> list[Project]:
    """Build the demo (call `delete_demo` first to rebuild it); returns its projects."""
    today = today or timezone.localdate()
    orgs = {
        slug: Organization.objects.get_or_create(slug=slug, defaults={"name": n, "kind": k})[0]
        for slug, (n, k) in ORGANIZATIONS.items()
    }
    areas = {
        slug: Area.objects.update_or_create(slug=slug, defaults={"name": n, "zips": zips})[0]
        for slug, (n, zips) in AREAS.items()
    }
    users = _users(orgs)
    policies = load_policies()
    this_month = today.replace(day=1)
    main = _main_project(orgs, areas, users, start=add_months(this_month, -14))
    second = _second_project(orgs, policies, users, start=add_months(this_month, -8))
    third = _third_project(orgs, policies, users, start=add_months(this_month, -6))
    _describe(main, jurisdiction="Los Angeles, CA", sector=Project.Sector.MIXED_USE,
              total_cost=Decimal("185000000"))  # fmt: skip
    write_lines(
        project=main,
        lines=6500,
        months=_months_before(main, this_month),
        seed=2026,
        late_share=0.12,
        missing=[(MISSING_CONTRACTOR, add_months(this_month, -3))],
        profiles=PROFILES,
    )
    write_lines(
        project=second,
        lines=1200,
        months=_months_before(second, this_month),
        seed=2026,
        profiles=PROFILES,
    )
    write_lines(
        project=third,
        lines=900,
        months=_months_before(third, this_month),
        seed=2026,
        late_share=0.1,
        profiles=PROFILES,
    )
    boston = boston_project(orgs, policies)
    audit_record(
        verb="seed_demo",
        actor_label="seed_demo",
        project=main,
        data={"projects": PROJECTS, "logins": [login.username for login in LOGINS]},
    )
    return [main, second, third, boston]


def load_policies() -> dict[str, Policy]:
    """The demo's policies, from their files under demo/policies/ (as `load_policy` does)."""
    loaded = {}
    for slug in POLICIES:
        data = json.loads((POLICY_FILES / f"{slug}.json").read_text(encoding="utf-8"))
        loaded[slug] = policy_definition_load(data=data).policy
    return loaded


def _months_before(project: Project, month: datetime.date) -> list[datetime.date]:
    """The months a project has reported: from its start up to the month before `month`."""
    count = (month.year - project.start_date.year) * 12 + month.month - project.start_date.month
    return [add_months(project.start_date, k) for k in range(count)]


def _users(orgs: dict[str, Organization]) -> dict[str, User]:
    users = {}
    hashed = make_password(PASSWORD)  # once: hashing is deliberately slow
    for login in LOGINS:
        user = User.objects.create(
            username=login.username,
            email=f"{login.username}@example.org",
            password=hashed,
            first_name=login.role.split(" (")[0],
            is_staff=login.organization is None,
            is_superuser=login.organization is None,
        )
        if login.organization:
            Membership.objects.create(
                user=user, organization=orgs[login.organization], title=login.role
            )
        users[login.username] = user
    return users


def _project(slug, name, location, owner, *, start, months, crafts, coalition, law_center):
    project = Project.objects.create(
        slug=slug,
        name=name,
        location=location,
        owner=owner,
        start_date=start,
        end_date=add_months(start, months) - datetime.timedelta(days=1),
    )
    project.crafts.set(crafts)
    for org in [coalition, law_center]:
        if org is not None:
            Monitoring.objects.create(project=project, organization=org)
    return project


def _commitments(project: Project, specs: list[tuple]) -> dict[str, Commitment]:
    created = {}
    for position, (key, clause, title, kind, text, params, area) in enumerate(specs):
        created[key] = Commitment.objects.create(
            project=project,
            key=key,
            clause=clause,
            title=title,
            text=text,
            kind=kind,
            params=params,
            area=area,
            position=position,
        )
    return created


def _assign(project, orgs, users, plan) -> None:
    """plan: (contractor slug, tier, parent slug, months after the start, scope, clerk)."""
    by_slug = {}
    for slug, tier, parent, offset, scope, clerk in plan:
        assignment = Assignment.objects.create(
            project=project,
            contractor=orgs[slug],
            tier=tier,
            parent=by_slug.get(parent),
            scope_of_work=scope,
            start_date=add_months(project.start_date, offset),
        )
        if clerk:
            assignment.contacts.add(users[clerk])
        by_slug[slug] = assignment


def _main_project(orgs, areas, users, *, start: datetime.date) -> Project:
    project = _project(
        MAIN,
        "Crenshaw Crossing Mixed-Use Development",
        "Crenshaw Blvd & W 48th St, Los Angeles, CA",
        orgs["crenshaw-crossing-partners"],
        start=start,
        months=36,
        crafts=ensure_crafts().values(),
        coalition=orgs["south-la-jobs-coalition"],
        law_center=orgs["cb-law-center"],
    )
    end = project.end_date
    Agreement.objects.create(
        project=project,
        title="Crenshaw Crossing Community Benefits Agreement",
        effective_date=start,
        signatories="Crenshaw Crossing Partners LLC; South LA Community Jobs Coalition",
        cure_period_days=30,
        report_due_day=15,
        public=True,
    )
    first_year_end = add_months(start, 12) - datetime.timedelta(days=1)
    wage_from = start.isoformat()
    specs = [
        ("targeted", "§3.1", "Targeted worker hours", "workforce_share",
         "At least 40% of all construction work hours shall be performed by residents of the "
         "Targeted ZIP codes (Exhibit B). Liquidated damages: $25 per hour of shortfall.",
         {"qualifier": "area_resident", "scope": "project", "target_percent": "40",
          "penalty_per_unit": "25"}, areas["south-la-targeted"]),
        ("local-per-trade", "§3.2", "Local hire per contractor and trade", "workforce_share",
         "Each contractor shall perform at least 30% of its work hours in each craft with "
         "residents of the City of Los Angeles.",
         {"qualifier": "area_resident", "scope": "contractor_craft", "target_percent": "30",
          "min_base": "200"}, areas["la-city"]),
        ("disadvantaged", "§3.3", "Disadvantaged worker hours", "workforce_share",
         "At least 10% of all work hours shall be performed by Disadvantaged Workers.",
         {"qualifier": "disadvantaged", "scope": "project", "target_percent": "10"}, None),
        ("apprentice", "§3.4", "Apprentice hours", "workforce_share",
         "Each contractor shall perform at least 15% of its work hours in the first year, and "
         "20% thereafter, with apprentices enrolled in state-registered apprenticeship "
         "programs.",
         {"qualifier": "apprentice", "scope": "contractor", "target_percent": "15",
          "warning_margin": "2"}, None),
        ("living-wage", "§5.1", "Living wage floor", "wage_floor",
         "No worker shall be paid a base hourly rate below $38.00 ($55.00 for electricians).",
         {"basis": "base", "scope": "contractor", "rates": [
             {"craft": "any", "effective_from": wage_from, "base": "38.00", "fringe": "0"},
             {"craft": "Electrician", "effective_from": wage_from, "base": "55.00",
              "fringe": "0"}]}, None),
        ("affordable-units", "§7.1", "Affordable housing units", "count_target",
         "The project shall deliver 100 units affordable to households at or below 60% of "
         "area median income by completion.",
         {"unit": "units", "target_quantity": "100", "start_date": start.isoformat(),
          "due_date": end.isoformat(), "max_ami_percent": "60",
          "milestones": [{"date": add_months(start, 24).isoformat(), "quantity": "50"},
                         {"date": end.isoformat(), "quantity": "100"}]}, None),
        ("community-fund", "§8.1", "Community benefits fund", "count_target",
         "The developer shall pay $250,000 a year into the community benefits fund for ten "
         "years, each payment due by the end of the agreement year.",
         {"unit": "dollars", "target_quantity": "2500000", "start_date": start.isoformat(),
          "due_date": (add_months(start, 120) - datetime.timedelta(days=1)).isoformat(),
          "milestones": [
              {"date": (add_months(start, 12 * y) - datetime.timedelta(days=1)).isoformat(),
               "quantity": str(250_000 * y)} for y in range(1, 11)]}, None),
    ]  # fmt: skip
    commitments = _commitments(project, specs)
    admin = users["demo-admin"]
    _phase_apprentice_goal(commitments["apprentice"], admin)
    ProgressEntry.objects.bulk_create(
        [
            ProgressEntry(commitment=commitments["affordable-units"], date=add_months(start, 8),
                          quantity=Decimal(12), ami_percent=Decimal(50), entered_by=admin,
                          note="Building A, floors 2-3: certificates of occupancy"),
            ProgressEntry(commitment=commitments["affordable-units"], date=add_months(start, 11),
                          quantity=Decimal(10), ami_percent=Decimal(60), entered_by=admin,
                          note="Building A, floor 4"),
            ProgressEntry(commitment=commitments["affordable-units"], date=add_months(start, 12),
                          quantity=Decimal(6), ami_percent=Decimal(80), entered_by=admin,
                          note="Building A, floor 5 (80% AMI: does not count toward §7.1)"),
            ProgressEntry(commitment=commitments["community-fund"],
                          date=first_year_end - datetime.timedelta(days=10),
                          quantity=Decimal(180_000), entered_by=admin,
                          note="Year 1 payment (partial; $70,000 outstanding)"),
        ]
    )  # fmt: skip
    _assign(
        project,
        orgs,
        users,
        [
            ("harbor-line", "prime", None, 0, "General contractor", "demo-prime"),
            ("slauson-concrete", "sub", "harbor-line", 0, "Foundations and flatwork", None),
            ("vermont-grading", "sub", "harbor-line", 0, "Excavation and grading", None),
            ("eastside-electric", "sub", "harbor-line", 1, "Electrical", "demo-sub"),
            ("figueroa-steel", "sub", "harbor-line", 3, "Structural steel", None),
            ("normandie-plumbing", "sub", "harbor-line", 4, "Plumbing", None),
        ],
    )
    return project


def _phase_apprentice_goal(commitment: Commitment, admin: User) -> None:
    """§3.4's goal rises from 15% to 20% after the first year: the first terms, then an
    amendment recorded by the program admin, with its reason (SPEC §3.6)."""
    start = commitment.project.start_date
    CommitmentVersion.objects.create(
        commitment=commitment,
        effective_from=start,
        params=commitment.params,
        note="As signed.",
        created_by=admin,
    )
    commitment_amend(
        commitment=commitment,
        effective_from=add_months(start, 12),
        changes={"target_percent": "20"},
        note="Amendment No. 1: the apprentice goal rises to 20% from the second year, as "
        "the apprenticeship schedule of Exhibit D provides.",
        user=admin,
    )


def _second_project(orgs, policies, users, *, start: datetime.date) -> Project:
    project = _project(
        SECOND,
        "Vermont Commons Affordable Housing",
        "S Vermont Ave & W 60th St, Los Angeles, CA",
        orgs["vermont-commons-housing"],
        start=start,
        months=24,
        crafts=ensure_crafts(["Carpenter", "Laborer", "Electrician", "Cement Mason"]).values(),
        coalition=orgs["south-la-jobs-coalition"],
        law_center=None,
    )
    project.jurisdiction = "Los Angeles County Metropolitan Transportation Authority"
    project.sector = Project.Sector.HOUSING
    project.total_cost = Decimal("68000000")
    project.public_subsidy = Decimal("21500000")
    project.save()
    # A joint development on transit agency land: the agency's policy binds it.
    agreement = Agreement.objects.create(
        project=project,
        key="metro-ccp",
        title="LA Metro Construction Careers Policy, as applied to Vermont Commons",
        effective_date=start,
        signatories="LA Metro; Vermont Commons Housing LP",
        public=True,
    )
    policy_adopt(
        agreement=agreement,
        policy=policies["la-metro-ccp"],
        overrides={"targeted": {"target_percent": "30"}},
        label="seed_demo",
    )
    _assign(
        project,
        orgs,
        users,
        [
            ("mission-builders", "prime", None, 0, "General contractor", None),
            ("eastside-electric", "sub", "mission-builders", 1, "Electrical", "demo-sub"),
        ],
    )
    return project


def _third_project(orgs, policies, users, *, start: datetime.date) -> Project:
    """Bound by a community benefits agreement and by the city's local hiring ordinance."""
    project = _project(
        THIRD,
        "Mission Rock Block G",
        "Terry A Francois Blvd & 3rd St, San Francisco, CA",
        orgs["mission-rock-partners"],
        start=start,
        months=30,
        crafts=ensure_crafts(
            ["Carpenter", "Laborer", "Electrician", "Cement Mason", "Ironworker"]
        ).values(),
        coalition=None,
        law_center=orgs["cb-law-center"],
    )
    project.jurisdiction = "San Francisco, CA"
    project.sector = Project.Sector.MIXED_USE
    project.total_cost = Decimal("412000000")
    project.public_subsidy = Decimal("0")
    project.save()
    cba = Agreement.objects.create(
        project=project,
        key="cba",
        title="Mission Rock Community Benefits Agreement",
        effective_date=start,
        signatories="Mission Rock Partners LLC; Bayview Jobs Coalition",
        cure_period_days=45,
        report_due_day=15,
    )
    ordinance = Agreement.objects.create(
        project=project,
        key="sf-ch82",
        title="San Francisco Local Hiring Policy (Admin. Code ch. 82), as applied",
        effective_date=start,
        signatories="City and County of San Francisco (OEWD)",
        public=True,
    )
    specs = [
        ("living-wage", "§6.1", "Living wage floor", "wage_floor",
         "No worker on the project shall be paid a base hourly rate below $42.00.",
         {"basis": "base", "scope": "contractor", "rates": [
             {"craft": "any", "effective_from": start.isoformat(), "base": "42.00",
              "fringe": "0"}]}, None),
        ("disadvantaged", "§6.2", "Disadvantaged worker hours", "workforce_share",
         "At least 15% of all work hours shall be performed by Disadvantaged Workers.",
         {"qualifier": "disadvantaged", "scope": "project", "target_percent": "15"}, None),
    ]  # fmt: skip
    for commitment in _commitments(project, specs).values():
        commitment.agreement = cba
        commitment.save()
    policy_adopt(agreement=ordinance, policy=policies["sf-local-hire"], label="seed_demo")
    _assign(
        project,
        orgs,
        users,
        [
            ("bayshore-builders", "prime", None, 0, "General contractor", None),
            ("potrero-electric", "sub", "bayshore-builders", 1, "Electrical", None),
        ],
    )
    return project


def _describe(project: Project, **facts) -> None:
    """What the comparison across cities groups and filters by (jurisdiction, sector, cost)."""
    for name, value in facts.items():
        setattr(project, name, value)
    project.save(update_fields=list(facts))


def site_url() -> str:
    return f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}/"


def logins_text() -> str:
    """The table `seed_demo` prints at the end: one login per role."""
    width = max(len(login.role) for login in LOGINS)
    rows = [f"  {'role':<{width}}  {'username':<15} what to try"]
    rows += [f"  {login.role:<{width}}  {login.username:<15} {login.tour}" for login in LOGINS]
    return "\n".join(
        [f"Open {site_url()} and log in as one of these; every password is {PASSWORD}", *rows]
    )
