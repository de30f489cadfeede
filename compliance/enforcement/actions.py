"""Enforcement actions (SPEC §4): what the law center does about a finding, and when.

A notice of non-compliance starts a cure deadline: the notice date plus the agreement's
`cure_period_days`, moved to the next business day (`compliance.enforcement.cure`). The
engine raises a critical `cure_deadline` flag for a notice whose deadline has passed with
`cured_at` still empty; `enforcement_action_mark_cured` records the cure so that flag stops
(or is never) raised.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q, QuerySet

from cba.errors import Conflict, InvalidInput
from compliance.audit import audit_record
from compliance.enforcement.cure import cure_deadline
from compliance.formatting import long_date
from compliance.models import EnforcementAction, Flag, Memo
from compliance.numbers import round2
from projects.models import Agreement, Assignment, Project, governing_agreement

DEFAULT_CURE_PERIOD_DAYS = Agreement._meta.get_field("cure_period_days").default

# Kinds that start a cure deadline, and which kinds carry an amount (SPEC §4: "amount where
# it applies"): damages must name the sum; withheld payments and settlements may.
DEADLINE_KINDS = {EnforcementAction.Kind.NOTICE}
AMOUNT_REQUIRED = {EnforcementAction.Kind.DAMAGES_ASSESSED}
AMOUNT_ALLOWED = AMOUNT_REQUIRED | {
    EnforcementAction.Kind.PAYMENT_WITHHELD,
    EnforcementAction.Kind.SETTLEMENT,
}


def cure_period_days(project: Project) -> int:
    """The primary agreement's cure period (a notice may cover commitments of several
    agreements: `governing_agreement` says why the primary's governs)."""
    agreement = governing_agreement(project)
    return agreement.cure_period_days if agreement else DEFAULT_CURE_PERIOD_DAYS


def cure_deadline_for(*, project: Project, notice_date: datetime.date) -> datetime.date:
    """A notice gives the contractor the agreement's cure period (SPEC §4, §6): the deadline
    is the notice date plus `cure_period_days` (30 when the project has no agreement yet),
    moved past weekends and US federal holidays to the next business day (`cure_deadline`)."""
    return cure_deadline(notice_date, cure_period_days(project))


def _amount(kind: str, value) -> Decimal | None:
    if value in (None, ""):
        if kind in AMOUNT_REQUIRED:
            raise InvalidInput(
                "Give the amount of the liquidated damages assessed, in dollars.",
                errors=[{"field": "amount", "message": "Required for damages assessed."}],
            )
        return None
    if kind not in AMOUNT_ALLOWED:
        raise InvalidInput(
            f"A {EnforcementAction.Kind(kind).label.lower()} has no amount: leave it empty.",
            errors=[
                {
                    "field": "amount",
                    "message": "Only damages, withheld payments and settlements carry an amount.",
                }
            ],
        )
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        raise InvalidInput(
            f"{value!r} is not an amount: give dollars and cents, e.g. 7500.00.",
            errors=[{"field": "amount", "message": "Not a dollar amount."}],
        )
    return round2(amount)


@transaction.atomic
def enforcement_action_create(
    *,
    project: Project,
    user,
    kind: str,
    date: datetime.date,
    assignment: Assignment | None = None,
    amount=None,
    note: str = "",
    flags: Iterable[Flag] = (),
    memo: Memo | None = None,
) -> EnforcementAction:
    """Record one enforcement action; a notice sets its cure deadline (SPEC §4)."""
    if kind not in EnforcementAction.Kind.values:
        raise InvalidInput(
            f"{kind!r} is not a kind of enforcement action: use one of "
            f"{', '.join(EnforcementAction.Kind.values)}.",
            errors=[{"field": "kind", "message": "Unknown kind."}],
        )
    if assignment is not None and assignment.project_id != project.pk:
        raise InvalidInput("That contractor is not on this project: pick one of its contractors.")
    flags = list(flags)
    if any(flag.project_id != project.pk for flag in flags):
        raise InvalidInput("Link only flags of this project.")
    if memo is not None and memo.project_id != project.pk:
        raise InvalidInput("Link only a memo of this project.")
    action = EnforcementAction.objects.create(
        project=project,
        assignment=assignment,
        kind=kind,
        date=date,
        amount=_amount(kind, amount),
        note=note.strip(),
        memo=memo,
        cure_deadline=(
            cure_deadline_for(project=project, notice_date=date) if kind in DEADLINE_KINDS else None
        ),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    if flags:
        action.flags.set(flags)
    audit_record(
        verb="enforcement_action.created",
        actor=user,
        obj=action,
        project=project,
        data={
            "kind": kind,
            "date": date.isoformat(),
            "assignment": assignment.pk if assignment else None,
            "amount": None if action.amount is None else str(action.amount),
            "cure_deadline": action.cure_deadline.isoformat() if action.cure_deadline else None,
            "flags": sorted(flag.pk for flag in flags),
            "memo": memo.pk if memo else None,
        },
    )
    return action


@transaction.atomic
def enforcement_action_mark_cured(
    *, action: EnforcementAction, user, cured_at: datetime.date, note: str = ""
) -> EnforcementAction:
    """Record that the contractor cured what a notice demanded, so no deadline flag follows."""
    action = EnforcementAction.objects.select_for_update().get(pk=action.pk)
    if action.cure_deadline is None:
        raise Conflict("Only a notice with a cure deadline can be marked cured.")
    if action.cured_at is not None:
        raise Conflict(f"This notice was already marked cured on {long_date(action.cured_at)}.")
    if cured_at < action.date:
        raise InvalidInput(
            "The cure date is before the notice was sent: give the date the breach was cured.",
            errors=[{"field": "cured_at", "message": "Before the notice date."}],
        )
    action.cured_at = cured_at
    if note.strip():
        action.note = f"{action.note}\n\nCured: {note.strip()}".strip()
    action.save(update_fields=["cured_at", "note"])
    audit_record(
        verb="enforcement_action.cured",
        actor=user,
        obj=action,
        project=action.project,
        data={
            "cured_at": cured_at.isoformat(),
            "cure_deadline": action.cure_deadline.isoformat(),
            "late": cured_at > action.cure_deadline,
        },
    )
    return action


def enforcement_history(
    *, actions: QuerySet[EnforcementAction], project: Project, assignment: Assignment | None = None
) -> QuerySet[EnforcementAction]:
    """A project's actions, oldest first; narrowed to one contractor, its own and the
    project-wide ones (no contractor named)."""
    actions = actions.filter(project=project)
    if assignment is not None:
        actions = actions.filter(Q(assignment=assignment) | Q(assignment__isnull=True))
    return (
        actions.select_related("assignment__contractor", "created_by", "memo")
        .prefetch_related("flags")
        .order_by("date", "id")
    )
