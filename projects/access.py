"""Who sees what (SPEC §8). Every view and API operation asks here, nowhere else.

Roles follow the user's organization: contractor, reviewer (a coalition), law_center,
owner; staff users are program admins and see everything. A reviewer or law center user
sees only the projects their organization monitors; a contractor only the projects it is
assigned to, and within them only its own assignments' reports, lines and flags and those
of the lower tiers under them (`overseen_assignments`: a prime over its subs), and only the
shared notes on those flags; the owner reads shared notes only, too. A lower tier's
original files, worker names and ledger stay its own. A memo's audience
decides what it carries the same way. Worker names: the worker's contractor, the law center
and admins only.
"""

import functools

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from projects.models import Assignment, Commitment, Membership, Organization, Project

ADMIN = "admin"
CONTRACTOR = "contractor"
REVIEWER = "reviewer"
LAW_CENTER = "law_center"
OWNER = "owner"

ROLE_BY_KIND = {
    Organization.Kind.CONTRACTOR: CONTRACTOR,
    Organization.Kind.COALITION: REVIEWER,
    Organization.Kind.LAW_CENTER: LAW_CENTER,
    Organization.Kind.OWNER: OWNER,
}
ROLE_LABELS = {
    ADMIN: _("Program admin"),
    CONTRACTOR: _("Contractor"),
    REVIEWER: _("Coalition reviewer"),
    LAW_CENTER: _("Law center"),
    OWNER: _("Owner"),
}


def role_of(user) -> str | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_staff or user.is_superuser:
        return ADMIN
    cached = getattr(user, "_cba_role", False)
    if cached is not False:
        return cached
    membership = Membership.objects.select_related("organization").filter(user=user).first()
    role = ROLE_BY_KIND.get(membership.organization.kind) if membership else None
    user._cba_role = role
    user._cba_org_id = membership.organization_id if membership else None
    user._cba_org_name = membership.organization.name if membership else ""
    user._cba_language = membership.language if membership else ""
    return role


def organization_id_of(user) -> int | None:
    role_of(user)
    return getattr(user, "_cba_org_id", None)


def language_of(user) -> str:
    """The language the person chose for pages and e-mails ("" when they chose none)."""
    if user is None or not user.is_authenticated:
        return ""
    role_of(user)
    return getattr(user, "_cba_language", "")


def organization_name_of(user) -> str:
    """The name of the organization the person works for ("" for a program admin)."""
    role_of(user)
    return getattr(user, "_cba_org_name", "")


def is_monitor(user) -> bool:
    return role_of(user) in {REVIEWER, LAW_CENTER}


def projects_for(user) -> QuerySet[Project]:
    role = role_of(user)
    if role == ADMIN:
        return Project.objects.all()
    org = organization_id_of(user)
    if role in {REVIEWER, LAW_CENTER}:
        return Project.objects.filter(monitoring__organization_id=org)
    if role == CONTRACTOR:
        return Project.objects.filter(assignments__contractor_id=org).distinct()
    if role == OWNER:
        return Project.objects.filter(owner_id=org)
    return Project.objects.none()


def public_projects() -> QuerySet[Project]:
    """Projects anyone may read without signing in (SPEC §7.4): those with an agreement
    marked public, or bound by an agreement that adopts a public policy. A project still
    being set up (planned) is never public."""
    return (
        Project.objects.exclude(status=Project.Status.PLANNED)
        .filter(Q(agreements__public=True) | Q(agreements__adoptions__policy__public=True))
        .distinct()
    )


def public_project(slug: str) -> Project:
    """A public project by slug; 404 for any other (a private project's existence is not
    leaked to the public pages)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(public_projects(), slug=slug)


def public_policies():
    """The policies whose terms and outcomes are shown on the public pages."""
    from projects.models_policies import Policy

    return Policy.objects.filter(public=True)


def compared_projects_for(user) -> QuerySet[Project]:
    """The projects the comparison across projects takes in: the public ones for everyone,
    and for a signed-in monitor (reviewer, law center) or admin also the projects they may
    see. Contractors and owners compare over the public ones only."""
    public = public_projects()
    if getattr(user, "is_authenticated", False) and (is_monitor(user) or role_of(user) == ADMIN):
        return (Project.objects.filter(pk__in=public.values("pk")) | projects_for(user)).distinct()
    return public


def project_for(user, slug: str) -> Project:
    """The project by slug if the user may see it; 404 otherwise (existence is not leaked)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(projects_for(user), slug=slug)


