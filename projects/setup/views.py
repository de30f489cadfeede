"""Setting a project up in the browser, step by step (issue 14, program admins only): the
project, its agreements, areas, trades, the policies it adopts, its contractors, then a
review in words and activation. The commitments step, whose forms are built from each
kind's parameters, is in compliance/evaluation/views/setup.py. Every step saves at once;
a project in setup (`planned`) is resumed from the setup page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from compliance.formatting import plural
from projects import access
from projects.models import Area, Policy, Project
from projects.policies import policy_adopt
from projects.setup import services
from projects.setup.forms import (
    AdoptionForm,
    AgreementForm,
    AreaForm,
    ContractorForm,
    CraftForm,
    CraftsForm,
    ProjectForm,
)

STEPS = [
    ("setup_project", "Project"),
    ("setup_agreements", "Agreements"),
    ("setup_areas", "Areas"),
    ("setup_crafts", "Trades"),
    ("setup_policies", "Policies"),
    ("setup_commitments", "Commitments"),
    ("setup_contractors", "Contractors"),
    ("setup_review", "Review and activate"),
]
admin_only = access.only_roles(access.ADMIN, hide=True)


def show_errors(form, error: ValidationError, rename=None) -> None:
    """A service's refusal beside the fields it names (above the form otherwise)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, found in error.message_dict.items():
        name = rename(name) if rename else name
        form.add_error(name if name in form.fields else None, found)


def step_context(project: Project | None, step: str, **extra) -> dict:
    names = [name for name, _ in STEPS]
    following = names.index(step) + 1 if step in names else len(names)
    return {
        "project": project,
        "steps": STEPS,
        "step": step,
        "next_step": STEPS[following] if following < len(STEPS) else None,
        **extra,
    }


@login_required
@admin_only
def setup_index(request):
    """Projects in setup (resume one) and the active ones (change their setup)."""
    projects = Project.objects.order_by("name")
    return render(
        request,
        "setup/index.html",
        {
            "in_setup": projects.filter(status=Project.Status.PLANNED),
            "others": projects.exclude(status=Project.Status.PLANNED),
        },
    )


def _project_step(request, project: Project | None):
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.project_setup_save(
                project=project, fields=form.cleaned_data, user=request.user
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"Saved {saved.name}.")
            return redirect("setup_agreements", slug=saved.slug)
    return render(request, "setup/project.html", step_context(project, "setup_project", form=form))


@login_required
@admin_only
def setup_project_new(request):
    """Step 1 for a new project: its facts. It is saved as a project in setup."""
    return _project_step(request, None)


@login_required
@admin_only
def setup_project(request, slug: str):
    """Step 1: the project's facts."""
    return _project_step(request, access.project_for(request.user, slug))


@login_required
@admin_only
def setup_agreements(request, slug: str):
    """Step 2: the agreements the project is bound by (a CBA, a PLA, an ordinance as
    applied); `?agreement=KEY` changes one."""
    project = access.project_for(request.user, slug)
    agreement = project.agreements.filter(key=request.GET.get("agreement", "")).first()
    form = AgreementForm(request.POST or None, instance=agreement)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.agreement_setup_save(
                project=project, agreement=agreement, fields=form.cleaned_data, user=request.user
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"Saved the agreement “{saved.title}”.")
            return redirect("setup_agreements", slug=project.slug)
    return render(
        request,
        "setup/agreements.html",
        step_context(
            project,
            "setup_agreements",
            form=form,
            editing=agreement,
            agreements=project.agreements.all(),
        ),
    )


@login_required
@admin_only
def setup_areas(request, slug: str):
    """Step 3: the areas (ZIP lists) its commitments may name: pick one in a commitment's
    form, or create one here."""
    project = access.project_for(request.user, slug)
    form = AreaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            area = services.area_create(**form.cleaned_data, user=request.user, project=project)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"Created the area “{area.name}” ({len(area.zips)} ZIPs).")
            return redirect("setup_areas", slug=project.slug)
    used = set(project.commitments.exclude(area=None).values_list("area_id", flat=True))
    areas = [{"area": a, "used": a.pk in used} for a in Area.objects.order_by("name")]
    return render(
        request, "setup/areas.html", step_context(project, "setup_areas", form=form, areas=areas)
    )


@login_required
@admin_only
def setup_crafts(request, slug: str):
    """Step 4: the trades its reports may use: tick existing ones, or create one with the
    other names uploads use for it."""
    project = access.project_for(request.user, slug)
    posted = request.POST if request.method == "POST" else None
    action = request.POST.get("action")
    pick = CraftsForm(
        posted if action == "pick" else None, initial={"crafts": project.crafts.all()}
    )
    new = CraftForm(posted if action == "new" else None)
    if action == "pick" and pick.is_valid():
        services.project_crafts_set(
            project=project, crafts=list(pick.cleaned_data["crafts"]), user=request.user
        )
        messages.success(request, "Saved the project's trades.")
        return redirect("setup_crafts", slug=project.slug)
    if action == "new" and new.is_valid():
        try:
            craft = services.craft_create(project=project, **new.cleaned_data, user=request.user)
        except ValidationError as error:
            show_errors(new, error)
        else:
            messages.success(request, f"Created the trade “{craft.name}” and added it.")
            return redirect("setup_crafts", slug=project.slug)
    return render(
        request, "setup/crafts.html", step_context(project, "setup_crafts", pick=pick, new=new)
    )


