"""The enforcement ledger (SPEC §6, issue 12): damages assessed, payments received, amounts
withheld and settlements, per project and contractor, and the balance outstanding.

The balance rule, written once (`LedgerQuerySet.balances` sums it in the database):

    balance outstanding = assessed − paid − withheld, where a settled assessment counts for
    the amount agreed in its settlement instead of the amount assessed.

An assessment keeps the calculation that produced it ("300.00 hours × $25.00 = $7,500.00")
as text and as figures, copied when it is recorded, so a later change of terms or a new
evaluation never rewrites history. Entries are never edited: a mistake is answered by
another entry (a settlement, a payment), and every entry is an audit event.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from cba.errors import Conflict, InvalidInput
from compliance.audit import audit_record
from compliance.formatting import long_date, money, quantity
from compliance.models import Evaluation, LedgerEntry
from compliance.numbers import round2
from projects import access
from projects.models import Assignment, Commitment, Project

Kind = LedgerEntry.Kind
BALANCE_FIELDS = ("assessed", "settled_off", "owed", "paid", "withheld", "collected", "balance")


def _refuse(field_name: str, message: str, detail: str, value=None) -> InvalidInput:
    error = {"field": field_name, "message": detail}
    if value is not None:
        error["value"] = str(value)
    return InvalidInput(message, errors=[error])


def _dollars(value, field_name: str, *, zero_allowed: bool) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise _refuse(
            field_name,
            f"{value!r} is not an amount: give dollars and cents, e.g. 7500.00.",
            "Not a dollar amount.",
            value,
        )
    if amount < 0 or (amount == 0 and not zero_allowed):
        raise _refuse(
            field_name,
            f"{money(amount)} cannot be recorded: give an amount above zero. A refund or a "
            "correction is recorded as a settlement of the assessment.",
            "Must be above zero.",
            value,
        )
    if amount >= Decimal("1e12"):
        raise _refuse(field_name, "That amount is too large to be real.", "Too large.", value)
    return round2(amount)


def evaluation_damages(*, commitment: Commitment, assignment: Assignment) -> dict | None:
    """The liquidated damages the current evaluation figures for this contractor on this
    commitment (shortfall × rate), or None when it figures none."""
    evaluation = (
        Evaluation.objects.filter(commitment=commitment, assignment=assignment, craft__isnull=True)
        .only("shortfall", "details", "as_of")
        .first()
    )
    details = evaluation.details if evaluation is not None else {}
    if details.get("liquidated_damages") in (None, "") or not details.get("penalty_per_unit"):
        return None
    return {
        "quantity": Decimal(str(evaluation.shortfall)),
        "unit": details.get("unit") or "",
        "rate": Decimal(str(details["penalty_per_unit"])),
        "amount": Decimal(str(details["liquidated_damages"])),
        "as_of": evaluation.as_of,
    }


def calculation_text(*, figure: Decimal, unit: str, rate: Decimal, amount: Decimal) -> str:
    """ "300.00 hours × $25.00 = $7,500.00"."""
    return f"{quantity(figure, unit)} × {money(rate)} = {money(amount)}"


def _assessment_figures(
    *, project, assignment, commitment, amount, figure, unit, rate, calculation
) -> dict:
    """An assessment's amount and calculation: from the quantity and rate given, else from
    the evaluation's figures for the commitment, else an amount with a written calculation."""
    as_of = None
    if figure is None and rate is None and amount in (None, "") and commitment is not None:
        found = evaluation_damages(commitment=commitment, assignment=assignment)
        if found is None:
            raise _refuse(
                "quantity",
                f"The evaluation figures no liquidated damages for {assignment.contractor.name} "
                f"on {commitment.clause} {commitment.title}: give the quantity and the rate, or "
                "the amount and how it was calculated.",
                "No damages figured.",
            )
        figure, unit, rate, amount, as_of = (
            found["quantity"],
            found["unit"],
            found["rate"],
            found["amount"],
            found["as_of"],
        )
    if (figure is None) != (rate is None):
        raise _refuse(
            "rate" if rate is None else "quantity",
            "Give both the quantity short and the rate per unit, or neither.",
            "Both or neither.",
        )
    if figure is not None:
        figure = _dollars(figure, "quantity", zero_allowed=False)
        rate = _dollars(rate, "rate", zero_allowed=False)
        computed = round2(figure * rate)
        if amount not in (None, "") and _dollars(amount, "amount", zero_allowed=False) != computed:
            raise _refuse(
                "amount",
                f"{quantity(figure, unit)} × {money(rate)} is {money(computed)}, not "
                f"{money(Decimal(str(amount)))}: correct the figures or leave the amount empty.",
                "Does not match quantity × rate.",
                amount,
            )
        text = calculation_text(figure=figure, unit=unit, rate=rate, amount=computed)
        return {
            "amount": computed,
            "quantity": figure,
            "unit": unit,
            "rate": rate,
            "calculation": text,
            "evaluation_as_of": as_of,
        }
    if amount in (None, ""):
        raise _refuse("amount", "Give the amount assessed, in dollars.", "Required.")
    if not calculation.strip():
        raise _refuse(
            "calculation",
            "Say how the amount was calculated (e.g. the clause's formula and its figures), "
            "or give the quantity and the rate.",
            "Required without quantity and rate.",
        )
    return {
        "amount": _dollars(amount, "amount", zero_allowed=False),
        "calculation": calculation.strip(),
    }


