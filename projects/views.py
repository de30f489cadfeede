from pathlib import PurePosixPath

from django import forms
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from compliance.evaluation.selectors.project import project_page
from compliance.reporting.intake.opendata_file import FORMATS as OPEN_DATA_FORMATS
from compliance.storage import attachment
from projects import abuse, access
from projects.selectors import home_projects
from projects.tokens import api_token_create, api_token_revoke


@login_required
def home(request):
    """Home: the projects this user may see, each linking to the page their role needs."""
    return render(
        request,
        "projects/home.html",
        {
            "projects": home_projects(user=request.user),
            "is_contractor": access.role_of(request.user) == access.CONTRACTOR,
        },
    )


@login_required
@require_safe
def project_home(request, slug: str):
    """A project's compliance: a card per commitment with charts, the contractors' reporting,
    wage violations, progress of count commitments and the open flags. Contractors go to
    their own reporting page for the project instead."""
    project = access.project_for(request.user, slug)
    if access.role_of(request.user) == access.CONTRACTOR:
        return redirect("contractor_reports", slug=project.slug)
    return render(
        request,
        "projects/project.html",
        {
            "project": project,
            "page": project_page(
                user=request.user, project=project, all_groups=request.GET.get("groups", "")
            ),
            "can_export": access.can_export(request.user, project),
            "can_import_open_data": access.can_import_open_data(request.user),
            "open_data_layouts": [layout.label for layout in OPEN_DATA_FORMATS.values()],
        },
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. “payroll export script”."),
    )


@never_cache
@login_required
def api_tokens(request):
    """Personal API tokens: create one for a script (shown once), see its use, revoke it."""
    form = ApiTokenForm(request.POST or None)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            token, raw = api_token_create(user=request.user, name=form.cleaned_data["name"])
            created = {"token": token, "raw": raw}
            form = ApiTokenForm()
        else:
            status = 400
    return render(
        request,
        "projects/api_tokens.html",
        {
            "form": form,
            "created": created,
            "tokens": access.api_tokens_for(request.user),
        },
        status=status,
    )


@login_required
@require_POST
def api_token_revoke_view(request, token_id: int):
    """Revoke one of your tokens: scripts using it get 401 from now on."""
    token = get_object_or_404(access.api_tokens_for(request.user), pk=token_id)
    api_token_revoke(token=token, user=request.user)
    messages.success(
        request,
        gettext("The token “{name}” is revoked; anything still using it now gets 401.").format(
            name=token.name
        ),
    )
    return redirect("api_tokens")


@login_required
@require_safe
def agreement_document(request, slug: str):
    """A signed agreement's file, for whoever may see the project."""
    project = access.project_for(request.user, slug)
    # ?key= names one of several agreements; without it, the primary (earliest) one.
    agreements = access.agreement_documents_for(request.user).filter(project=project)
    if request.GET.get("key"):
        agreements = agreements.filter(key=request.GET["key"])
    agreement = agreements.order_by("effective_date", "pk").first()
    if agreement is None or not agreement.document:
        messages.info(request, "No signed copy of this project's agreement has been stored.")
        return redirect("project_home", slug=project.slug)
    suffix = PurePosixPath(agreement.document.name).suffix
    return attachment(agreement.document, filename=f"agreement-{project.slug}{suffix}")


class PasswordResetForm(auth_forms.PasswordResetForm):
    """The reset e-mail in the language the person chose, else in the page's language."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        language = access.language_of(context["user"]) or translation.get_language()
        with translation.override(language):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    """Send a reset link, at most PASSWORD_RESET_LIMIT times an hour per address and per
    e-mail address; beyond that nothing is sent and the answer is the same page."""

    form_class = PasswordResetForm

    def form_valid(self, form):
        if abuse.password_reset_allowed(
            address=abuse.client_address(self.request), email=form.cleaned_data["email"]
        ):
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing a new password also lifts a sign-in lockout of that account."""

    def form_valid(self, form):
        response = super().form_valid(form)
        abuse.lift_lockout(username=form.user.get_username())
        return response
