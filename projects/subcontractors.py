"""A contractor adds a lower-tier subcontractor under its own assignment (issue 13).

Primes answer for their subs: a prime's people add a sub (company, contact, scope of work,
dates), and from then on read its months, standing and flags (`access.overseen_assignments`),
never its worker names, files or internal notes. One call creates, or reuses, the company's
organization, the assignment one tier lower under the adder's, and the contact's account,
then (once the transaction commits) e-mails the contact an invitation to set a password and
tells the program admins and the monitoring coalition.

Nothing here can take over somebody else's account or company: an e-mail address that is
already someone's at another organization is refused, and an existing company only gets
one of its own people as the contact (unless it is a bare company the program admin set up,
with no people and no work yet).
"""

import datetime
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cba.errors import InvalidInput
from compliance.audit import audit_record
from compliance.enqueue import enqueue
from compliance.formatting import long_date
from projects.invitations import invitation_send
from projects.models import Assignment, Membership, Organization

User = get_user_model()

# The tier of a subcontractor added under an assignment of each tier.
LOWER_TIER = {
    Assignment.Tier.PRIME: Assignment.Tier.SUB,
    Assignment.Tier.SUB: Assignment.Tier.LOWER,
    Assignment.Tier.LOWER: Assignment.Tier.LOWER,
}
ALERT_TASK = "compliance.tasks.alert_subcontractor_added_task"


@dataclass(frozen=True)
class SubcontractorAdded:
    assignment: Assignment
    contact: User
    invited: bool  # a new account, sent an invitation to set its password
    organization_created: bool

    def summary(self) -> str:
        company = self.assignment.contractor.name
        email = self.contact.email
        if self.invited:
            told = _("%(email)s has been sent an invitation to choose a password and sign in.")
        else:
            told = _("%(email)s already has an account and has been told by e-mail.")
        now = _("%(company)s is now your subcontractor on %(project)s.") % {
            "company": company,
            "project": self.assignment.project.name,
        }
        return f"{now} {told % {'email': email}}"


def _refuse(field: str, value, message: str):
    raise InvalidInput(message, errors=[{"field": field, "value": str(value), "message": message}])


def dates_allowed(parent: Assignment) -> tuple[datetime.date, datetime.date]:
    """A subcontractor works within the project and within the work of the contractor it
    is under: from the later start to the earlier end."""
    project = parent.project
    return max(project.start_date, parent.start_date), min(project.end_date, parent.obligation_end)


def _check_dates(parent: Assignment, start: datetime.date, end: datetime.date | None):
    first, last = dates_allowed(parent)
    words = {
        "contractor": parent.contractor.name,
        "project": parent.project.name,
        "first": long_date(first),
        "last": long_date(last),
    }
    if not first <= start <= last:
        _refuse(
            "start_date",
            start,
            _(
                "The start must fall within %(contractor)s's work on %(project)s: %(first)s "
                "to %(last)s."
            )
            % words,
        )
    if end is not None and not start <= end <= last:
        _refuse(
            "end_date",
            end,
            _(
                "The end must fall between the start and the end of %(contractor)s's work on "
                "%(project)s: %(first)s to %(last)s."
            )
            % words,
        )


def _organization(parent: Assignment, company: str) -> Organization | None:
    """The company's organization if it exists (by its slug or its name); checks it may be
    added under `parent`."""
    slug = slugify(company)[:80]
    if not slug:
        _refuse("company", company, _("Write the company's name with letters or digits."))
    organization = Organization.objects.filter(Q(slug=slug) | Q(name__iexact=company)).first()
    if organization is None:
        return None
    if organization.kind != Organization.Kind.CONTRACTOR:
        _refuse(
            "company",
            company,
            _(
                "“%(name)s” is registered as a %(kind)s, not a contractor: write the "
                "subcontractor's own company name."
            )
            % {"name": organization.name, "kind": organization.get_kind_display().lower()},
        )
    if organization.pk == parent.contractor_id:
        _refuse("company", company, _("That is your own company: write the subcontractor's name."))
    existing = (
        Assignment.objects.filter(project=parent.project, contractor=organization)
        .select_related("parent__contractor")
        .first()
    )
    if existing is not None:
        words = {
            "name": organization.name,
            "project": parent.project.name,
            "tier": existing.get_tier_display().lower(),
        }
        if existing.parent_id:
            words["under"] = existing.parent.contractor.name
            message = _(
                "%(name)s is already on %(project)s as a %(tier)s under %(under)s: it cannot "
                "be added twice."
            )
        else:
            message = _(
                "%(name)s is already on %(project)s as a %(tier)s: it cannot be added twice."
            )
        _refuse("company", company, message % words)
    return organization