def overseen_assignments(organization_id: int | None) -> QuerySet[Assignment]:
    """A contractor's assignments and every lower tier under them, however deep (a prime
    answers for its subs, and a sub for its own subs, through `Assignment.parent`): whose
    months, standing and flags its people read. Never a parent's or a sibling's.

    One recursive query, kept as a subquery so every queryset built on it stays one query."""
    table = Assignment._meta.db_table  # the model's own name, never input
    tree = RawSQL(
        f"WITH RECURSIVE tree(id) AS (SELECT id FROM {table} WHERE contractor_id = %s "  # noqa: S608
        f"UNION SELECT child.id FROM {table} child JOIN tree ON child.parent_id = tree.id) "
        "SELECT id FROM tree",
        (organization_id,),
    )
    return Assignment.objects.filter(pk__in=tree)


def assignments_for(user) -> QuerySet[Assignment]:
    """The assignments whose reporting, standing and flags this person may read: a
    contractor its own and its lower tiers' (`overseen_assignments`), every other role those
    of the projects it sees."""
    role = role_of(user)
    if role == CONTRACTOR:
        return overseen_assignments(organization_id_of(user))
    return Assignment.objects.filter(project__in=projects_for(user))


def own_assignments_for(user) -> QuerySet[Assignment]:
    """What a contractor files, disputes and keeps to itself: its own company's assignments
    only, never a lower tier's. Other roles: as `assignments_for`."""
    if role_of(user) == CONTRACTOR:
        return Assignment.objects.filter(contractor_id=organization_id_of(user))
    return assignments_for(user)


def can_add_subcontractor(user, assignment: Assignment) -> bool:
    """Adding a lower-tier subcontractor under an assignment: its own company's people (a
    prime under itself, a sub under itself), and program admins."""
    role = role_of(user)
    if role == ADMIN:
        return True
    return role == CONTRACTOR and assignment.contractor_id == organization_id_of(user)


def commitments_for(user) -> QuerySet[Commitment]:
    return Commitment.objects.filter(project__in=projects_for(user))


def reports_for(user):
    from compliance.models import Report

    return Report.objects.filter(assignment__in=assignments_for(user))


def lines_for(user):
    from compliance.models import PayrollLine

    return PayrollLine.objects.filter(assignment__in=assignments_for(user))


def named_lines_for(user):
    """Lines whose worker's name this person reads: its own company's lines for a contractor
    (never a lower tier's), every line it sees for the law center and admins, none for
    anyone else. The line-by-line form of `can_see_worker_names`."""
    from compliance.models import PayrollLine

    role = role_of(user)
    if role == CONTRACTOR:
        return PayrollLine.objects.filter(assignment__in=own_assignments_for(user))
    if role in WORKER_NAME_READERS:
        return lines_for(user)
    return PayrollLine.objects.none()


def evaluations_for(user):
    """Contractors see their own groups' results and their lower tiers' only; monitors see
    the whole project."""
    from compliance.models import Evaluation

    if role_of(user) == CONTRACTOR:
        return Evaluation.objects.filter(assignment__in=assignments_for(user))
    return Evaluation.objects.filter(project__in=projects_for(user))


def flags_for(user):
    from compliance.models import Flag

    if role_of(user) == CONTRACTOR:
        return Flag.objects.filter(assignment__in=assignments_for(user))
    return Flag.objects.filter(project__in=projects_for(user))


