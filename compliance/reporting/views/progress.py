"""Progress toward a count commitment: the entries so far and, for program admins and law
center staff, a form to add one (SPEC §3.3)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_safe

from cba.errors import InvalidInput
from compliance import formatting
from compliance.reporting.progress import progress_entries, progress_record
from compliance.status import Status
from compliance.storage import (
    ATTACHMENT_ACCEPT,
    attachment,
    attachment_hint,
    evidence_filename,
)
from projects import access


class ProgressForm(forms.Form):
    date = forms.DateField(
        help_text="When the slot was filled, the unit delivered or the payment made.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    quantity = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0.01)
    ami_percent = forms.DecimalField(
        label="AMI percent",
        required=False,
        max_digits=5,
        decimal_places=2,
        help_text="Affordable housing only: the unit's income limit as a percent of area "
        "median income.",
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(
        required=False,
        help_text="A certificate, a lease-up report, a payment record: " + attachment_hint(),
        widget=forms.ClearableFileInput(attrs={"accept": ATTACHMENT_ACCEPT}),
    )


@login_required
def commitment_progress(request, slug: str, key: str):
    """The progress recorded toward one count commitment, and the form to add to it."""
    project = access.project_for(request.user, slug)
    commitment = get_object_or_404(
        access.commitments_for(request.user).select_related("project"), project=project, key=key
    )
    if not commitment.takes_progress:
        return render(
            request,
            "reporting/progress/not_counted.html",
            {"project": project, "commitment": commitment},
        )
    can_add = access.can_record_progress(request.user, commitment.project)
    form = ProgressForm()
    if request.method == "POST":
        access.require(can_add)
        form = ProgressForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                entry = progress_record(
                    commitment=commitment, user=request.user, **form.cleaned_data
                )
            except InvalidInput as error:
                for problem in error.errors:
                    field = problem["field"] if problem["field"] in form.fields else None
                    form.add_error(field, problem["message"])
            else:
                messages.success(
                    request,
                    f"Recorded {formatting.quantity(entry.quantity, commitment.unit)} on "
                    f"{entry.date:%b %d, %Y}. The commitment is re-evaluated in a moment.",
                )
                return redirect("commitment_progress", slug=slug, key=key)
    evaluation = (
        access.evaluations_for(request.user)
        .filter(commitment=commitment, group_key="project")
        .first()
    )
    page = Paginator(progress_entries(commitment), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reporting/progress/list.html",
        {
            "project": commitment.project,
            "commitment": commitment,
            "evaluation": evaluation,
            "status_label": Status.label(evaluation.status) if evaluation else "",
            "standing": _standing(evaluation, commitment.unit) if evaluation else None,
            "page": page,
            "form": form if can_add else None,
        },
        status=422 if form.errors else 200,
    )


def _standing(evaluation, unit: str) -> dict:
    """The evaluation's figures in words: "$180,000.00 of $2,500,000.00", "22 units"."""
    d = evaluation.details or {}
    milestone = d.get("next_milestone")
    return {
        "delivered": formatting.quantity_of(evaluation.numerator, evaluation.denominator, unit),
        "delivered_percent": formatting.percent(evaluation.actual_percent or 0),
        "due": formatting.quantity(d.get("due_to_date"), unit),
        "pace": formatting.quantity(d.get("pace_to_date"), unit) if d.get("schedule") else "",
        "shortfall": formatting.quantity(evaluation.shortfall, unit),
        "next_milestone": f"{formatting.quantity(milestone['quantity'], unit)} by "
        f"{formatting.short_date(milestone['date'])}"
        if milestone
        else "—",
    }


@login_required
@require_safe
def progress_evidence(request, slug: str, entry_id: int):
    """The evidence file of one progress entry, to whoever may see its commitment."""
    project = access.project_for(request.user, slug)
    entry = get_object_or_404(
        access.evidence_files_for(request.user)
        .select_related("commitment")
        .filter(commitment__project=project),
        pk=entry_id,
    )
    if not entry.evidence:
        messages.info(request, "That entry has no evidence file.")
        return redirect("commitment_progress", slug=slug, key=entry.commitment.key)
    return attachment(entry.evidence, filename=evidence_filename(entry))


urlpatterns = [
    path(
        "projects/<slug:slug>/commitments/<slug:key>/progress/",
        commitment_progress,
        name="commitment_progress",
    ),
    path(
        "projects/<slug:slug>/progress/<int:entry_id>/evidence/",
        progress_evidence,
        name="progress_evidence",
    ),
]
