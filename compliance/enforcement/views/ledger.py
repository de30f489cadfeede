"""The enforcement ledger's pages: the form the law center records entries with (each asks
to confirm, restating the entry in words), and a read-only ledger for the owner and the
contractor concerned. The law center and the coalition read it on the enforcement page.

Who reads and who records is `projects.access` (`can_read_ledger`, `ledger_entries_for`,
`can_record_ledger`); 404 on a project the user cannot see.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from cba.errors import DomainError
from compliance.enforcement.ledger import (
    Balance,
    ledger_entry_record,
    project_ledger,
)
from compliance.formatting import long_date, money
from compliance.models import LedgerEntry
from projects import access

READERS_NOTE = (
    "Who reads an entry: the law center, the monitoring coalition, the project's owner and "
    "the contractor it concerns (its own entries only). Write the note for all of them."
)


class LedgerEntryForm(forms.Form):
    kind = forms.ChoiceField(choices=LedgerEntry.Kind.choices, label="Entry")
    contractor = forms.ModelChoiceField(queryset=None, empty_label=None)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text="Dollars. An assessment may leave it empty: give the quantity and the rate, "
        "or only the commitment to copy the evaluation's figures. A settlement: the amount "
        "agreed, which replaces the amount assessed.",
    )
    commitment = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="None", help_text="Assessments."
    )
    quantity = forms.DecimalField(
        required=False,
        max_digits=14,
        decimal_places=2,
        label="Quantity short",
        help_text="Assessments: e.g. 300 (hours).",
    )
    unit = forms.CharField(required=False, max_length=40, help_text="e.g. hours")
    rate = forms.DecimalField(
        required=False,
        max_digits=14,
        decimal_places=2,
        label="Rate per unit",
        help_text="Assessments: dollars per unit short, as the agreement sets it.",
    )
    calculation = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="An assessment given by amount: how it was calculated.",
    )
    reference = forms.CharField(
        required=False, max_length=200, help_text="A check, transfer or pay application number."
    )
    settles = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="None",
        label="Assessment settled",
        help_text="Settlements: the assessment the amount agreed replaces.",
    )
    note = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=READERS_NOTE,
    )

    def __init__(self, *args, user, project, **kwargs):
        super().__init__(*args, **kwargs)
        contractor = self.fields["contractor"]
        contractor.queryset = (
            access.assignments_for(user).filter(project=project).select_related("contractor")
        )
        contractor.label_from_instance = lambda a: a.contractor.name
        commitment = self.fields["commitment"]
        commitment.queryset = access.commitments_for(user).filter(project=project)
        commitment.label_from_instance = lambda c: f"{c.clause} {c.title}".strip()
        settles = self.fields["settles"]
        settles.queryset = (
            access.ledger_entries_for(user)
            .filter(project=project, kind=LedgerEntry.Kind.ASSESSED, settlements__isnull=True)
            .select_related("assignment__contractor")
        )
        settles.label_from_instance = lambda e: (
            f"#{e.pk} {e.assignment.contractor.name}, {money(e.amount)} of {long_date(e.date)}"
        )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "assignment": data["contractor"],
            "date": data["date"],
            "amount": data["amount"],
            "commitment": data["commitment"],
            "figure": data["quantity"],
            "unit": data["unit"],
            "rate": data["rate"],
            "calculation": data["calculation"],
            "reference": data["reference"],
            "settles": data["settles"],
            "note": data["note"],
        }


def describe(entry: LedgerEntry) -> str:
    """An entry in words: "Payment received of $2,000.00 from Pulice on November 20, 2026
    (Check 1045)."."""
    name = entry.assignment.contractor.name
    preposition = {"assessed": "against", "payment": "from", "withheld": "from"}.get(
        entry.kind, "with"
    )
    text = (
        f"{entry.get_kind_display()} of {money(entry.amount)} {preposition} {name} on "
        f"{long_date(entry.date)}"
    )
    if entry.calculation:
        text += f": {entry.calculation}"
    if entry.settles_id:
        text += (
            f", replacing the {money(entry.settles.amount)} assessed on "
            f"{long_date(entry.settles.date)}"
        )
    if entry.reference:
        text += f" (reference {entry.reference})"
    return text + "."


def _balance_of(assignment) -> Balance:
    return Balance.of(next(iter(assignment.ledger_entries.balances("assignment")), None))


def _preview(*, project, user, fields: dict) -> dict:
    """The entry and the contractor's balance as they would be, recorded and then rolled
    back, so the confirmation restates exactly what the service would store."""
    before = _balance_of(fields["assignment"])
    with transaction.atomic():
        entry = ledger_entry_record(project=project, user=user, **fields)
        after = _balance_of(fields["assignment"])
        sentence = describe(entry)
        transaction.set_rollback(True)
    return {"sentence": sentence, "before": before.balance, "after": after.balance}


def _form_page(request, project, form, *, preview=None, status=200):
    return render(
        request,
        "enforcement/actions/ledger_record.html",
        {"project": project, "form": form, "preview": preview},
        status=status,
    )


@login_required
@require_POST
def ledger_record(request, slug: str):
    """Record a ledger entry (law center, admins): first a confirmation that says the entry
    and the balance it leaves in words, then, confirmed, the entry."""
    project = access.project_for(request.user, slug)
    access.require(access.can_record_ledger(request.user, project))
    form = LedgerEntryForm(request.POST, user=request.user, project=project)
    if not form.is_valid():
        return _form_page(request, project, form, status=422)
    fields = form.service_kwargs()
    try:
        if request.POST.get("confirm") != "yes":
            preview = _preview(project=project, user=request.user, fields=fields)
            return _form_page(request, project, form, preview=preview)
        entry = ledger_entry_record(project=project, user=request.user, **fields)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _form_page(request, project, form, status=exc.status_code)
    balance = _balance_of(entry.assignment)
    messages.success(
        request,
        f"Recorded: {describe(entry)} {entry.assignment.contractor.name}'s balance "
        f"outstanding is {money(balance.balance)}.",
    )
    return redirect(reverse("enforcement_list", kwargs={"slug": project.slug}) + "#ledger")


def ledger_context(*, user, project) -> dict:
    """What the ledger tables and the recording forms need (the enforcement page too)."""
    context = {"ledger": project_ledger(user=user, project=project)}
    if access.can_record_ledger(user, project):
        context["ledger_form"] = LedgerEntryForm(
            user=user, project=project, initial={"date": timezone.localdate()}
        )
    return context


@login_required
@require_safe
def ledger_page(request, slug: str):
    """The project's ledger as this person may read it: the owner every contractor's, a
    contractor its own entries and balance."""
    project = access.project_for(request.user, slug)
    access.require(access.can_read_ledger(request.user, project))
    return render(
        request,
        "enforcement/actions/ledger.html",
        {"project": project, **ledger_context(user=request.user, project=project)},
    )


urlpatterns = [
    path("projects/<slug:slug>/ledger/", ledger_page, name="ledger_page"),
    path("projects/<slug:slug>/ledger/record/", ledger_record, name="ledger_record"),
]
