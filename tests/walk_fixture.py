"""The access walk's world: two projects with one of everything, and markers planted in them.

Two projects of two organizations:
- Crenshaw Northern Corridor (owner Metro), monitored by the Crenshaw Coalition and the
  Community Benefits Law Center. Contractors: Eastside Electric (contractor A, a prime),
  Walsh Shea (a prime) and Pulice Tunnelworks (contractor B, a sub under Walsh), with a
  sibling of B under Walsh (Sibling Drywall Partners, no scenario of its own).
- Harbor Gateway Terminal (owner Port Authority), monitored by Harbor Legal Aid (the law
  center of another organization). Contractor: Harbor Ironworks.

Each project has commitments of the three kinds, evaluations, reports with stored originals
(an Excel upload by A, an eCPR upload by B, a JSON report by the prime, an Excel upload on
Harbor), lines with worker names, flags with shared and internal notes on comments and on
transitions (an internal transition note and a shared comment each carry an attached file),
notifications, memos with a PDF (one per audience when memos have one),
enforcement actions, ledger entries (damages assessed, a payment), progress entries with
evidence files and API tokens.

Markers are texts planted in that data; each says which users may read it, decided by
`projects/access.py` and capped by the rules of SPEC §4 and §8 that no access function may
loosen:
- an internal note: only reviewers and law center staff who see its flag, and admins
  (never the owner, never a contractor);
- a shared note: whoever sees its flag, except other contractors (the contractor the flag
  is on, and the contractors above it: a prime reads its subs' shared notes);
- a worker's name: `access.can_see_worker_names` (the worker's contractor, the monitoring
  law center, admins);
- an SSN or a street address in an eCPR upload: nobody, ever (the kept copy drops them);
- a contractor's name: whoever `access.assignments_for` gives one of its assignments to
  (monitors and owner of its projects, its own people, admins), and a sub's people may read
  the name of the prime directly above it. A contractor reads no other company's name but
  those of its tier: A never reads B's or the prime's, the prime reads B's and the
  sibling's (its subs), B reads the prime's only, never its sibling's;
- a project's name: whoever `access.projects_for` gives the project to;
- a ledger entry's note: whoever `access.ledger_entries_for` gives the entry to, and of the
  contractors only the one it concerns.
"""

import datetime
import hashlib
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.files.base import ContentFile

from compliance.enforcement.alerts.services import alert_flags_opened
from compliance.enforcement.ledger import ledger_entry_record
from compliance.enforcement.memos.build import memo_generate
from compliance.models import (
    EnforcementAction,
    Evaluation,
    ExportMapping,
    Flag,
    FlagEvent,
    Memo,
    Notification,
    ProgressEntry,
    Report,
    Worker,
)
from compliance.reporting.intake.upload import report_upload
from projects import access
from projects.models import Agreement, Area, Assignment, Craft, Monitoring, Organization, Project
from projects.tokens import api_token_create
from tests.conftest import make_commitment, make_report, make_user
from tests.intake_support import ECPR_NS, line, workbook

ROLES = [
    "anonymous",
    "contractor_a",
    "contractor_b",
    "prime_of_b",
    "reviewer",
    "other_law_center",
    "law_center",
    "owner",
    "admin",
]
PERIOD = datetime.date(2024, 3, 1)
WEEK = datetime.date(2024, 3, 9)
COUNSEL_MARKING = "Privileged and confidential"

CRENSHAW = "Crenshaw Northern Corridor"
HARBOR = "Harbor Gateway Terminal"
EASTSIDE = "Eastside Electric Cooperative"
PULICE = "Pulice Tunnelworks"
WALSH = "Walsh Shea Corridor Builders"
IRONWORKS = "Harbor Ironworks Collective"
SIBLING = "Sibling Drywall Partners"

