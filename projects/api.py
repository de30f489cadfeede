"""Projects in the API: list, detail, the project definition import (SPEC §7.2, §7.3), and a
contractor adding a subcontractor under itself (issue 13)."""

import datetime

from ninja import Body, Field, Router, Schema, Status

from cba.answers import answers
from compliance.months import Day
from compliance.reporting.intake.selectors import visible_assignment
from projects import access
from projects.definition import project_definition_load, project_summary
from projects.models import Assignment, Commitment
from projects.subcontractors import subcontractor_add

router = Router(tags=["projects"])


class ProjectOut(Schema):
    slug: str
    name: str
    location: str
    status: str
    start_date: datetime.date
    end_date: datetime.date


class AgreementOut(Schema):
    title: str
    effective_date: datetime.date
    signatories: str
    cure_period_days: int
    report_due_day: int


class CommitmentOut(Schema):
    key: str
    clause: str
    title: str
    text: str
    kind: str
    area: str | None
    params: dict


class AssignmentOut(Schema):
    contractor: str
    contractor_name: str
    tier: str
    parent: str | None
    scope_of_work: str
    start_date: datetime.date
    end_date: datetime.date | None


class ProjectDetailOut(ProjectOut):
    agreement: AgreementOut | None
    crafts: list[str]
    commitments: list[CommitmentOut]
    assignments: list[AssignmentOut]


class DefinitionOut(Schema):
    slug: str
    name: str
    location: str
    status: str
    start_date: str
    end_date: str
    agreement: str | None
    areas: list[str]
    crafts: list[str]
    contractors: list[str]
    monitors: list[str]
    commitments: list[str]


@router.get("/projects", response=answers(list[ProjectOut]), summary="The projects you may see")
def project_list(request):
    return access.projects_for(request.user).order_by("name")


@router.post(
    "/projects/definition",
    response=answers(DefinitionOut, 403, body=True),
    summary="Create or update a project from its definition (program admins)",
)
@access.only_roles(access.ADMIN)
def project_definition(request, definition: Body[dict]):
    """The body is a project definition (the schema of `load_project`, see docs/program-admin.md).

    All or nothing: on any error nothing is stored and the answer is 422 with every error,
    each naming its JSON path (`commitments[2].area`): `{"path": ..., "message": ...}`.
    """
    project = project_definition_load(data=definition, user=request.user)
    return project_summary(project)


@router.get(
    "/projects/{slug}", response=answers(ProjectDetailOut, 404), summary="One project's setup"
)
def project_detail(request, slug: str):
    """The project's agreement, commitments with their parameters, and the assignments you
    may see (a contractor sees its own and the lower tiers under it)."""
    project = access.project_for(request.user, slug)
    agreement = getattr(project, "agreement", None)
    assignments = (
        access.assignments_for(request.user)
        .filter(project=project)
        .select_related("contractor", "parent__contractor")
    )
    commitments = Commitment.objects.filter(project=project).select_related("area")
    return {
        **{f: getattr(project, f) for f in ProjectOut.model_fields},
        "agreement": agreement,
        "crafts": [craft.name for craft in project.crafts.all()],
        "commitments": [
            {
                "key": c.key,
                "clause": c.clause,
                "title": c.title,
                "text": c.text,
                "kind": c.kind,
                "area": c.area.slug if c.area else None,
                "params": c.params,
            }
            for c in commitments
        ],
        "assignments": [_assignment(a) for a in assignments],
    }


def _assignment(a: Assignment) -> dict:
    return {
        "contractor": a.contractor.slug,
        "contractor_name": a.contractor.name,
        "tier": a.tier,
        "parent": a.parent.contractor.slug if a.parent else None,
        "scope_of_work": a.scope_of_work,
        "start_date": a.start_date,
        "end_date": a.end_date,
    }


class SubcontractorIn(Schema):
    company: str = Field(..., min_length=1, max_length=200, description="The company's name.")
    contact_email: str = Field(
        ..., min_length=3, max_length=254, description="Who files its reports; invited by e-mail."
    )
    contact_name: str = Field("", max_length=150)
    scope_of_work: str = Field("", max_length=300)
    start_date: Day
    end_date: Day | None = Field(None, description="Empty: until the parent's work ends.")


class SubcontractorOut(Schema):
    assignment: AssignmentOut
    contact: str = Field(..., description="The contact's e-mail address.")
    invited: bool = Field(..., description="A new account, sent an invitation to set a password.")
    organization_created: bool


@router.post(
    "/projects/{slug}/contractors/{contractor}/subcontractors",
    response=answers({201: SubcontractorOut}, 403, 404, body=True),
    url_name="api_subcontractor_add",
    summary="Add a subcontractor one tier below a contractor (that contractor's own people)",
)
def subcontractor_add_api(request, slug: str, contractor: str, payload: SubcontractorIn):
    """Creates (or reuses) the company, its assignment under `contractor` and its contact's
    account, invites the contact to choose a password, and tells the program admins and the
    coalition. Refused with 422 and the field at fault: dates outside the project or the
    parent's work, a company already on the project, an address that belongs to another
    organization (docs/contractors.md, "Adding a subcontractor")."""
    parent = visible_assignment(request.user, slug, contractor)
    access.require(access.can_add_subcontractor(request.user, parent))
    added = subcontractor_add(parent=parent, user=request.user, **payload.model_dump())
    return Status(
        201,
        {
            "assignment": _assignment(added.assignment),
            "contact": added.contact.email,
            "invited": added.invited,
            "organization_created": added.organization_created,
        },
    )
