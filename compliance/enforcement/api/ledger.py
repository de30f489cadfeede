"""API for the enforcement ledger: read a project's ledger, record an entry.

Reading: whoever `access.can_read_ledger` lets in, each seeing the entries
`access.ledger_entries_for` gives (a contractor only its own). Recording: the law center
and admins (`access.can_record_ledger`). 404 for a project the caller cannot see.
"""

import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Router, Schema, Status

from cba.answers import answers
from cba.errors import InvalidInput
from compliance.enforcement.ledger import (
    Balance,
    ContractorLedger,
    ledger_entry_record,
    project_ledger,
)
from compliance.formatting import money
from compliance.models import LedgerEntry
from compliance.months import Day
from compliance.numbers import figure_type
from projects import access

router = Router(tags=["enforcement"])

Amount = figure_type(minimum=Decimal(0), what="the amount in dollars")


class BalanceOut(Schema):
    """Totals by the balance rule: `owed` = `assessed` − `settled_off` (what settlements
    took off the assessments they settle); `collected` = `paid` + `withheld`;
    `balance` = `owed` − `collected` (negative: overpaid). Amounts are strings of dollars
    with two decimals; `balance_text` is the balance as people read it."""

    assessed: str
    settled_off: str
    owed: str
    paid: str
    withheld: str
    collected: str
    balance: str
    balance_text: str

    @staticmethod
    def of(balance: Balance) -> "BalanceOut":
        return BalanceOut(
            **{name: f"{getattr(balance, name):.2f}" for name in Balance.__dataclass_fields__},
            balance_text=money(balance.balance),
        )


class EntryOut(Schema):
    id: int
    kind: str = Field(description="`assessed`, `payment`, `withheld` or `settlement`.")
    kind_label: str
    date: datetime.date
    contractor: str = Field(description="The contractor organization's slug.")
    amount: str
    commitment: str = Field(description="The commitment's clause and title, as recorded.")
    calculation: str = Field(
        description="An assessment's arithmetic, e.g. \"300.00 hours × "
        '$25.00 = $7,500.00", kept as recorded.'
    )
    quantity: str | None
    unit: str
    rate: str | None
    reference: str
    settles: int | None = Field(description="A settlement: the id of the assessment it replaces.")
    note: str
    recorded_by: str | None
    recorded_at: datetime.datetime

    @staticmethod
    def of(entry: LedgerEntry) -> "EntryOut":
        return EntryOut(
            id=entry.pk,
            kind=entry.kind,
            kind_label=entry.get_kind_display(),
            date=entry.date,
            contractor=entry.assignment.contractor.slug,
            amount=f"{entry.amount:.2f}",
            commitment=entry.commitment_label,
            calculation=entry.calculation,
            quantity=None if entry.quantity is None else f"{entry.quantity:.2f}",
            unit=entry.unit,
            rate=None if entry.rate is None else f"{entry.rate:.2f}",
            reference=entry.reference,
            settles=entry.settles_id,
            note=entry.note,
            recorded_by=entry.created_by.username if entry.created_by_id else None,
            recorded_at=entry.created_at,
        )


class ContractorLedgerOut(Schema):
    contractor: str
    contractor_name: str
    entries: list[EntryOut]
    balance: BalanceOut

    @staticmethod
    def of(ledger: ContractorLedger) -> "ContractorLedgerOut":
        return ContractorLedgerOut(
            contractor=ledger.assignment.contractor.slug,
            contractor_name=ledger.assignment.contractor.name,
            entries=[EntryOut.of(e) for e in ledger.entries],
            balance=BalanceOut.of(ledger.balance),
        )


class LedgerOut(Schema):
    project: str
    contractors: list[ContractorLedgerOut]
    total: BalanceOut = Field(description="Every contractor the caller may read, together.")


