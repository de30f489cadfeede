"""Setting a project up from the browser (issue 14): the writes behind each step.

A project in setup is a `planned` project; every step stores what it was given at once,
so nothing is lost and the setup can be resumed; `project_activate` makes it `active`.
Each function is one transaction and leaves an audit event. Commitments' terms go through
projects.policies: on an active project (or a commitment whose terms already have a
history) a change is a new version with an effective date and a reason, never an
overwrite.
"""

import datetime
import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from compliance.audit import audit_record
from projects.invitations import invitation_send
from projects.models import (
    Agreement,
    Area,
    Assignment,
    Commitment,
    Craft,
    Membership,
    Organization,
    Project,
    normalize_craft_name,
)
from projects.policies import commitment_amend, first_effective_date

PROJECT_FIELDS = [
    "slug",
    "name",
    "location",
    "owner",
    "start_date",
    "end_date",
    "jurisdiction",
    "sector",
    "total_cost",
    "public_subsidy",
]
AGREEMENT_FIELDS = [
    "key",
    "title",
    "effective_date",
    "signatories",
    "cure_period_days",
    "report_due_day",
    "damages_basis",
    "public",
]


@transaction.atomic
def project_setup_save(*, project: Project | None, fields: dict, user) -> Project:
    """Create a project in setup (`planned`) or change its facts."""
    created = project is None
    if created:
        project = Project(status=Project.Status.PLANNED)
    for name in PROJECT_FIELDS:
        setattr(project, name, fields.get(name))
    project.full_clean()
    project.save()
    audit_record(
        verb="setup.project.create" if created else "setup.project.change",
        actor=user,
        obj=project,
        project=project,
        data={"slug": project.slug},
    )
    return project


@transaction.atomic
def agreement_setup_save(
    *, project: Project, agreement: Agreement | None, fields: dict, user
) -> Agreement:
    """Add an agreement to a project, or change one; its key is unique within the project."""
    agreement = agreement or Agreement(project=project)
    key = fields.get("key") or ""
    if key and project.agreements.exclude(pk=agreement.pk).filter(key=key).exists():
        raise ValidationError({"key": f"The project already has an agreement “{key}”."})
    for name in AGREEMENT_FIELDS:
        setattr(agreement, name, fields.get(name))
    agreement.key = key
    agreement.full_clean(exclude=["key", "project", "document"])
    agreement.save()
    audit_record(
        verb="setup.agreement.save",
        actor=user,
        obj=agreement,
        project=project,
        data={"agreement": agreement.key},
    )
    return agreement


def parse_zips(text: str) -> list[str]:
    """ZIP codes typed one a line or separated by commas or spaces; each must be 5 digits.
    Raises ValidationError naming every one that is not."""
    zips = [z for z in re.split(r"[\s,;]+", text or "") if z]
    bad = [z for z in zips if not (len(z) == 5 and z.isdigit())]
    if bad:
        raise ValidationError(
            f"Not 5-digit ZIP codes: {', '.join(bad)}. Type each ZIP as five digits "
            "(e.g. 90001), separated by commas, spaces or new lines."
        )
    if not zips:
        raise ValidationError("Give at least one ZIP code.")
    return sorted(set(zips))


@transaction.atomic
def area_create(*, name: str, slug: str, zips: list[str], user, project=None) -> Area:
    slug = slug or slugify(name)[:80]
    if Area.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": f"An area “{slug}” exists already: pick it instead."})
    area = Area(name=name, slug=slug, zips=zips)
    area.full_clean()
    area.save()
    audit_record(
        verb="setup.area.create",
        actor=user,
        obj=area,
        project=project,
        data={"slug": slug, "zips": len(zips)},
    )
    return area


@transaction.atomic
def project_crafts_set(*, project: Project, crafts, user) -> None:
    """The trades a project's reports may use."""
    project.crafts.set(crafts)
    audit_record(
        verb="setup.crafts.set",
        actor=user,
        obj=project,
        project=project,
        data={"crafts": sorted(c.name for c in crafts)},
    )