# Notes on flags (SPEC §4). Every note has a visibility; these are the roles that read
# each. `shared`: the contractor concerned and the owner as well as the monitors;
# `internal`: the monitoring coalition and the law center only, never the owner, never a
# contractor. Which flags a person sees at all is `flags_for`.
SHARED = "shared"
INTERNAL = "internal"
NOTE_READERS = {
    SHARED: frozenset({ADMIN, REVIEWER, LAW_CENTER, CONTRACTOR, OWNER}),
    INTERNAL: frozenset({ADMIN, REVIEWER, LAW_CENTER}),
}

# Documents (SPEC §6): who reads each audience's memo. A `recipient` memo goes to a
# contractor and/or the owner; a `counsel` memo is the law center's own case memo.
RECIPIENT = "recipient"
COUNSEL = "counsel"
AUDIENCE_READERS = {
    RECIPIENT: frozenset({CONTRACTOR, OWNER}),
    COUNSEL: frozenset({LAW_CENTER}),
}
# Roles that read worker names on every project they see (a contractor reads its own).
WORKER_NAME_READERS = frozenset({ADMIN, LAW_CENTER})


def note_visibilities_for(user) -> frozenset[str]:
    """The note visibilities this person reads: a contractor and the owner read `shared`
    notes only; the coalition, the law center and admins read `internal` ones too; anyone
    without a role reads none. The one rule the flag page, the API, alerts and memos use."""
    role = role_of(user)
    return frozenset(v for v, roles in NOTE_READERS.items() if role in roles)


def note_visibilities_for_audience(audience: str) -> frozenset[str]:
    """The note visibilities a document of this audience may carry: only those every one of
    its readers may read (a recipient memo: `shared`; a counsel memo: both)."""
    readers = AUDIENCE_READERS[audience]
    return frozenset(v for v, roles in NOTE_READERS.items() if readers <= roles)


def audience_reads_worker_names(audience: str) -> bool:
    """Worker names go only into a document all of whose readers may read them (counsel)."""
    return AUDIENCE_READERS[audience] <= WORKER_NAME_READERS


def note_readable(event, visibilities: frozenset[str]) -> bool:
    return event.visibility in visibilities


def visible_events(events, visibilities: frozenset[str]) -> list:
    """Flag events as a reader with these visibilities may see them.

    A comment they may not read is left out. A transition or any other event stays (the
    flag's status is no secret to someone who sees the flag) but its note and its attached
    file are blanked, so nothing downstream can print them by mistake. The events are not
    saved afterwards.
    """
    shown = []
    for event in events:
        if note_readable(event, visibilities):
            shown.append(event)
        elif event.kind != "comment":
            event.note = ""
            # The note's evidence goes with it (`flag_attachments_for`).
            event.attachment = ""
            event.attachment_name = ""
            event.attachment_size = None
            event.attachment_sha256 = ""
            event.note_withheld = True
            shown.append(event)
    return shown


def flag_events_for(user, flag) -> list:
    """The flag's timeline as this person may read it (see `visible_events`)."""
    events = flag.events.select_related("actor__membership__organization")
    return visible_events(events, note_visibilities_for(user))


def can_post_internal(user) -> bool:
    """Who may write an internal note: those who read them."""
    return INTERNAL in note_visibilities_for(user)


def can_see_worker_names(user, project: Project, assignment: Assignment | None = None) -> bool:
    role = role_of(user)
    if role in {ADMIN, LAW_CENTER}:
        return projects_for(user).filter(pk=project.pk).exists()
    if role == CONTRACTOR and assignment is not None:
        return assignment.contractor_id == organization_id_of(user)
    return False


def can_submit_report(user, assignment: Assignment) -> bool:
    role = role_of(user)
    if role == ADMIN:
        return True
    return role == CONTRACTOR and assignment.contractor_id == organization_id_of(user)


def export_mappings_for(user):
    """Mappings of contractors' own payroll exports (SPEC §5.4): a contractor's users see
    and use their company's own; program admins every contractor's; nobody else any."""
    from compliance.models import ExportMapping

    role = role_of(user)
    if role == ADMIN:
        return ExportMapping.objects.all()
    if role == CONTRACTOR:
        return ExportMapping.objects.filter(contractor_id=organization_id_of(user))
    return ExportMapping.objects.none()