class EntryIn(Schema):
    kind: Literal[tuple(LedgerEntry.Kind.values)]
    contractor: str = Field(description="The contractor organization's slug.")
    date: Day
    amount: Amount | None = Field(
        None,
        description="Dollars. An assessment may leave it out and give `quantity` and `rate`, "
        "or only `commitment` to copy the evaluation's figures.",
    )
    commitment: str | None = Field(None, description="An assessment: the commitment's key.")
    quantity: Amount | None = Field(None, description="An assessment: the quantity short.")
    unit: str = Field("", max_length=40, description='The quantity\'s unit, e.g. "hours".')
    rate: Amount | None = Field(None, description="An assessment: dollars per unit short.")
    calculation: str = Field(
        "", max_length=2000, description="An assessment given by amount: how it was calculated."
    )
    reference: str = Field("", max_length=200, description="A payment's check or transfer number.")
    settles: int | None = Field(None, description="A settlement: the assessment's id.")
    note: str = Field("", max_length=5000)


def _ledger_project(user, slug: str):
    project = access.project_for(user, slug)
    access.require(access.can_read_ledger(user, project))
    return project


def _ledger(user, project) -> LedgerOut:
    ledger = project_ledger(user=user, project=project)
    return LedgerOut(
        project=project.slug,
        contractors=[ContractorLedgerOut.of(c) for c in ledger.contractors],
        total=BalanceOut.of(ledger.total),
    )


@router.get(
    "/projects/{slug}/ledger",
    response=answers(LedgerOut, 403, 404),
    url_name="api_ledger",
    summary="A project's enforcement ledger and balances",
)
def read_ledger(request, slug: str):
    """Each contractor's entries (oldest first) and balance, and the total. A contractor
    reads its own; the owner, the coalition, the law center and admins read every one."""
    user = request.auth
    return _ledger(user, _ledger_project(user, slug))


@router.post(
    "/projects/{slug}/ledger",
    response=answers({201: EntryOut}, 403, 404, 409, body=True),
    url_name="api_ledger_record",
    summary="Record a ledger entry: damages assessed, a payment, a withholding, a settlement",
)
def record_entry(request, slug: str, payload: EntryIn):
    """Law center and admins. An entry is never edited; a settlement replaces the amount of
    the assessment it names (see the balance rule on `BalanceOut`)."""
    user = request.auth
    project = _ledger_project(user, slug)
    access.require(access.can_record_ledger(user, project))
    assignment = (
        access.assignments_for(user)
        .filter(project=project, contractor__slug=payload.contractor)
        .select_related("contractor")
        .first()
    )
    if assignment is None:
        raise InvalidInput(
            f"{payload.contractor!r} is not a contractor on {project.name}: use the slug of "
            "one of its contractors.",
            errors=[{"field": "contractor", "value": payload.contractor, "message": "Unknown."}],
        )
    commitment = None
    if payload.commitment:
        commitment = (
            access.commitments_for(user).filter(project=project, key=payload.commitment).first()
        )
        if commitment is None:
            raise InvalidInput(
                f"{payload.commitment!r} is not a commitment of {project.name}.",
                errors=[
                    {"field": "commitment", "value": payload.commitment, "message": "Unknown."}
                ],
            )
    settles = None
    if payload.settles is not None:
        settles = (
            access.ledger_entries_for(user).filter(project=project, pk=payload.settles).first()
        )
        if settles is None:
            raise InvalidInput(
                f"No ledger entry #{payload.settles} on {project.name}.",
                errors=[{"field": "settles", "value": payload.settles, "message": "Unknown."}],
            )
    entry = ledger_entry_record(
        project=project,
        user=user,
        kind=payload.kind,
        assignment=assignment,
        date=payload.date,
        amount=payload.amount,
        commitment=commitment,
        figure=payload.quantity,
        unit=payload.unit,
        rate=payload.rate,
        calculation=payload.calculation,
        reference=payload.reference,
        settles=settles,
        note=payload.note,
    )
    entry = LedgerEntry.objects.select_related("assignment__contractor", "created_by").get(
        pk=entry.pk
    )
    return Status(201, EntryOut.of(entry))
