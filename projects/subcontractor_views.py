"""A contractor's pages about its subcontractors: add one under its own assignment, and the
page where the new contact chooses a password (the invitation's link)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cba.errors import InvalidInput
from compliance.formatting import long_date
from compliance.reporting.intake.selectors import visible_assignment
from projects import access
from projects.subcontractors import dates_allowed, subcontractor_add
from projects.views import PasswordResetConfirmView


class SubcontractorForm(forms.Form):
    company = forms.CharField(
        label=gettext_lazy("Company name"),
        max_length=200,
        help_text=gettext_lazy("As it appears on its payroll reports."),
    )
    contact_name = forms.CharField(
        label=gettext_lazy("Contact's name"), max_length=150, required=False
    )
    contact_email = forms.EmailField(
        label=gettext_lazy("Contact's e-mail"),
        help_text=gettext_lazy(
            "The person who files the company's payroll reports: they get an invitation to "
            "choose a password."
        ),
    )
    scope_of_work = forms.CharField(
        label=gettext_lazy("Scope of work"),
        max_length=300,
        required=False,
        help_text=gettext_lazy(
            "What the company does on the project, e.g. “underground electrical”."
        ),
    )
    start_date = forms.DateField(
        label=gettext_lazy("Start"), widget=forms.DateInput(attrs={"type": "date"}), help_text=""
    )
    end_date = forms.DateField(
        label=gettext_lazy("End"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Leave empty if it works until your own work ends."),
    )

    def __init__(self, *args, parent, **kwargs):
        super().__init__(*args, **kwargs)
        first, last = dates_allowed(parent)
        self.fields["start_date"].help_text = _(
            "When it starts work on the project. Between %(first)s and %(last)s."
        ) % {"first": long_date(first), "last": long_date(last)}
        for name in ("start_date", "end_date"):
            self.fields[name].widget.attrs.update(min=first.isoformat(), max=last.isoformat())


@login_required
def subcontractor_add_view(request, slug: str, contractor: str):
    """Add a lower-tier subcontractor under the user's own company's assignment."""
    parent = visible_assignment(request.user, slug, contractor)
    access.require(access.can_add_subcontractor(request.user, parent))
    first, last = dates_allowed(parent)
    today = timezone.localdate()
    initial = {"start_date": min(max(today, first), last)}
    form = SubcontractorForm(request.POST or None, parent=parent, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                added = subcontractor_add(parent=parent, user=request.user, **data)
            except InvalidInput as error:
                for problem in error.errors or [{"field": None, "message": error.message}]:
                    field = problem.get("field")
                    form.add_error(field if field in form.fields else None, problem["message"])
            else:
                messages.success(request, added.summary())
                return redirect(
                    reverse(
                        "assignment_reports",
                        kwargs={"slug": parent.project.slug, "contractor": parent.contractor.slug},
                    )
                    + "#subcontractors"
                )
        status = 422
    return render(
        request,
        "projects/subcontractor_add.html",
        {"parent": parent, "project": parent.project, "form": form},
        status=status,
    )


class InvitationConfirmView(PasswordResetConfirmView):
    """The invitation's link: the new contact chooses a password and is signed in."""

    template_name = "registration/invitation_confirm.html"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request,
            _(
                "Your password is saved and you are signed in. Open the project to see the "
                "months due and download its Excel template."
            ),
        )
        return response