WORKER_A = "Zephyrine Okonkwo"
WORKER_B = "Bartholomew Quince"
WORKER_B2 = "Ottoline Vasquez"
WORKER_PRIME = "Leopold Anansi"
WORKER_HARBOR = "Marisol Thackeray"
SSN_PLAIN = "518-62-9437"
SSN_SPLIT = ("734", "815206")  # one SSN written as two CDATA sections
SSN_IN_NAME_ID = "846 20 5713"
STREET = "4417 Quarantine Blvd"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass
class Marker:
    text: str
    what: str
    may_read: Callable[[User | None], bool]
    pattern: re.Pattern = field(init=False)

    def __post_init__(self):
        digits = re.sub(r"\D", "", self.text)
        if self.what.endswith("slug"):
            # A slug is a word of its own: not part of a longer slug or file name.
            self.pattern = re.compile(rf"(?<![\w-]){re.escape(self.text)}(?![\w-])")
        elif self.what == "SSN":
            # The nine digits in order, whatever stands between them (dashes, spaces, CDATA).
            self.pattern = re.compile(r"[^0-9]{0,24}".join(digits))
        else:
            words = [re.escape(w) for w in self.text.split()]
            self.pattern = re.compile(r"\s+".join(words), re.IGNORECASE)

    def found_in(self, text: str) -> bool:
        return bool(self.pattern.search(text))


@dataclass
class StoredFile:
    """A file the system keeps, and who may download it (SPEC §8)."""

    kind: str  # "original report file", "memo PDF", "progress evidence"
    name: str
    content: bytes
    may_download: Callable[[User | None], bool]
    audience: str = ""  # memos: recipient or counsel


@dataclass
class Scenario:
    """One coherent filling of every URL kwarg: the objects of one contractor on a project."""

    name: str
    values: dict
    objects: dict


@dataclass
class World:
    users: dict[str, User | None]
    scenarios: list[Scenario]
    markers: list[Marker]
    files: dict[str, StoredFile]  # by SHA-256 of the content
    flags: dict[str, Flag]
    memo_audience: dict[int, str]
    assignments: dict[str, Assignment] = field(default_factory=dict)


def memos_have_audience() -> bool:
    return any(f.name == "audience" for f in Memo._meta.get_fields())


# Who may read what: access.py decides, the SPEC caps.


def _role(user) -> str | None:
    return access.role_of(user) if user is not None else None


def sees_project(project: Project) -> Callable:
    return lambda user: access.projects_for(user).filter(pk=project.pk).exists()


def sees_contractor_name(organization: Organization) -> Callable:
    def may_read(user) -> bool:
        if user is None:
            return False
        if access.assignments_for(user).filter(contractor=organization).exists():
            return True
        if _role(user) == access.CONTRACTOR:
            # A sub's people know the prime they work under; a prime's, the subs it pays.
            mine = access.assignments_for(user)
            return (
                mine.filter(parent__contractor=organization).exists()
                or mine.filter(children__contractor=organization).exists()
            )
        return False

    return may_read


def reads_worker_name(assignment: Assignment) -> Callable:
    def may_read(user) -> bool:
        if user is None or not access.can_see_worker_names(user, assignment.project, assignment):
            return False
        role = _role(user)
        if role == access.CONTRACTOR:
            return access.organization_id_of(user) == assignment.contractor_id
        return role in {access.LAW_CENTER, access.ADMIN}

    return may_read


def reads_note(event: FlagEvent) -> Callable:
    def may_read(user) -> bool:
        if user is None or not access.flags_for(user).filter(pk=event.flag_id).exists():
            return False
        shown = {e.pk: e for e in access.flag_events_for(user, event.flag)}
        if event.pk not in shown or getattr(shown[event.pk], "note_withheld", False):
            return False
        role = _role(user)
        if event.visibility == FlagEvent.Visibility.INTERNAL:
            return role in {access.REVIEWER, access.LAW_CENTER, access.ADMIN}
        if role == access.CONTRACTOR:
            return is_at_or_above(user, event.flag.assignment)
        return True

    return may_read


def is_at_or_above(user, assignment: Assignment | None) -> bool:
    """The user's company holds this assignment or one above it (walking `parent` up): the
    SPEC's cap on what a contractor reads, written apart from access.py's query."""
    organization = access.organization_id_of(user)
    seen = set()
    while assignment is not None and assignment.pk not in seen:
        if assignment.contractor_id == organization:
            return True
        seen.add(assignment.pk)
        assignment = assignment.parent
    return False


def reads_ledger_entry(entry) -> Callable:
    def may_read(user) -> bool:
        if user is None or not access.ledger_entries_for(user).filter(pk=entry.pk).exists():
            return False
        if _role(user) == access.CONTRACTOR:
            return access.organization_id_of(user) == entry.assignment.contractor_id
        return True

    return may_read