def parse_aliases(text: str) -> list[str]:
    return [a.strip() for a in re.split(r"[,;\n]+", text or "") if a.strip()]


@transaction.atomic
def craft_create(*, project: Project, name: str, aliases: list[str], user) -> Craft:
    """A new trade, added to the project. A name or alias another trade already answers to
    (ignoring case and spaces) is refused: uploads could not tell them apart."""
    taken = {}
    for craft in Craft.objects.all():
        for key in craft.match_keys():
            taken[key] = craft.name
    clashes = [n for n in [name, *aliases] if normalize_craft_name(n) in taken]
    if clashes:
        raise ValidationError(
            {
                "name": "; ".join(
                    f"“{n}” already names {taken[normalize_craft_name(n)]}: pick that trade"
                    for n in clashes
                )
            }
        )
    craft = Craft.objects.create(name=name.strip(), aliases=aliases)
    project.crafts.add(craft)
    audit_record(
        verb="setup.craft.create",
        actor=user,
        obj=craft,
        project=project,
        data={"name": craft.name, "aliases": aliases},
    )
    return craft


def parse_emails(text: str) -> list[str]:
    """Contact e-mail addresses, one a line or separated by commas."""
    emails = [e.strip().lower() for e in re.split(r"[\s,;]+", text or "") if e.strip()]
    bad = []
    for email in emails:
        try:
            validate_email(email)
        except ValidationError:
            bad.append(email)
    if bad:
        raise ValidationError(f"Not e-mail addresses: {', '.join(bad)}.")
    return list(dict.fromkeys(emails))


@transaction.atomic
def assignment_setup(
    *,
    project: Project,
    contractor: Organization | None,
    new_company: str = "",
    tier: str,
    parent: Assignment | None,
    scope_of_work: str,
    start_date: datetime.date | None,
    end_date: datetime.date | None,
    emails: list[str],
    user,
) -> Assignment:
    """A contractor on the project (a new company when `contractor` is None), its contacts
    made users of the company and e-mailed: invited to choose a password, or, with an
    account already, told where to sign in."""
    if contractor is None:
        name = new_company.strip()
        if not name:
            raise ValidationError({"contractor": "Pick a company or type a new one's name."})
        slug = slugify(name)[:80] or "contractor"
        if Organization.objects.filter(slug=slug).exists():
            raise ValidationError(
                {"new_company": f"A company “{name}” exists already: pick it from the list."}
            )
        contractor = Organization.objects.create(
            slug=slug, name=name, kind=Organization.Kind.CONTRACTOR
        )
    if project.assignments.filter(contractor=contractor).exists():
        raise ValidationError({"contractor": f"{contractor} is already on this project."})
    assignment = Assignment(
        project=project,
        contractor=contractor,
        tier=tier,
        parent=parent,
        scope_of_work=scope_of_work,
        start_date=start_date or project.start_date,
        end_date=end_date,
    )
    assignment.full_clean(exclude=["contacts"])
    assignment.save()
    for email in emails:
        contact = contact_for(email=email, company=contractor)
        assignment.contacts.add(contact)
        # A new person is invited to choose a password; one who has an account is told
        # where to sign in for the project.
        invited = not contact.has_usable_password()
        transaction.on_commit(
            lambda c=contact, a=assignment, i=invited: invitation_send(
                assignment=a, contact=c, invited=i
            )
        )
    audit_record(
        verb="setup.assignment.create",
        actor=user,
        obj=assignment,
        project=project,
        data={"contractor": contractor.slug, "tier": tier, "contacts": emails},
    )
    return assignment