def _contact(email: str, organization: Organization | None) -> User | None:
    """The contact's existing account, if any; refuses an address that belongs to another
    organization, and a new person in a company that already has people or work."""
    existing = User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).first()
    if existing is not None:
        membership = Membership.objects.filter(user=existing).first()
        if (
            organization is None
            or membership is None
            or membership.organization_id != (organization.pk)
        ):
            _refuse(
                "contact_email",
                email,
                _(
                    "This e-mail address already belongs to someone at another organization on "
                    "CBA Monitor: give the address of the subcontractor's own contact person."
                ),
            )
        return existing
    if organization is not None and (
        organization.memberships.exists() or organization.assignments.exists()
    ):
        _refuse(
            "contact_email",
            email,
            _(
                "%(name)s already uses CBA Monitor, and this address is not one of its "
                "people's: give the address its people sign in with, or ask the program admin "
                "to add this person to the company."
            )
            % {"name": organization.name},
        )
    return None


def subcontractor_add(
    *,
    parent: Assignment,
    company: str,
    contact_email: str,
    contact_name: str = "",
    scope_of_work: str = "",
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    user,
) -> SubcontractorAdded:
    """Add `company` as a subcontractor one tier below `parent` (a prime's sub is `sub`, a
    sub's is `lower`), working from `start_date` to `end_date` (blank: to the end of the
    parent's work), with `contact_email` as its contact. May the user do it:
    `access.can_add_subcontractor`, the caller's to ask."""
    company = " ".join((company or "").split())
    contact_email = (contact_email or "").strip().lower()
    contact_name = " ".join((contact_name or "").split())[:150]
    scope_of_work = " ".join((scope_of_work or "").split())
    if not company:
        _refuse("company", company, "Write the subcontractor's company name.")
    if len(company) > 200:
        _refuse("company", company, "Shorten the company name to 200 characters at most.")
    if len(scope_of_work) > 300:
        _refuse("scope_of_work", scope_of_work, "Shorten the scope of work to 300 characters.")
    try:
        validate_email(contact_email)
    except ValidationError:
        _refuse(
            "contact_email",
            contact_email,
            _("Give the contact's e-mail address, like name@company.com."),
        )
    if end_date is None and parent.end_date is not None:
        end_date = parent.end_date
    _check_dates(parent, start_date, end_date)
    try:
        with transaction.atomic():
            organization = _organization(parent, company)
            contact = _contact(contact_email, organization)
            created = organization is None
            if created:
                organization = Organization.objects.create(
                    slug=slugify(company)[:80],
                    name=company,
                    kind=Organization.Kind.CONTRACTOR,
                    email=contact_email,
                )
            invited = contact is None
            if invited:
                first, _space, last = contact_name.partition(" ")
                contact = User.objects.create_user(
                    username=contact_email,
                    email=contact_email,
                    # Nobody knows it: the contact chooses their own through the invitation
                    # (or "Forgot your password?" once the invitation has expired).
                    password=secrets.token_urlsafe(32),
                    first_name=first[:150],
                    last_name=last[:150],
                )
                Membership.objects.create(user=contact, organization=organization)
            assignment = Assignment.objects.create(
                project=parent.project,
                contractor=organization,
                tier=LOWER_TIER[parent.tier],
                parent=parent,
                scope_of_work=scope_of_work,
                start_date=start_date,
                end_date=end_date,
            )
            assignment.contacts.add(contact)
            audit_record(
                verb="assignment.subcontractor_added",
                actor=user,
                obj=assignment,
                project=parent.project,
                data={
                    "company": organization.name,
                    "under": parent.contractor.name,
                    "tier": assignment.tier,
                    "scope_of_work": scope_of_work,
                    "start_date": start_date.isoformat(),
                    "end_date": end_date.isoformat() if end_date else None,
                    "contact": contact_email,
                    "organization_created": created,
                    "invited": invited,
                },
            )
    except IntegrityError:
        # Two clicks at once: the second finds the company already on the project.
        _refuse(
            "company",
            company,
            _("%(company)s was just added to %(project)s.")
            % {"company": company, "project": parent.project.name},
        )
    transaction.on_commit(
        lambda: invitation_send(
            assignment=assignment,
            contact=contact,
            invited=invited,
            added_by=assignment.parent.contractor.name,
        )
    )
    enqueue(ALERT_TASK, assignment.pk, getattr(user, "pk", None))
    return SubcontractorAdded(
        assignment=assignment, contact=contact, invited=invited, organization_created=created
    )


def lower_tiers(assignment: Assignment) -> list[Assignment]:
    """Every subcontractor under an assignment, however deep, in tree order (a sub, then its
    own subs), each with `depth` (1 for a direct sub). Access is the caller's to check."""
    rows = list(
        Assignment.objects.filter(project_id=assignment.project_id)
        .select_related("contractor", "parent__contractor")
        .order_by("contractor__name")
    )
    children: dict[int, list[Assignment]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    found, seen = [], {assignment.pk}

    def visit(parent_id: int, depth: int) -> None:
        for child in children.get(parent_id, []):
            if child.pk in seen:
                continue
            seen.add(child.pk)
            child.depth = depth
            found.append(child)
            visit(child.pk, depth + 1)

    visit(assignment.pk, 1)
    return found
