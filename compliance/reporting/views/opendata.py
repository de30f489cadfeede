"""The open data page: a monitor imports a city's published worker hours into a project
(SPEC §5.4), and reads what was stored or every problem found."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from cba.errors import InvalidInput
from compliance.reporting.intake.files import check_size, megabytes
from compliance.reporting.intake.opendata import FORMATS, import_open_data
from projects import access


class OpenDataForm(forms.Form):
    file = forms.FileField(
        label="The city's file (CSV)",
        help_text=f"As downloaded from the city's open data site; at most "
        f"{megabytes(settings.UPLOAD_MAX_BYTES)}.",
    )
    format = forms.ChoiceField(
        label="Layout", choices=[(name, layout.label) for name, layout in FORMATS.items()]
    )
    source_name = forms.CharField(
        label="The project's name in the file",
        required=False,
        max_length=200,
        help_text="Leave it empty when the file spells the project's name as we do.",
    )

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt"
        if project is not None:
            self.fields["source_name"].widget.attrs["placeholder"] = project.name


@login_required
@access.only_roles(*access.OPEN_DATA_IMPORTERS)
def open_data_import(request, slug: str):
    """Upload the city's file; the project's rows become report versions, or the page lists
    every problem and nothing is stored."""
    project = access.project_for(request.user, slug)
    result = failure = None
    if request.method == "POST":
        form = OpenDataForm(request.POST, request.FILES, project=project)
        if form.is_valid():
            uploaded = form.cleaned_data["file"]
            try:
                check_size(uploaded.size)
                result = import_open_data(
                    project=project,
                    content=uploaded.read(),
                    format=form.cleaned_data["format"],
                    source_name=form.cleaned_data["source_name"],
                    filename=uploaded.name,
                    user=request.user,
                    max_rows=settings.UPLOAD_MAX_ROWS,
                )
            except InvalidInput as error:
                failure = error
    else:
        form = OpenDataForm(project=project)
    return render(
        request,
        "reporting/opendata/import.html",
        {"project": project, "form": form, "result": result, "failure": failure},
        status=422 if failure else 200,
    )


urlpatterns = [
    path("projects/<slug:slug>/open-data/", open_data_import, name="open_data_import"),
]