def payees_of(assignment: Assignment) -> QuerySet[Assignment]:
    """The firms a contractor's report may name as paid (SPEC §3.7), and so the names its
    template and its errors show those who file it: the subcontractors under its assignment,
    whom it hired. Other contractors of the project stay unnamed to it."""
    return Assignment.objects.filter(parent=assignment)


def can_view_standing(user, assignment: Assignment) -> bool:
    """A contractor's standing page: its own company's assignment and its lower tiers'
    (`overseen_assignments`); the law center (on the projects it monitors) and program
    admins may open any contractor's; nobody else."""
    role = role_of(user)
    if role == ADMIN:
        return True
    if role == CONTRACTOR:
        return assignments_for(user).filter(pk=assignment.pk).exists()
    if role == LAW_CENTER:
        return projects_for(user).filter(pk=assignment.project_id).exists()
    return False


def can_record_progress(user, project: Project) -> bool:
    role = role_of(user)
    if role == ADMIN:
        return True
    return role == LAW_CENTER and projects_for(user).filter(pk=project.pk).exists()


def can_use_memos(user, project: Project | None = None) -> bool:
    """Memos and enforcement actions: law center staff on monitored projects, and admins."""
    role = role_of(user)
    if role == ADMIN:
        return True
    if role != LAW_CENTER:
        return False
    return project is None or projects_for(user).filter(pk=project.pk).exists()


def memos_for(user):
    from compliance.models import Memo

    if not can_use_memos(user):
        return Memo.objects.none()
    return Memo.objects.filter(project__in=projects_for(user))


# Stored files (SPEC §8): no URL maps to the storage; each download view asks one of these.


def report_files_for(user):
    """Reports whose original file this user may download: the contractor that filed them,
    law center staff on the projects their organization monitors, and program admins.
    Reviewers, owners and a prime over a lower tier read a report's lines (without names) but
    never the file, which carries worker names and, in eCPR, street addresses."""
    from compliance.models import Report

    if role_of(user) not in {ADMIN, LAW_CENTER, CONTRACTOR}:
        return Report.objects.none()
    return Report.objects.filter(assignment__in=own_assignments_for(user))


def can_download_report_file(user, report) -> bool:
    """`report_files_for` for one report already visible to the user (the API's file_url)."""
    role = role_of(user)
    if role == ADMIN:
        return True
    if role == CONTRACTOR:
        return report.assignment.contractor_id == organization_id_of(user)
    if role == LAW_CENTER:
        if not hasattr(user, "_cba_monitored_ids"):
            user._cba_monitored_ids = set(projects_for(user).values_list("pk", flat=True))
        return report.assignment.project_id in user._cba_monitored_ids
    return False


def evidence_files_for(user):
    """Progress evidence: whoever may see the commitment's project."""
    from compliance.models import ProgressEntry

    return ProgressEntry.objects.filter(commitment__in=commitments_for(user))


def flag_attachments_for(user):
    """Flag notes whose attached file this user may download: a note they may read
    (`note_visibilities_for`) on a flag they see. An internal note's file never reaches the
    owner or a contractor; a withheld note's file is withheld with it."""
    from compliance.models import FlagEvent

    return FlagEvent.objects.filter(
        flag__in=flags_for(user), visibility__in=note_visibilities_for(user)
    ).exclude(attachment="")


def agreement_documents_for(user):
    """The signed agreement: whoever may see its project."""
    from projects.models import Agreement

    return Agreement.objects.filter(project__in=projects_for(user))


def enforcement_actions_for(user):
    from compliance.models import EnforcementAction

    if role_of(user) not in {ADMIN, LAW_CENTER, REVIEWER}:
        return EnforcementAction.objects.none()
    return EnforcementAction.objects.filter(project__in=projects_for(user))