@transaction.atomic
def ledger_entry_record(
    *,
    project: Project,
    user,
    kind: str,
    assignment: Assignment | None,
    date: datetime.date,
    amount: Decimal | str | None = None,
    commitment: Commitment | None = None,
    figure: Decimal | str | None = None,
    unit: str = "",
    rate: Decimal | str | None = None,
    calculation: str = "",
    reference: str = "",
    settles: LedgerEntry | None = None,
    note: str = "",
) -> LedgerEntry:
    """Record one ledger entry and its audit event (see the module docstring).

    `assessed`: the amount comes from `figure` (the quantity short) × `rate`, from the
    evaluation's figures for `commitment` when neither is given, or from `amount` with a
    written `calculation`. `payment` and `withheld`: an amount above zero, a `reference`.
    `settlement`: the assessment it `settles` and the amount agreed (zero allowed), with a
    note; an assessment is settled once.
    """
    if kind not in Kind.values:
        raise _refuse(
            "kind",
            f"{kind!r} is not a kind of ledger entry: use one of {', '.join(Kind.values)}.",
            "Unknown kind.",
            kind,
        )
    if assignment is None or assignment.project_id != project.pk:
        raise _refuse(
            "contractor",
            f"Name one of {project.name}'s contractors: every ledger entry is money between "
            "the project's enforcers and one contractor.",
            "Unknown contractor.",
        )
    if date > timezone.localdate():
        raise _refuse(
            "date",
            f"{long_date(date)} is in the future: the ledger records what has happened.",
            "In the future.",
            date,
        )
    fields: dict = {}
    if kind == Kind.ASSESSED:
        if commitment is not None and commitment.project_id != project.pk:
            raise _refuse("commitment", "Name a commitment of this project.", "Unknown.")
        fields = _assessment_figures(
            project=project,
            assignment=assignment,
            commitment=commitment,
            amount=amount,
            figure=figure,
            unit=unit.strip(),
            rate=rate,
            calculation=calculation,
        )
        if commitment is not None:
            fields["commitment"] = commitment
            fields["commitment_label"] = f"{commitment.clause} {commitment.title}".strip()
    elif kind == Kind.SETTLEMENT:
        if settles is None:
            raise _refuse("settles", "Name the assessment this settlement settles.", "Required.")
        settles = LedgerEntry.objects.select_for_update().get(pk=settles.pk)
        if settles.kind != Kind.ASSESSED or settles.assignment_id != assignment.pk:
            raise _refuse(
                "settles",
                f"Entry #{settles.pk} is not an assessment against "
                f"{assignment.contractor.name}: name one of its assessments.",
                "Not this contractor's assessment.",
                settles.pk,
            )
        if settles.settlements.exists():
            raise Conflict(
                f"The assessment #{settles.pk} of {long_date(settles.date)} is already settled: "
                "a settlement replaces an assessment once."
            )
        if not note.strip():
            raise _refuse(
                "note",
                "Say what was agreed (who, and on what terms).",
                "Required for a settlement.",
            )
        if amount in (None, ""):
            raise _refuse("amount", "Give the amount agreed, in dollars.", "Required.")
        fields = {
            "amount": _dollars(amount, "amount", zero_allowed=True),
            "settles": settles,
            "commitment": settles.commitment,
            "commitment_label": settles.commitment_label,
        }
    else:
        if amount in (None, ""):
            raise _refuse("amount", "Give the amount, in dollars.", "Required.")
        fields = {"amount": _dollars(amount, "amount", zero_allowed=False)}
    entry = LedgerEntry.objects.create(
        project=project,
        assignment=assignment,
        kind=kind,
        date=date,
        reference=reference.strip()[:200],
        note=note.strip(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
        **fields,
    )
    audit_record(
        verb=f"ledger.{kind}",
        actor=user,
        obj=entry,
        project=project,
        data={
            "assignment": assignment.pk,
            "date": date.isoformat(),
            "amount": str(entry.amount),
            "calculation": entry.calculation,
            "settles": entry.settles_id,
            "reference": entry.reference,
        },
    )
    return entry


# ---------------------------------------------------------------------------------------
# Reading


@dataclass
class Balance:
    """Totals of entries, by the balance rule (module docstring)."""

    assessed: Decimal = Decimal("0.00")
    settled_off: Decimal = Decimal("0.00")
    owed: Decimal = Decimal("0.00")
    paid: Decimal = Decimal("0.00")
    withheld: Decimal = Decimal("0.00")
    collected: Decimal = Decimal("0.00")
    balance: Decimal = Decimal("0.00")

    @classmethod
    def of(cls, row: dict | None) -> "Balance":
        if not row:
            return cls()
        return cls(**{name: round2(row[name]) for name in BALANCE_FIELDS})


@dataclass
class ContractorLedger:
    assignment: Assignment
    entries: list[LedgerEntry] = field(default_factory=list)
    balance: Balance = field(default_factory=Balance)


@dataclass
class ProjectLedger:
    project: Project
    contractors: list[ContractorLedger]
    total: Balance


def project_ledger(*, user, project: Project) -> ProjectLedger:
    """The project's ledger as this person may read it (`access.ledger_entries_for`): each
    contractor's entries, oldest first, and balance, and the total. Three queries."""
    entries = access.ledger_entries_for(user).filter(project=project)
    balances = {row["assignment"]: row for row in entries.balances("assignment")}
    total = next(iter(entries.balances("project")), None)
    by_assignment: dict[int, ContractorLedger] = {}
    for entry in entries.select_related("assignment__contractor", "created_by", "settles").order_by(
        "assignment__contractor__name", "date", "id"
    ):
        ledger = by_assignment.get(entry.assignment_id)
        if ledger is None:
            ledger = by_assignment[entry.assignment_id] = ContractorLedger(
                entry.assignment, balance=Balance.of(balances.get(entry.assignment_id))
            )
        ledger.entries.append(entry)
    return ProjectLedger(project, list(by_assignment.values()), Balance.of(total))
