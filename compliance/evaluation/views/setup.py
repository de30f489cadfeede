"""The commitments step of a project's setup (program admins only): every commitment,
adopted from a policy or added by hand, edited in a form built from its kind's typed
parameters (compliance/evaluation/setup.py). The other steps are in projects/setup/views.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path

from compliance.evaluation.kinds import KINDS
from compliance.evaluation.setup import history_in_words, kind_choices, terms_checked, terms_form
from projects import access
from projects.setup import services
from projects.setup.forms import AmendmentForm, CommitmentFieldsForm
from projects.setup.views import admin_only, step_context


@login_required
@admin_only
def setup_commitments(request, slug: str):
    """Step 6: the project's commitments by agreement, each in words, and "add one"."""
    project = access.project_for(request.user, slug)
    commitments = list(project.commitments.select_related("agreement", "area", "template"))
    agreements = [
        {"agreement": a, "commitments": [c for c in commitments if c.agreement_id == a.pk]}
        for a in project.agreements.all()
    ]
    return render(
        request,
        "setup/commitments.html",
        step_context(project, "setup_commitments", agreements=agreements, kinds=kind_choices()),
    )


def _commitment_page(request, project, commitment, kind: str):
    if not project.agreements.exists():
        messages.info(request, "Add an agreement first: a commitment belongs to one.")
        return redirect("setup_agreements", slug=project.slug)
    posted = request.POST if request.method == "POST" else None
    initial = {"agreement": project.agreements.first()}
    if commitment is not None:
        initial = {
            "agreement": commitment.agreement,
            "key": commitment.key,
            "clause": commitment.clause,
            "title": commitment.title,
            "text": commitment.text,
        }
    fields = CommitmentFieldsForm(posted, project=project, initial=initial)
    terms = terms_form(
        kind=kind,
        params=commitment.params if commitment else None,
        area=commitment.area if commitment else None,
        data=posted,
        prefix="terms",
    )
    in_place = commitment is None or services.amended_in_place(commitment)
    amendment = None
    if not in_place:
        amendment = AmendmentForm(
            posted,
            initial={
                "effective_from": services.amendment_default_date(commitment),
                "note": "Corrected during setup." if project.status == "planned" else "",
            },
        )
    if posted is not None:
        fields_ok = fields.is_valid()
        checked = terms_checked(terms)
        amendment_ok = amendment is None or amendment.is_valid()
        if fields_ok and checked is not None and amendment_ok:
            params, area = checked
            try:
                saved = services.commitment_setup_save(
                    project=project,
                    commitment=commitment,
                    kind=kind,
                    fields=fields.cleaned_data,
                    params=params,
                    area=area,
                    effective_from=amendment.cleaned_data["effective_from"] if amendment else None,
                    note=amendment.cleaned_data["note"] if amendment else "",
                    user=request.user,
                )
            except ValidationError as error:
                _show(error, fields, terms, amendment)
            else:
                messages.success(request, f"Saved “{saved.title}”: {saved.description}")
                return redirect("setup_commitments", slug=project.slug)
    return render(
        request,
        "setup/commitment.html",
        step_context(
            project,
            "setup_commitments",
            commitment=commitment,
            kind=KINDS[kind],
            fields=fields,
            terms=terms,
            amendment=amendment,
            history=history_in_words(commitment) if commitment is not None else [],
        ),
    )


def _show(error: ValidationError, fields, terms, amendment) -> None:
    """A refusal's messages beside the field each names, whichever form holds it."""
    for name, found in error.message_dict.items():
        if name in fields.fields:
            fields.add_error(name, found)
        elif amendment is not None and name in amendment.fields:
            amendment.add_error(name, found)
        else:
            terms.show_errors(ValidationError({name: found}))


@login_required
@admin_only
def setup_commitment_new(request, slug: str):
    """Add a commitment by hand: `?kind=workforce_share` picks the form of its kind."""
    project = access.project_for(request.user, slug)
    kind = request.POST.get("kind") or request.GET.get("kind", "")
    if kind not in KINDS:
        messages.info(request, "Pick the kind of commitment to add.")
        return redirect("setup_commitments", slug=project.slug)
    return _commitment_page(request, project, None, kind)


@login_required
@admin_only
def setup_commitment(request, slug: str, key: str):
    """One commitment's clause and terms. On an active project (or once its terms have a
    history) new terms are a new version from a date, with the reason."""
    project = access.project_for(request.user, slug)
    commitment = access.commitments_for(request.user).filter(project=project, key=key).first()
    if commitment is None:
        raise Http404
    return _commitment_page(request, project, commitment, commitment.kind)


urlpatterns = [
    path("setup/<slug:slug>/commitments/", setup_commitments, name="setup_commitments"),
    path("setup/<slug:slug>/commitments/new/", setup_commitment_new, name="setup_commitment_new"),
    path("setup/<slug:slug>/commitments/<slug:key>/", setup_commitment, name="setup_commitment"),
]