@login_required
@admin_only
def setup_policies(request, slug: str):
    """Step 5: adopt a policy into one of the agreements; `?policy=SLUG` shows its
    commitments with the overrides this project may set (area, start date, short name)."""
    project = access.project_for(request.user, slug)
    chosen = request.POST.get("policy") or request.GET.get("policy", "")
    policy = Policy.objects.filter(slug=chosen).first()
    form = None
    if policy is not None and project.agreements.exists():
        form = AdoptionForm(
            request.POST or None,
            project=project,
            policy=policy,
            areas=Area.objects.order_by("name"),
        )
        if request.method == "POST" and form.is_valid():
            try:
                made = policy_adopt(
                    agreement=form.cleaned_data["agreement"],
                    policy=policy,
                    overrides=form.overrides(),
                    user=request.user,
                )
            except ValidationError as error:
                show_errors(form, error, rename=lambda name: name.replace(".", "-", 1))
            else:
                messages.success(
                    request,
                    f"Adopted {policy.name}: {plural(len(made), 'commitment')} made. "
                    "Check each one's terms in the Commitments step.",
                )
                return redirect("setup_commitments", slug=project.slug)
    return render(
        request,
        "setup/policies.html",
        step_context(
            project,
            "setup_policies",
            policies=Policy.objects.order_by("jurisdiction", "name"),
            policy=policy,
            form=form,
            adopted=project.agreements.values_list("adoptions__policy__slug", flat=True),
        ),
    )


@login_required
@admin_only
def setup_contractors(request, slug: str):
    """Step 7: the contractors on the project, who they work for, and their contacts, who
    are invited by e-mail to choose a password."""
    project = access.project_for(request.user, slug)
    form = ContractorForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.assignment_setup(
                project=project, **form.cleaned_data, user=request.user
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            emails = form.cleaned_data["emails"]
            messages.success(
                request,
                f"Added {assignment.contractor}"
                + (f"; e-mailed {', '.join(emails)}." if emails else "."),
            )
            return redirect("setup_contractors", slug=project.slug)
    assignments = project.assignments.select_related("contractor", "parent__contractor")
    return render(
        request,
        "setup/contractors.html",
        step_context(
            project,
            "setup_contractors",
            form=form,
            assignments=assignments.prefetch_related("contacts"),
        ),
    )


@login_required
@admin_only
def setup_review(request, slug: str):
    """The last step: everything set up, in words, and the button that activates it."""
    project = access.project_for(request.user, slug)
    commitments = list(
        project.commitments.select_related("agreement", "area").prefetch_related("versions")
    )
    agreements = [
        {"agreement": a, "commitments": [c for c in commitments if c.agreement_id == a.pk]}
        for a in project.agreements.prefetch_related("adoptions__policy")
    ]
    areas = {c.area for c in commitments if c.area is not None}
    return render(
        request,
        "setup/review.html",
        step_context(
            project,
            "setup_review",
            agreements=agreements,
            areas=sorted(areas, key=lambda a: a.name),
            crafts=project.crafts.order_by("name"),
            assignments=project.assignments.select_related(
                "contractor", "parent__contractor"
            ).prefetch_related("contacts"),
            problems=services.activation_problems(project),
        ),
    )


@login_required
@admin_only
@require_POST
def setup_activate(request, slug: str):
    """Activate a project in setup: its contractors owe monthly reports from then on."""
    project = access.project_for(request.user, slug)
    if project.status != Project.Status.PLANNED:
        messages.info(request, f"{project.name} is already {project.get_status_display()}.")
        return redirect("setup_review", slug=project.slug)
    try:
        services.project_activate(project=project, user=request.user)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
        return redirect("setup_review", slug=project.slug)
    messages.success(request, f"{project.name} is active.")
    return redirect("project_home", slug=project.slug)


urlpatterns = [
    path("setup/", setup_index, name="setup_index"),
    path("setup/new/", setup_project_new, name="setup_project_new"),
    path("setup/<slug:slug>/", setup_project, name="setup_project"),
    path("setup/<slug:slug>/agreements/", setup_agreements, name="setup_agreements"),
    path("setup/<slug:slug>/areas/", setup_areas, name="setup_areas"),
    path("setup/<slug:slug>/crafts/", setup_crafts, name="setup_crafts"),
    path("setup/<slug:slug>/policies/", setup_policies, name="setup_policies"),
    path("setup/<slug:slug>/contractors/", setup_contractors, name="setup_contractors"),
    path("setup/<slug:slug>/review/", setup_review, name="setup_review"),
    path("setup/<slug:slug>/activate/", setup_activate, name="setup_activate"),
]
