"""The open data door in the API: a monitor posts a city's file for a project (SPEC §5.4)."""

from django.conf import settings
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from cba.answers import answers
from compliance.reporting.intake.files import check_size
from compliance.reporting.intake.opendata import FORMATS, import_open_data
from projects import access

router = Router(tags=["open data"])


class OpenDataIn(Schema):
    format: str = Field(description=f"The file's layout: {', '.join(sorted(FORMATS))}.")
    source_name: str = Field(
        "", max_length=200, description="The project's name as the file spells it (default: ours)."
    )


class ImportedReport(Schema):
    id: int
    contractor: str
    period: str
    version: int
    line_count: int
    total_hours: str


class OpenDataOut(Schema):
    message: str
    unchanged: bool
    rows: int
    hours: str
    contractors_added: list[str]
    reports: list[ImportedReport]


@router.post(
    "/projects/{slug}/open-data",
    response=answers({200: OpenDataOut, 201: OpenDataOut}, 403, 404, body=True),
    summary="Import a city's open data file into a project",
)
@access.only_roles(*access.OPEN_DATA_IMPORTERS)
def import_open_data_file(request, slug: str, payload: Form[OpenDataIn], file: File[UploadedFile]):
    """A multipart form: `file` (the city's CSV), `format` (`boston-rjp`) and optionally
    `source_name`. The project's rows become each named contractor's monthly report
    versions (201); the same file again changes nothing (200, `unchanged`); 422 with every
    problem found (row, column, value, what to do), nothing stored. For program admins and
    the coalitions and law centers that monitor the project."""
    project = access.project_for(request.user, slug)
    check_size(file.size)
    result = import_open_data(
        project=project,
        content=file.read(),
        format=payload.format,
        source_name=payload.source_name,
        filename=file.name or "",
        user=request.user,
        max_rows=settings.UPLOAD_MAX_ROWS,
    )
    body = {
        "message": result.summary(),
        "unchanged": not result.changed,
        "rows": result.rows,
        "hours": f"{result.hours:.2f}",
        "contractors_added": result.contractors_added,
        "reports": [
            {
                "id": report.pk,
                "contractor": report.assignment.contractor.slug,
                "period": f"{report.period:%Y-%m}",
                "version": report.version,
                "line_count": report.line_count,
                "total_hours": f"{report.total_hours:.2f}",
            }
            for report in result.stored
        ],
    }
    return (201 if result.changed else 200), body