def _ledger(project, assignment, user, word: str, markers: list) -> None:
    """Damages assessed against the contractor and a partial payment, notes marked."""
    for kind, fields in [
        ("assessed", {"figure": "16", "unit": "hours", "rate": "25.00"}),
        ("payment", {"amount": "100.00", "reference": f"Check {word}"}),
    ]:
        note = f"Ledger note ({word} {kind}): terms discussed with counsel"
        entry = ledger_entry_record(
            project=project,
            user=user,
            kind=kind,
            assignment=assignment,
            date=datetime.date(2024, 5, 1),
            note=note,
            **fields,
        )
        markers.append(Marker(note, "ledger note", reads_ledger_entry(entry)))


def nobody(user) -> bool:
    return False


def downloads_original(report: Report) -> Callable:
    """Original uploads: the contractor that filed them, the monitoring law center, admins."""

    def may_download(user) -> bool:
        if user is None or not access.reports_for(user).filter(pk=report.pk).exists():
            return False
        role = _role(user)
        if role == access.CONTRACTOR:
            return access.organization_id_of(user) == report.assignment.contractor_id
        return role in {access.LAW_CENTER, access.ADMIN}

    return may_download


# Builders.


def _ecpr(contractor: str, project: str) -> bytes:
    """B's eCPR week: SSNs in <ssn> (one split in two CDATA sections), in a name id, and a
    street address, all of which the kept copy must leave out."""

    def employee(name_id: str, ssn_xml: str, name: str, zip_code: str) -> str:
        return f"""
    <CPR:employee>
      <CPR:name id="{name_id}">{name}</CPR:name>
      <CPR:address><CPR:street>{STREET}</CPR:street><CPR:city>Los Angeles</CPR:city>
        <CPR:state>CA</CPR:state><CPR:zip>{zip_code}</CPR:zip></CPR:address>
      <CPR:ssn>{ssn_xml}</CPR:ssn>
      <CPR:numWithholdingExemp>1</CPR:numWithholdingExemp>
      <CPR:workClass>Laborer</CPR:workClass>
      <CPR:payroll>
        <CPR:totHrs><CPR:totHrsStraightTime>40</CPR:totHrsStraightTime>
          <CPR:totHrsOvertime>0</CPR:totHrsOvertime>
          <CPR:totHrsDoubletime>0</CPR:totHrsDoubletime></CPR:totHrs>
        <CPR:hrlyPayRate><CPR:hrlyPayRateStraightTime>30.00</CPR:hrlyPayRateStraightTime>
          <CPR:hrlyPayRateOvertime>45.00</CPR:hrlyPayRateOvertime>
          <CPR:hrlyPayRateDoubletime>60.00</CPR:hrlyPayRateDoubletime></CPR:hrlyPayRate>
        <CPR:grossAmountEarned><CPR:thisProject>1200.00</CPR:thisProject>
          <CPR:allWork>1200.00</CPR:allWork></CPR:grossAmountEarned>
      </CPR:payroll>
    </CPR:employee>"""

    split = f"<![CDATA[{SSN_SPLIT[0]}]]><![CDATA[{SSN_SPLIT[1]}]]>"
    employees = employee(
        f"{SSN_PLAIN}::{WORKER_B.upper()}", SSN_PLAIN, WORKER_B, "90001"
    ) + employee(f"{SSN_IN_NAME_ID}::{WORKER_B2.upper()}", split, WORKER_B2, "90002")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<CPR:eCPR xmlns:CPR="{ECPR_NS}">
  <CPR:contractorInfo><CPR:contractorName>{contractor}</CPR:contractorName></CPR:contractorInfo>
  <CPR:projectInfo><CPR:projectName>{project}</CPR:projectName></CPR:projectInfo>
  <CPR:payrollInfo>
    <CPR:statementOfNP>false</CPR:statementOfNP>
    <CPR:forWeekEnding>{WEEK.isoformat()}</CPR:forWeekEnding>
    <CPR:employees>{employees}
    </CPR:employees>
  </CPR:payrollInfo>