# The enforcement ledger (SPEC §6): money assessed against a contractor, paid, withheld and
# settled. The law center records it (and admins); the monitoring coalition reads it; the
# owner reads its projects' ledgers (it withholds the contractors' pay); a contractor reads
# the entries and the balance of its own assignments, never another company's (not even a
# lower tier's).
LEDGER_WRITERS = frozenset({ADMIN, LAW_CENTER})
LEDGER_READERS = frozenset({ADMIN, LAW_CENTER, REVIEWER, OWNER, CONTRACTOR})


def ledger_entries_for(user):
    """The ledger entries this person reads: a contractor its own assignments' entries,
    every other reader the entries of the projects it sees."""
    from compliance.models import LedgerEntry

    role = role_of(user)
    if role not in LEDGER_READERS:
        return LedgerEntry.objects.none()
    if role == CONTRACTOR:
        return LedgerEntry.objects.filter(assignment__in=own_assignments_for(user))
    return LedgerEntry.objects.filter(project__in=projects_for(user))


def can_read_ledger(user, project: Project) -> bool:
    """Whether the project's ledger (all of it, or a contractor's own part) is for this
    person at all; `ledger_entries_for` says which entries."""
    return role_of(user) in LEDGER_READERS and projects_for(user).filter(pk=project.pk).exists()


def can_record_ledger(user, project: Project) -> bool:
    """Recording assessments, payments, withholdings and settlements: law center staff on
    the projects their organization monitors, and admins."""
    role = role_of(user)
    if role == ADMIN:
        return True
    return role == LAW_CENTER and projects_for(user).filter(pk=project.pk).exists()


def can_export(user, project: Project) -> bool:
    return role_of(user) in {ADMIN, REVIEWER, LAW_CENTER}


# Who imports a city's open data into a project they see (SPEC §5.4): monitors and admins.
OPEN_DATA_IMPORTERS = (ADMIN, REVIEWER, LAW_CENTER)


def can_import_open_data(user) -> bool:
    return role_of(user) in OPEN_DATA_IMPORTERS


# Lifecycle actions by role (SPEC §4). Reviewers triage; law center may also resolve;
# contractors may only dispute their own flags (a prime reads and comments on its lower
# tiers' flags; disputing one is the lower tier's own call).
TRANSITIONS_BY_ROLE = {
    ADMIN: {"acknowledge", "escalate", "resolve", "waive", "dispute", "reopen"},
    REVIEWER: {"acknowledge", "escalate", "resolve", "waive", "reopen"},
    LAW_CENTER: {"acknowledge", "escalate", "resolve", "waive", "reopen"},
    CONTRACTOR: {"dispute"},
    OWNER: set(),
}


def flag_actions_for(user, flag) -> set[str]:
    """The lifecycle actions this user may take on this flag (the flag must be visible)."""
    role = role_of(user)
    if role is None or not flags_for(user).filter(pk=flag.pk).exists():
        return set()
    if role == CONTRACTOR and not own_assignments_for(user).filter(pk=flag.assignment_id).exists():
        return set()
    return set(TRANSITIONS_BY_ROLE.get(role, set()))


def require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def only_roles(*roles: str, hide: bool = False):
    """Declare, next to a view or API operation, the only roles that may use it; others get 403
    (404 with `hide=True`, where even the refusal would say that something exists).

    Use it under `@login_required` (web) or under the router's decorator (API):

        @login_required
        @access.only_roles(access.LAW_CENTER, access.ADMIN)
        def memo_request(request, slug): ...

    The access walk (tests/test_access_walk.py) reads `allowed_roles` from the view.
    """
    allowed = frozenset(roles)

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if hide and role_of(request.user) not in allowed:
                raise Http404
            require(role_of(request.user) in allowed)
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = allowed
        return wrapper

    return decorate


def public(view):
    """Mark a view that anyone may open without logging in (log in, password reset)."""
    view.public = True
    return view


def api_tokens_for(user):
    """A person's own API tokens; nobody else's, whatever the role."""
    from projects.models import ApiToken

    if user is None or not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)