def contact_for(*, email: str, company: Organization):
    """The user with this e-mail address, made a member of the company when new. One who
    belongs to another organization cannot be its contact (their role follows it)."""
    users = get_user_model()
    contact = users.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).first()
    if contact is None:
        contact = users.objects.create_user(username=email, email=email)
        Membership.objects.create(user=contact, organization=company)
        return contact
    membership = Membership.objects.filter(user=contact).select_related("organization").first()
    if membership is None:
        Membership.objects.create(user=contact, organization=company)
    elif membership.organization_id != company.pk:
        raise ValidationError(
            {"emails": f"{email} belongs to {membership.organization}, not to {company}."}
        )
    return contact


@transaction.atomic
def commitment_setup_save(
    *,
    project: Project,
    commitment: Commitment | None,
    kind: str,
    fields: dict,
    params: dict,
    area: Area | None,
    effective_from: datetime.date | None = None,
    note: str = "",
    user,
) -> Commitment:
    """Add a commitment by hand, or change one. Its key, clause, title, text and agreement
    change in place. Its terms change in place only while it is a draft (the project in
    setup and no version of its terms recorded); otherwise new terms are a new version
    from `effective_from` with `note` saying why (projects.policies.commitment_amend).
    Raises ValidationError keyed by field or parameter path."""
    key = fields["key"]
    if project.commitments.exclude(pk=getattr(commitment, "pk", None)).filter(key=key).exists():
        raise ValidationError({"key": f"The project already has a commitment “{key}”."})
    created = commitment is None
    if created:
        commitment = Commitment(project=project, kind=kind, position=project.commitments.count())
    for name in ("key", "clause", "title", "text", "agreement"):
        setattr(commitment, name, fields.get(name) or ("" if name != "agreement" else None))
    if created or amended_in_place(commitment):
        commitment.params, commitment.area = params, area
        commitment.save()
    else:
        commitment.save()
        in_force = commitment.terms_on(effective_from or datetime.date.max)
        if in_force is not None:
            current = (in_force.params, in_force.area_id)
        else:
            current = (commitment.params, commitment.area_id)
        probe = Commitment(project=project, key=key, kind=kind, params=dict(params), area=area)
        probe.clean()
        if current != (probe.params, getattr(area, "pk", None)):
            if effective_from is None:
                raise ValidationError({"effective_from": "Say from when the new terms apply."})
            commitment_amend(
                commitment=commitment,
                effective_from=effective_from,
                changes=params,
                area=area,
                note=note,
                user=user,
            )
    audit_record(
        verb="setup.commitment.create" if created else "setup.commitment.change",
        actor=user,
        obj=commitment,
        project=project,
        data={"commitment": commitment.key, "kind": kind},
    )
    return commitment


def amended_in_place(commitment: Commitment) -> bool:
    """Whether a commitment's terms are still a draft, changed in place: its project is in
    setup and no version of its terms is recorded yet."""
    return commitment.pk is None or (
        commitment.project.status == Project.Status.PLANNED and not commitment.versions.exists()
    )


def amendment_default_date(commitment: Commitment) -> datetime.date:
    """While the project is in setup, a correction applies from its first terms' date."""
    first = commitment.versions.order_by("effective_from", "pk").first()
    return first.effective_from if first is not None else first_effective_date(commitment)


def activation_problems(project: Project) -> list[str]:
    """What a project still lacks before it can be active, in words."""
    problems = []
    if not project.agreements.exists():
        problems.append("Add the agreement the project is bound by (Agreements).")
    if not project.commitments.exists():
        problems.append("Adopt a policy or add a commitment (Policies, Commitments).")
    if not project.assignments.exists():
        problems.append("Add at least the prime contractor (Contractors).")
    return problems


@transaction.atomic
def project_activate(*, project: Project, user) -> Project:
    """A project in setup becomes active: its contractors owe reports from then on."""
    problems = activation_problems(project)
    if problems:
        raise ValidationError(problems)
    project.status = Project.Status.ACTIVE
    project.save(update_fields=["status"])
    audit_record(verb="setup.project.activate", actor=user, obj=project, project=project)
    return project