</CPR:eCPR>
""".encode()


def _xlsx(worker_id: str, name: str, craft: str) -> bytes:
    return workbook(
        [
            line(
                worker_id=worker_id,
                worker_name=name,
                craft=craft,
                week_ending=WEEK.isoformat(),
                home_zip="90001",
                gross_pay="1911.00",
                overtime_hours="0",
            )
        ]
    )


def _project(slug, name, owner, crafts, monitors) -> Project:
    project = Project.objects.create(
        slug=slug,
        name=name,
        location="Los Angeles, CA",
        owner=owner,
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2026, 12, 31),
    )
    project.crafts.set(crafts)
    Agreement.objects.create(
        project=project,
        title="Construction Careers Policy",
        effective_date=datetime.date(2024, 1, 1),
    )
    for organization in monitors:
        Monitoring.objects.create(project=project, organization=organization)
    return project


def _commitments(project: Project, area: Area) -> dict:
    return {
        "targeted": make_commitment(
            project,
            "targeted",
            "workforce_share",
            qualifier="area_resident",
            area=area,
            scope="contractor",
            target_percent="40",
        ),
        "wage": make_commitment(
            project,
            "wage",
            "wage_floor",
            rates=[{"craft": "any", "effective_from": "2024-01-01", "base": "38.00"}],
        ),
        "units": make_commitment(
            project,
            "units",
            "count_target",
            unit="units",
            target_quantity="100",
            start_date="2024-01-01",
            due_date="2026-12-31",
        ),
    }


def _evaluations(project: Project, commitments: dict, assignments: list[Assignment]) -> None:
    series = [
        {
            "month": "2024-03",
            "numerator": "0.00",
            "denominator": "40.00",
            "percent": "0.00",
            "cumulative_percent": "0.00",
        }
    ]
    common = {
        "project": project,
        "as_of": datetime.date(2024, 3, 31),
        "series": series,
        "numerator": 0,
        "denominator": 40,
        "actual_percent": 0,
        "target_percent": 40,
        "shortfall": 16,
        "projected_percent": 0,
        "status": "shortfall",
    }
    for assignment in assignments:
        Evaluation.objects.create(
            commitment=commitments["targeted"],
            commitment_key="targeted",
            kind="workforce_share",
            group_key=f"a{assignment.pk}",
            assignment=assignment,
            details={"measure": "hours", "qualifier": "area_resident", "population": "all"},
            **common,
        )
    Evaluation.objects.create(
        commitment=commitments["targeted"],
        commitment_key="targeted",
        kind="workforce_share",
        group_key="project",
        details={"measure": "hours", "qualifier": "area_resident", "population": "all"},
        **common,
    )


def _flag(project, commitment, assignment, kind, title, word, actors, markers) -> Flag:
    """A flag with a shared and an internal note on a comment and on a transition."""
    group = f"a{assignment.pk}" if assignment else "project"
    flag = Flag.objects.create(
        project=project,
        commitment=commitment,
        commitment_key=commitment.key,
        kind=kind,
        severity="critical",
        status="acknowledged",
        group_key=group,
        assignment=assignment,
        dedupe_key=f"{kind}:{commitment.key}:{group}",
        title=title,
        figures={"actual_percent": "0.00", "target_percent": "40.00"},
    )
    monitor, contractor = actors
    FlagEvent.objects.create(flag=flag, kind="raised", to_status="open")
    notes = [
        ("transition", monitor, "internal", f"Internal transition note ({word}): dispatch slips"),
        ("comment", monitor, "internal", f"Internal comment ({word}): recommend escalating"),
        ("comment", monitor, "shared", f"Shared comment ({word}): please send the JATC list"),
    ]
    if contractor is not None:
        notes.append(("comment", contractor, "shared", f"Contractor reply ({word}): list sent"))
    flag.walk_attachments = {}
    for kind_, actor, visibility, note in notes:
        event = FlagEvent(
            flag=flag,
            actor=actor,
            kind=kind_,
            from_status="open" if kind_ == "transition" else "",
            to_status="acknowledged" if kind_ == "transition" else "",
            note=note,
            visibility=visibility,
        )
        if actor is monitor and visibility not in flag.walk_attachments:
            # The file carries its note's words: whoever may not read the note trips on them.
            content = PNG_SIGNATURE + f" scan of the slips. {note}".encode()
            event.attachment = ContentFile(content, name=f"{word}-{visibility}.png")
            event.attachment_name = f"{word}-{visibility}.png"
            event.attachment_size = len(content)
            event.attachment_sha256 = hashlib.sha256(content).hexdigest()
            flag.walk_attachments[visibility] = event
        event.save()
        what = "internal note" if visibility == "internal" else "shared note"
        markers.append(Marker(note, what, reads_note(event)))
    return flag


def _memo(project, user, assignment, flags, audience: str | None) -> Memo:
    kwargs = {
        "project": project,
        "user": user,
        "assignment": assignment,
        "commitment_keys": ["targeted", "wage"],
        "flag_ids": [f.pk for f in flags],
    }
    if audience is not None and "audience" in inspect.signature(memo_generate).parameters:
        kwargs["audience"] = audience
    memo = memo_generate(**kwargs)
    if audience is not None and getattr(memo, "audience", audience) != audience:
        memo.audience = audience
        memo.save(update_fields=["audience"])
    assert memo.status == Memo.Status.READY, memo.failure_reason
    return memo


def build_world(settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    markers: list[Marker] = []
    org = {
        slug.split("-")[0]: Organization.objects.create(slug=slug, name=name, kind=kind)
        for slug, name, kind in [
            ("eastside-electric", EASTSIDE, "contractor"),
            ("pulice-tunnel", PULICE, "contractor"),
            ("walsh-shea", WALSH, "contractor"),
            ("sibling-drywall", SIBLING, "contractor"),
            ("harbor-ironworks", IRONWORKS, "contractor"),
            ("coalition", "Crenshaw Coalition", "coalition"),
            ("lawcenter", "Community Benefits Law Center", "law_center"),
            ("harborlaw", "Harbor Legal Aid", "law_center"),
            ("metro", "Metro", "owner"),
            ("port", "Port Authority", "owner"),
        ]
    }
    crafts = [
        Craft.objects.create(name="Carpenter", aliases=["Carp"]),
        Craft.objects.create(name="Laborer"),
        Craft.objects.create(name="Electrician"),
    ]
    by_name = {c.name: c for c in crafts}
    area = Area.objects.create(slug="la-eda", name="Disadvantaged ZIPs", zips=["90001", "90002"])
    crenshaw = _project(
        "crenshaw-north", CRENSHAW, org["metro"], crafts, [org["coalition"], org["lawcenter"]]
    )
    harbor = _project("harbor-gateway", HARBOR, org["port"], crafts, [org["harborlaw"]])
    markers += [
        Marker(CRENSHAW, "project name", sees_project(crenshaw)),
        Marker(HARBOR, "project name", sees_project(harbor)),
        Marker(crenshaw.slug, "project slug", sees_project(crenshaw)),
        Marker(harbor.slug, "project slug", sees_project(harbor)),
    ]

    def assign(project, contractor, tier, parent=None) -> Assignment:
        return Assignment.objects.create(
            project=project,
            contractor=org[contractor],
            tier=tier,
            parent=parent,
            start_date=project.start_date,
        )

    a = assign(crenshaw, "eastside", "prime")
    prime = assign(crenshaw, "walsh", "prime")
    b = assign(crenshaw, "pulice", "sub", parent=prime)
    sibling = assign(crenshaw, "sibling", "sub", parent=prime)  # B's sibling under the prime
    h = assign(harbor, "harbor", "prime")
    for slug in ("eastside", "pulice", "walsh", "sibling", "harbor"):
        for text, what in [
            (org[slug].name, "contractor name"),
            (org[slug].slug, "contractor slug"),
        ]:
            markers.append(Marker(text, what, sees_contractor_name(org[slug])))

    users = {
        "anonymous": None,
        "contractor_a": make_user("clerk_a", org["eastside"]),
        "contractor_b": make_user("clerk_b", org["pulice"]),
        "prime_of_b": make_user("clerk_prime", org["walsh"]),
        "reviewer": make_user("reviewer", org["coalition"]),
        "other_law_center": make_user("attorney_elsewhere", org["harborlaw"]),
        "law_center": make_user("lawyer", org["lawcenter"]),
        "owner": make_user("owner_staff", org["metro"]),
        "admin": make_user("admin", None, is_staff=True, is_superuser=True),
    }
    harbor_clerk = make_user("clerk_harbor", org["harbor"])
    a.contacts.add(users["contractor_a"])
    b.contacts.add(users["contractor_b"])
    prime.contacts.add(users["prime_of_b"])
    h.contacts.add(harbor_clerk)

    # Reports: an Excel upload (A), an eCPR upload (B), a JSON report (the prime), and an
    # Excel upload on the other project.
    report_a = report_upload(
        assignment=a,
        period=PERIOD,
        content=_xlsx("EA-1", WORKER_A, "Electrician"),
        filename="eastside-march.xlsx",
        user=users["contractor_a"],
    ).report
    report_b = report_upload(
        assignment=b,
        period=PERIOD,
        content=_ecpr(PULICE, CRENSHAW),
        filename="pulice-week.xml",
        user=users["contractor_b"],
    ).report
    Worker.objects.create(contractor=org["walsh"], worker_key="WS-1", name=WORKER_PRIME)
    report_prime = make_report(
        prime,
        PERIOD,
        [{"worker": "WS-1", "week_ending": WEEK, "craft": by_name["Carpenter"], "hours": 40}],
        submitted_by=users["prime_of_b"],
    )
    report_h = report_upload(
        assignment=h,
        period=PERIOD,
        content=_xlsx("HI-1", WORKER_HARBOR, "Carpenter"),
        filename="ironworks-march.xlsx",
        user=harbor_clerk,
    ).report
    markers += [
        Marker(WORKER_A, "worker name", reads_worker_name(a)),
        Marker(WORKER_B, "worker name", reads_worker_name(b)),
        Marker(WORKER_B2, "worker name", reads_worker_name(b)),
        Marker(WORKER_PRIME, "worker name", reads_worker_name(prime)),
        Marker(WORKER_HARBOR, "worker name", reads_worker_name(h)),
        Marker(SSN_PLAIN, "SSN", nobody),
        Marker("".join(SSN_SPLIT), "SSN", nobody),
        Marker(SSN_IN_NAME_ID, "SSN", nobody),
        Marker(STREET, "street address", nobody),
    ]

    commitments = _commitments(crenshaw, area)
    harbor_commitments = _commitments(harbor, area)
    _evaluations(crenshaw, commitments, [a, b, prime])
    _evaluations(harbor, harbor_commitments, [h])

    monitor, lawyer = users["reviewer"], users["law_center"]
    flag_a = _flag(
        crenshaw,
        commitments["targeted"],
        a,
        "shortfall",
        "Short of targeted hours",
        "pelican",
        (monitor, users["contractor_a"]),
        markers,
    )
    flag_b = _flag(
        crenshaw,
        commitments["wage"],
        b,
        "wage_violation",
        "Paid below the wage floor",
        "heron",
        (lawyer, users["contractor_b"]),
        markers,
    )
    flag_project = _flag(
        crenshaw,
        commitments["units"],
        None,
        "at_risk",
        "Affordable units at risk",
        "osprey",
        (monitor, None),
        markers,
    )
    flag_h = _flag(
        harbor,
        harbor_commitments["targeted"],
        h,
        "shortfall",
        "Short of targeted hours",
        "cormorant",
        (users["other_law_center"], harbor_clerk),
        markers,
    )
    alert_flags_opened(flags=[flag_a, flag_b, flag_project, flag_h])
    Notification.objects.create(
        user=users["other_law_center"],
        flag=flag_h,
        event_key="walk:harbor",
        message="A flag on the harbor project",
    )

    audiences = ["recipient", "counsel"] if memos_have_audience() else [None]
    memos = [_memo(crenshaw, lawyer, b, [flag_b], audience) for audience in audiences]
    memo_h = _memo(harbor, users["other_law_center"], h, [flag_h], audiences[0])
    memo_audience = {m.pk: getattr(m, "audience", "recipient") for m in [*memos, memo_h]}

    action = EnforcementAction.objects.create(
        project=crenshaw,
        assignment=b,
        kind="notice",
        date=datetime.date(2024, 4, 20),
        cure_deadline=datetime.date(2024, 5, 20),
        memo=memos[0],
        created_by=lawyer,
    )
    action.flags.add(flag_b)
    action_h = EnforcementAction.objects.create(
        project=harbor,
        assignment=h,
        kind="notice",
        date=datetime.date(2024, 4, 20),
        cure_deadline=datetime.date(2024, 5, 20),
        memo=memo_h,
        created_by=users["other_law_center"],
    )
    _ledger(crenshaw, b, lawyer, "grebe", markers)
    _ledger(harbor, h, users["other_law_center"], "shearwater", markers)
    entry = ProgressEntry.objects.create(
        commitment=commitments["units"],
        date=datetime.date(2024, 3, 15),
        quantity=Decimal(12),
        note="Twelve units leased",
        evidence=ContentFile(b"Lease-up report: 12 units", name="lease-up.txt"),
        entered_by=lawyer,
    )
    entry_h = ProgressEntry.objects.create(
        commitment=harbor_commitments["units"],
        date=datetime.date(2024, 3, 15),
        quantity=Decimal(8),
        evidence=ContentFile(f"{HARBOR}: 8 units leased".encode(), name="harbor.txt"),
        entered_by=users["other_law_center"],
    )
    token_b, _ = api_token_create(user=users["contractor_b"], name="payroll script")
    token_h, _ = api_token_create(user=users["other_law_center"], name="case script")

    files = {}

    def keep(kind, file, may_download, audience=""):
        file.open("rb")
        content = file.read()
        file.close()
        files[hashlib.sha256(content).hexdigest()] = StoredFile(
            kind, file.name, content, may_download, audience
        )

    for report in (report_a, report_b, report_h):
        report.refresh_from_db()
        keep("original report file", report.source_file, downloads_original(report))
    for memo in [*memos, memo_h]:
        keep(
            "memo PDF",
            memo.pdf,
            lambda user, m=memo: access.memos_for(user).filter(pk=m.pk).exists(),
            memo_audience[memo.pk],
        )
    for e in (entry, entry_h):
        keep(
            "progress evidence",
            e.evidence,
            lambda user, e=e: access.commitments_for(user).filter(pk=e.commitment_id).exists(),
        )

    for flag in (flag_a, flag_b, flag_project, flag_h):
        for event in flag.walk_attachments.values():
            keep("flag note attachment", event.attachment, reads_note(event))

    # Each contractor's export mapping (SPEC §5.4): its own users and admins only.
    mappings = {
        assignment.contractor_id: ExportMapping.objects.create(
            contractor=assignment.contractor,
            name=f"{assignment.contractor.name} export",
            columns={"worker_id": "Emp #", "craft": "Class"},
            codes={"craft": {"CARP": "Carpenter"}},
        )
        for assignment in (a, b, prime, h)
    }

    def notification_of(user, flag) -> Notification:
        return Notification.objects.filter(user=user, flag=flag).first()

    def scenario(name, project, assignment, key, report, flag, memo, act, token, notif, ent, event):
        mapping = mappings[assignment.contractor_id]
        return Scenario(
            name,
            values={
                "slug": project.slug,
                "contractor": assignment.contractor.slug,
                "key": key,
                "period": f"{PERIOD:%Y-%m}",
                "report_id": report.pk,
                "flag_id": flag.pk,
                "memo_id": memo.pk,
                "action_id": act.pk,
                "token_id": token.pk,
                "notification_id": notif.pk,
                "entry_id": ent.pk,
                # An internal note's file on some scenarios' flags, a shared one's on others.
                "event_id": flag.walk_attachments[event].pk,
                "mapping_id": mapping.pk,
            },
            objects={
                "project": project,
                "assignment": assignment,
                "commitment": (commitments if project == crenshaw else harbor_commitments)[key],
                "report": report,
                "flag": flag,
                "memo": memo,
                "action": act,
                "token": token,
                "notification": notif,
                "entry": ent,
                "mapping": mapping,
            },
        )

    scenarios = [
        scenario(
            "contractor A on Crenshaw",
            crenshaw,
            a,
            "targeted",
            report_a,
            flag_a,
            memos[0],
            action,
            token_b,
            notification_of(users["contractor_a"], flag_a),
            entry,
            "internal",
        ),
        scenario(
            "contractor B on Crenshaw",
            crenshaw,
            b,
            "units",
            report_b,
            flag_b,
            memos[-1],
            action,
            token_b,
            notification_of(users["contractor_b"], flag_b),
            entry,
            "shared",
        ),
        scenario(
            "the prime above B on Crenshaw",
            crenshaw,
            prime,
            "wage",
            report_prime,
            flag_project,
            memos[0],
            action,
            token_h,
            notification_of(monitor, flag_project),
            entry,
            "internal",
        ),
        scenario(
            "Harbor",
            harbor,
            h,
            "targeted",
            report_h,
            flag_h,
            memo_h,
            action_h,
            token_h,
            notification_of(users["other_law_center"], flag_h),
            entry_h,
            "shared",
        ),
    ]
    return World(
        users=users,
        scenarios=scenarios,
        markers=markers,
        files=files,
        flags={"a": flag_a, "b": flag_b, "project": flag_project, "harbor": flag_h},
        memo_audience=memo_audience,
        assignments={"a": a, "b": b, "prime": prime, "sibling": sibling, "harbor": h},
    )
